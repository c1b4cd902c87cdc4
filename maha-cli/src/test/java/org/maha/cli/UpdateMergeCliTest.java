package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.files.Sha256;
import org.maha.model.GaussianAdModel;
import org.maha.model.ImageSetDigest;
import org.maha.model.ModelAssertions;
import org.maha.model.ModelFile;
import org.maha.testing.SharedData;

/**
 * {@code maha update} and {@code maha merge} give the model {@code maha fit} gives on the union of the images,
 * every array to 1e-10 relative, in any order; the manifest records the history; unlike or old models are refused
 * in one line.
 */
class UpdateMergeCliTest {
  static final double REL_TOL = 1e-10;

  @TempDir static Path dir;
  static Path onnx;
  static Path a;
  static Path b;
  static Path c;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    a = CliHarness.noisePngs(dir.resolve("a"), "a", 1, 7, 40);
    b = CliHarness.noisePngs(dir.resolve("b"), "b", 2, 5, 48);
    c = CliHarness.noisePngs(dir.resolve("c"), "c", 3, 4, 36);
  }

  static Path fit(String name, String variant, Path... images) {
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q",
        "--variant", variant, "-o", out.toString()));
    for (Path p : images) {
      args.add(p.toString());
    }
    var r = CliHarness.run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.all()).isZero();
    return out;
  }

  static Path run(String... args) {
    var r = CliHarness.run(args);
    assertThat(r.exitCode()).as(r.all()).isZero();
    return null;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mvg", "l2", "sed"})
  void fitThenUpdateEqualsFitOfTheUnion(String variant) throws Exception {
    Path fa = fit("a-" + variant + ".maha", variant, a);
    Path fab = dir.resolve("ab-" + variant + ".maha");
    var r = CliHarness.run("update", "-m", fa.toString(), "-q", "-o", fab.toString(), b.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("7 images + 5 new = 12");
    Path fabc = dir.resolve("abc-" + variant + ".maha");
    run("update", "-m", fab.toString(), "--onnx", onnx.toString(), "-q", "-o", fabc.toString(), c.toString());

    ModelAssertions.assertSameModel(ModelFile.read(fab), ModelFile.read(fit("u-ab-" + variant + ".maha", variant, a, b)),
        REL_TOL);
    ModelAssertions.assertSameModel(ModelFile.read(fabc),
        ModelFile.read(fit("u-abc-" + variant + ".maha", variant, a, b, c)), REL_TOL);

    JsonNode history = manifest(fabc).path("history");
    assertThat(history.size()).isEqualTo(3);
    assertThat(history.findValuesAsText("action")).containsExactly("fit", "update", "update");
    assertThat(history.get(0).path("n").asLong()).isEqualTo(7);
    assertThat(history.get(1).path("n").asLong()).isEqualTo(5);
    assertThat(history.get(2).path("n").asLong()).isEqualTo(4);
    assertThat(history.get(1).path("modelFile").asText()).isEqualTo(fa.toString());
    assertThat(history.get(1).path("modelSha256").asText()).isEqualTo(Sha256.of(fa));
    assertThat(history.get(2).path("modelSha256").asText()).isEqualTo(Sha256.of(fab));
    assertThat(history.get(2).path("source").asText()).isEqualTo(c.toString());
    // each step's image-set digest: a, b, c's; together the digest maha fit records for a + b + c
    assertThat(history.findValues("images")).extracting(JsonNode::asLong).containsExactly(7L, 5L, 4L);
    ImageSetDigest sum = ImageSetDigest.EMPTY;
    for (JsonNode step : history) {
      sum = sum.merge(digest(step));
    }
    JsonNode unionFit = manifest(dir.resolve("u-abc-" + variant + ".maha")).path("history").get(0);
    assertThat(sum).isEqualTo(digest(unionFit));
    assertThat(digest(history.get(0))).isEqualTo(digest(manifest(fa).path("history").get(0)));
  }

  private static ImageSetDigest digest(JsonNode step) {
    assertThat(step.path("imagesSha256").asText()).hasSize(64);
    return ImageSetDigest.of(step.path("images").asLong(), step.path("imagesSha256").asText());
  }

  @Test
  void mergeOfModelsFittedApartInAnyOrderEqualsFitOfTheUnion() throws Exception {
    Path fa = fit("m-a.maha", "mvg", a);
    Path fb = fit("m-b.maha", "mvg", b);
    Path fc = fit("m-c.maha", "mvg", c);
    GaussianAdModel union = ModelFile.read(fit("m-union.maha", "mvg", a, b, c));
    Path m1 = dir.resolve("m1.maha");
    Path m2 = dir.resolve("m2.maha");
    Path ab = dir.resolve("m-ab.maha");
    Path m3 = dir.resolve("m3.maha");
    var r = CliHarness.run("merge", fa.toString(), fb.toString(), fc.toString(), "-o", m1.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("merged 3 mvg models: 16 images");
    run("merge", fc.toString(), fa.toString(), fb.toString(), "-o", m2.toString());
    run("merge", fb.toString(), fa.toString(), "-o", ab.toString());
    run("merge", fc.toString(), ab.toString(), "-o", m3.toString());
    for (Path m : List.of(m1, m2, m3)) {
      ModelAssertions.assertSameModel(ModelFile.read(m), union, REL_TOL);
    }
    JsonNode history = manifest(m2).path("history");
    assertThat(history.findValuesAsText("action")).containsExactly("fit", "fit", "fit", "merge", "merge", "merge");
    assertThat(history.get(3).path("modelFile").asText()).isEqualTo(fc.toString());
    assertThat(history.get(3).path("modelSha256").asText()).isEqualTo(Sha256.of(fc));
    assertThat(history.get(3).path("n").asLong()).isEqualTo(4);
    // the merge steps record each merged model's digest, and together they are the union fit's (any grouping)
    JsonNode unionFit = manifest(dir.resolve("m-union.maha")).path("history").get(0);
    for (Path m : List.of(m1, m2, m3)) {
      ImageSetDigest merged = ImageSetDigest.EMPTY;
      for (JsonNode step : manifest(m).path("history")) {
        if (step.path("action").asText().equals("merge") && !step.path("modelFile").asText().equals(ab.toString())) {
          merged = merged.merge(digest(step));
        }
      }
      assertThat(merged).isEqualTo(digest(unionFit));
    }
    assertThat(digest(history.get(3))).isEqualTo(digest(manifest(fc).path("history").get(0)));
  }

  @Test
  void aCalibratedModelLosesItsThresholdWithAWarning() throws Exception {
    Path cal = dir.resolve("cal.maha");
    run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--calibrate", c.toString(),
        "--target-fpr", "0.25", "-o", cal.toString(), a.toString());
    assertThat(ModelFile.read(cal).threshold()).isPresent();
    Path out = dir.resolve("cal-updated.maha");
    var r = CliHarness.run("update", "-m", cal.toString(), "-q", "-o", out.toString(), b.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("calibrated threshold was dropped");
    assertThat(ModelFile.read(out).threshold()).isEmpty();
    assertThat(manifest(out).has("calibration")).isFalse();

    // --calibrate sets the threshold a fit on the union with the same calibration images sets
    Path recalibrated = dir.resolve("cal-recalibrated.maha");
    var r2 = CliHarness.run("update", "-m", cal.toString(), "-q", "--calibrate", c.toString(), "--target-fpr", "0.25",
        "-o", recalibrated.toString(), b.toString());
    assertThat(r2.exitCode()).as(r2.all()).isZero();
    assertThat(r2.err()).doesNotContain("dropped");
    Path union = dir.resolve("cal-union.maha");
    run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--calibrate", c.toString(),
        "--target-fpr", "0.25", "-o", union.toString(), a.toString(), b.toString());
    var got = ModelFile.read(recalibrated).threshold().orElseThrow();
    var want = ModelFile.read(union).threshold().orElseThrow();
    assertThat(got.n()).isEqualTo(want.n());
    ModelAssertions.assertClose("threshold", new double[] {got.threshold()}, new double[] {want.threshold()}, REL_TOL);

    BadInputTest.assertBadInput(CliHarness.run("update", "-m", cal.toString(), "-q", "--calibrate", b.toString(),
        "-o", dir.resolve("never.maha").toString(), b.toString()), dir.resolve("never.maha"), "--calibrate",
        "is also a training image");
  }

  @Test
  void refusesOldUnlikeAndPcaModelsInOneLine() throws Exception {
    Path v1 = dir.resolve("v1.maha");
    try (InputStream in = getClass().getResourceAsStream("/org/maha/model/golden-v1-mvg.maha")) {
      Files.copy(in, v1);
    }
    Path out = dir.resolve("refused.maha");
    BadInputTest.assertBadInput(CliHarness.run("update", "-m", v1.toString(), "--onnx", onnx.toString(), "-q", "-o",
        out.toString(), b.toString()), out, "v1.maha", "version 1", "cannot be updated");
    Path fa = fit("r-a.maha", "mvg", a);
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), v1.toString(), "-o", out.toString()), out,
        "v1.maha", "version 1");
    Path fab = dir.resolve("r-ab.maha");
    run("update", "-m", fa.toString(), "-q", "-o", fab.toString(), b.toString());
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), fab.toString(), "-o", out.toString()), out,
        "r-ab.maha: cannot be merged with " + fa, "would count twice");
    Path sed = fit("r-sed.maha", "sed", b);
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), sed.toString(), "-o", out.toString()), out,
        "r-sed.maha: cannot be merged with " + fa, "variant sed differs from mvg");
    Path levels = dir.resolve("r-levels.maha");
    run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2", "-q", "-o", levels.toString(), b.toString());
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), levels.toString(), "-o", out.toString()), out,
        "r-levels.maha: cannot be merged", "levels [s1, s2]");
    Path norm = dir.resolve("r-norm.maha");
    run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "--normalization", "minus1to1", "-q", "-o",
        norm.toString(), b.toString());
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), norm.toString(), "-o", out.toString()), out,
        "r-norm.maha: cannot be merged", "normalisation");
    Path other = CliHarness.tinyCnn(dir, "tiny_cnn_batch1.onnx");
    Path otherModel = dir.resolve("r-other.maha");
    run("fit", "--onnx", other.toString(), "--levels", "s1,s2,pooled", "-q", "-o", otherModel.toString(), b.toString());
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), otherModel.toString(), "-o", out.toString()),
        out, "r-other.maha: cannot be merged", "backbone");
    Path pca = fit("r-pca.maha", "pca:0.9", a);
    BadInputTest.assertBadInput(CliHarness.run("update", "-m", pca.toString(), "-q", "-o", out.toString(),
        b.toString()), out, "r-pca.maha", "pca:0.9 model cannot be updated");
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), fa.toString(), "-o", out.toString()), out,
        "given twice");
    BadInputTest.assertBadInput(CliHarness.run("update", "-m", fa.toString(), "-q", "-o", fa.toString(),
        b.toString()), null, "is also an input");
    BadInputTest.assertBadInput(CliHarness.run("merge", fa.toString(), sed.toString(), "-o", sed.toString()), null,
        "is also an input");
    BadInputTest.assertBadInput(CliHarness.run("update", "-m", fa.toString(), "--levels", "s1", "-q", "-o",
        out.toString(), b.toString()), out, "--levels");
    assertThat(ModelFile.read(fa).info().nTrain()).isEqualTo(7); // inputs untouched
  }

  /** As a user runs it (child JVM): an old model is refused with one plain line, nothing written. */
  @Test
  void version1ModelRefusedAsAUserSeesIt() throws Exception {
    Path work = Files.createDirectories(dir.resolve("process"));
    Path v1 = work.resolve("old.maha");
    try (InputStream in = getClass().getResourceAsStream("/org/maha/model/golden-v1-sed.maha")) {
      Files.copy(in, v1);
    }
    Map<String, String> before = CliProcess.snapshot(work);
    CliProcess.Result r = CliProcess.run(90, work, "update", "-m", v1.toString(), "--onnx", onnx.toString(), "-q",
        "-o", work.resolve("new.maha").toString(), b.toString());
    CliProcess.assertCleanRefusal(r, "old.maha", "cannot be updated or merged");
    assertThat(CliProcess.snapshot(work)).isEqualTo(before);
  }

  /** The property on real features: the genuine MobileNetV2 on photos (skipped, and counted, without shared/). */
  @Test
  void updateEqualsFitOfTheUnionOnRealFeatures() throws Exception {
    Path mobileNet = SharedData.mobileNetV2();
    Path images = SharedData.require("images");
    Path textures = SharedData.require("textures");
    Path first = Files.createDirectories(dir.resolve("real-a"));
    Path second = Files.createDirectories(dir.resolve("real-b"));
    int i = 0;
    try (var files = Files.list(images)) {
      for (Path p : files.filter(f -> f.toString().matches(".*\\.(bmp|jpg)")).sorted().toList()) {
        Files.copy(p, (i++ % 2 == 0 ? first : second).resolve(p.getFileName()));
      }
    }
    Path fa = dir.resolve("real-a.maha");
    run("fit", "--onnx", mobileNet.toString(), "-q", "-o", fa.toString(), first.toString());
    Path updated = dir.resolve("real-ab.maha");
    run("update", "-m", fa.toString(), "-q", "-o", updated.toString(), second.toString(), textures.toString());
    Path union = dir.resolve("real-union.maha");
    run("fit", "--onnx", mobileNet.toString(), "-q", "-o", union.toString(), first.toString(), second.toString(),
        textures.toString());
    GaussianAdModel u = ModelFile.read(union);
    assertThat(u.info().nTrain()).isGreaterThanOrEqualTo(9);
    double worst = ModelAssertions.assertSameModel(ModelFile.read(updated), u, REL_TOL);
    System.out.printf("update vs fit of the union on MobileNetV2 features of %d photos, %s levels up to d = %d: "
        + "largest relative difference over all arrays %.3g%n", u.info().nTrain(), u.levels().size(),
        u.info().backbone().levelDims().stream().mapToInt(Integer::intValue).max().orElse(0), worst);
  }

  static JsonNode manifest(Path model) throws Exception {
    try (ZipFile z = new ZipFile(model.toFile())) {
      return new ObjectMapper().readTree(z.getInputStream(z.getEntry("manifest.json")));
    }
  }
}
