package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.files.Sha256;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;

/**
 * {@code fit --maps} and {@code score --maps DIR} end to end on the tiny test CNN, and hostile map sections of a
 * model file through {@link CliProcess} (exit 2, one line naming the file, nothing written).
 */
class MapsCliTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Path mapsModel;
  static Map<String, byte[]> entries;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 6, 8, 40);
    Path cal = CliHarness.noisePngs(dir.resolve("cal"), "c", 7, 6, 40);
    mapsModel = dir.resolve("maps.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--maps",
        "--calibrate", cal.toString(), "--target-fpr", "0.2", "-o", mapsModel.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("anomaly maps: levels [s2]", "from 6 calibration images");
    entries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(mapsModel.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        entries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
  }

  @Test
  void scoreWritesOverlayAndRawMapPerImageAtImageSize() throws Exception {
    Path test = CliHarness.noisePngs(dir.resolve("test"), "t", 9, 2, 48);
    BadInputTest.writePng(test.resolve("wide.png"), BadInputTest.noise(new java.util.Random(3), 56));
    Path out = dir.resolve("maps-out");
    Map<String, String> inputs = CliProcess.snapshot(test);
    var r = CliHarness.run("score", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out.toString(), "--format", "csv", test.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out().lines().count()).isEqualTo(4); // header + 3 images
    assertThat(CliProcess.snapshot(test)).isEqualTo(inputs);
    for (String name : List.of("t0", "t1", "wide")) {
      BufferedImage image = ImageIO.read(test.resolve(name + ".png").toFile());
      NpyArray map = Npy.read(Files.readAllBytes(out.resolve(name + "_map.npy")));
      assertThat(map.shape()).containsExactly(image.getHeight(), image.getWidth());
      for (double v : map.data()) {
        assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
      }
      BufferedImage overlay = ImageIO.read(out.resolve(name + "_map.png").toFile());
      assertThat(overlay.getHeight()).isGreaterThan(image.getHeight()); // the legend strip under the image
      assertThat(overlay.getWidth()).isGreaterThanOrEqualTo(image.getWidth());
    }
    // scores equal those without maps
    var plain = CliHarness.run("score", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "--format",
        "csv", test.toString());
    assertThat(plain.out()).isEqualTo(r.out());
  }

  @Test
  void float32FactorsGiveTheSameScoresAndMapsWithin1e5() throws Exception {
    Path cal = dir.resolve("cal");
    Path f32 = dir.resolve("maps-f32.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--maps",
        "--map-float32", "--calibrate", cal.toString(), "--target-fpr", "0.2", "-o", f32.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(Files.size(f32)).isLessThan(Files.size(mapsModel));
    Path test = CliHarness.noisePngs(dir.resolve("test32"), "t", 19, 2, 48);
    Path out64 = dir.resolve("out64");
    Path out32 = dir.resolve("out32");
    var s64 = CliHarness.run("score", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out64.toString(), "--format", "csv", test.toString());
    var s32 = CliHarness.run("score", "-m", f32.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out32.toString(), "--format", "csv", test.toString());
    assertThat(s32.exitCode()).as(s32.all()).isZero();
    assertThat(s32.out()).isEqualTo(s64.out()); // the image model is not touched
    for (String name : List.of("t0", "t1")) {
      double[] a = Npy.read(Files.readAllBytes(out64.resolve(name + "_map.npy"))).data();
      double[] b = Npy.read(Files.readAllBytes(out32.resolve(name + "_map.npy"))).data();
      assertThat(b).hasSameSizeAs(a);
      for (int k = 0; k < a.length; k++) {
        assertThat(Math.abs(b[k] - a[k])).isLessThanOrEqualTo(1e-5 * a[k] + 1e-6); // .npy maps are float32
      }
    }
  }

  @Test
  void modelWithoutMapsIsRefusedBeforeAnyWork() throws Exception {
    Path plain = dir.resolve("plain.maha");
    var f = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        plain.toString(), good.toString());
    assertThat(f.exitCode()).as(f.all()).isZero();
    Path out = dir.resolve("never");
    var r = CliHarness.run("score", "-m", plain.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.err().strip().lines().count()).as(r.all()).isEqualTo(1);
    assertThat(r.err()).contains("--maps", plain.toString(), "fit --maps");
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void withoutCalibrationTheScaleComesFromHeldOutTrainingImages() throws Exception {
    Path model = dir.resolve("heldout.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--maps", "-o",
        model.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("scale from 1 held-out training images"); // a fifth of 8, at least 1
    var m = org.maha.pipeline.MapModelFile.read(model);
    assertThat(m.scale().source()).isEqualTo(org.maha.pipeline.MapScale.HELD_OUT);
    assertThat(m.maps().gaussians().n()).isEqualTo(8); // the stored maps use every training image
  }

  @Test
  void updateAndMergeRefuseMapsUnlessToldToDropThem() throws Exception {
    Path more = CliHarness.noisePngs(dir.resolve("more"), "m", 11, 3, 40);
    Path updated = dir.resolve("updated.maha");
    var refused = CliHarness.run("update", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "-o",
        updated.toString(), more.toString());
    assertThat(refused.exitCode()).as(refused.all()).isEqualTo(2);
    assertThat(refused.err().strip().lines().count()).as(refused.all()).isEqualTo(1);
    assertThat(refused.err()).contains(mapsModel.toString(), "anomaly maps", "--drop-maps");
    assertThat(Files.exists(updated)).isFalse();

    var r = CliHarness.run("update", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "--drop-maps",
        "-o", updated.toString(), more.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("without anomaly maps (--drop-maps)");
    assertThat(org.maha.pipeline.MapModelFile.read(updated).maps()).isNull();
    // the image model is the one a fit on both sets gives
    Path union = dir.resolve("union.maha");
    var f = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        union.toString(), good.toString(), more.toString());
    assertThat(f.exitCode()).as(f.all()).isZero();
    org.maha.model.ModelAssertions.assertSameModel(org.maha.model.ModelFile.read(updated),
        org.maha.model.ModelFile.read(union), 1e-10);

    Path moreForMaps = CliHarness.noisePngs(dir.resolve("more-maps"), "n", 13, 6, 40);
    Path other = dir.resolve("other-maps.maha");
    var o = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--maps", "-o",
        other.toString(), moreForMaps.toString());
    assertThat(o.exitCode()).as(o.all()).isZero();
    Path merged = dir.resolve("merged.maha");
    var m = CliHarness.run("merge", mapsModel.toString(), other.toString(), "-o", merged.toString());
    assertThat(m.exitCode()).as(m.all()).isEqualTo(2);
    assertThat(m.err().strip().lines().count()).as(m.all()).isEqualTo(1);
    assertThat(m.err()).contains(mapsModel.toString(), "anomaly maps", "--drop-maps");
    assertThat(Files.exists(merged)).isFalse();
    var m2 = CliHarness.run("merge", "--drop-maps", mapsModel.toString(), other.toString(), "-o", merged.toString());
    assertThat(m2.exitCode()).as(m2.all()).isZero();
    assertThat(m2.out()).contains("merged 2 mvg models: 14 images", "without anomaly maps");
    Path mergedUnion = dir.resolve("merged-union.maha");
    var fu = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        mergedUnion.toString(), good.toString(), moreForMaps.toString());
    assertThat(fu.exitCode()).as(fu.all()).isZero();
    org.maha.model.ModelAssertions.assertSameModel(org.maha.model.ModelFile.read(merged),
        org.maha.model.ModelFile.read(mergedUnion), 1e-10);
  }

  @Test
  void theApiSaysAModelHasMapsAndRefusesToUpdateOrMergeIt() throws Exception {
    org.maha.api.FittedModel withMaps = org.maha.api.FittedModel.load(mapsModel);
    assertThat(withMaps.hasMaps()).isTrue();
    assertThat(org.maha.api.FittedModel.load(Files.readAllBytes(mapsModel), "upload").hasMaps()).isTrue();
    assertThatThrownBy(withMaps::checkUpdatable).isInstanceOf(org.maha.api.MahaException.class)
        .hasMessageContaining(mapsModel.toString()).hasMessageContaining("withoutMaps()");
    assertThatThrownBy(() -> org.maha.api.FittedModel.merge(List.of(withMaps, withMaps.withoutMaps())))
        .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining("anomaly maps");
    org.maha.api.FittedModel image = withMaps.withoutMaps();
    assertThat(image.hasMaps()).isFalse();
    image.checkUpdatable();
    assertThat(image.withoutMaps()).isSameAs(image);
    try (org.maha.api.Detector d = org.maha.api.Detector.builder().onnx(onnx).levels("s1", "s2", "pooled")
        .build()) {
      Path more = CliHarness.noisePngs(dir.resolve("api-more"), "m", 12, 2, 40);
      assertThatThrownBy(() -> d.update(withMaps, org.maha.api.Images.folder(more)))
          .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining("anomaly maps");
      assertThat(d.update(image, org.maha.api.Images.folder(more)).trainingImages()).isEqualTo(10);
    }
  }

  @Test
  void theApiGivesTheMapsScoreMapsWrites() throws Exception {
    Path test = CliHarness.noisePngs(dir.resolve("api-test"), "t", 23, 3, 44);
    Path out = dir.resolve("api-maps-out");
    var r = CliHarness.run("score", "-m", mapsModel.toString(), "--onnx", onnx.toString(), "-q", "--maps",
        out.toString(), "--format", "csv", test.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    org.maha.api.FittedModel model = org.maha.api.FittedModel.loadWithMaps(mapsModel);
    assertThat(model.hasMaps()).isTrue();
    var scale = org.maha.pipeline.MapModelFile.read(mapsModel).scale();
    try (org.maha.api.Detector d = org.maha.api.Detector.builder().onnx(onnx).levels("s1", "s2", "pooled")
        .build()) {
      List<org.maha.api.AnomalyMap> maps = d.anomalyMaps(model, org.maha.api.Images.folder(test));
      org.maha.api.Scores scores = d.scoreAll(model, org.maha.api.Images.folder(test));
      assertThat(maps).hasSize(3);
      for (int i = 0; i < maps.size(); i++) {
        org.maha.api.AnomalyMap m = maps.get(i);
        assertThat(m.score()).isEqualTo(scores.get(i));
        String stem = Path.of(m.score().name()).getFileName().toString().replace(".png", "");
        NpyArray npy = Npy.read(Files.readAllBytes(out.resolve(stem + "_map.npy")));
        assertThat(npy.shape()).containsExactly(m.height(), m.width());
        float[] values = m.values();
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < values.length; k++) {
          assertThat(values[k]).isEqualTo((float) npy.data()[k]); // the .npy is the same map, float32
          max = Math.max(max, values[k]);
        }
        assertThat(m.value(m.width() - 1, 0)).isEqualTo(values[m.width() - 1]);
        assertThat(m.maxValue()).isEqualTo(max);
        assertThat(m.calmLevel()).hasValue(scale.calm());
        assertThat(m.contourLevel()).hasValue(scale.contour());
        assertThat(m.exceedsContour()).isEqualTo(max > scale.contour());
        values[0] = -1; // a copy
        assertThat(m.values()[0]).isNotEqualTo(-1f);
        // the overlay the API draws from the same image's bytes is the one score --maps writes
        assertThat(m.overlayPng(Files.readAllBytes(Path.of(m.score().name()))))
            .isEqualTo(Files.readAllBytes(out.resolve(stem + "_map.png")));
      }
      // another image than the one scored, or no image, is refused naming the image
      Path wide = dir.resolve("api-wide.png");
      BadInputTest.writePng(wide, BadInputTest.noise(new java.util.Random(5), 56));
      assertThatThrownBy(() -> maps.get(0).overlayPng(Files.readAllBytes(wide)))
          .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining(maps.get(0).score().name());
      assertThatThrownBy(() -> maps.get(0).overlayPng(new byte[] {1, 2, 3}))
          .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining(maps.get(0).score().name());
      // a model file held in memory gives the same maps as the file
      org.maha.api.FittedModel fromBytes = org.maha.api.FittedModel.loadWithMaps(Files.readAllBytes(mapsModel),
          "the uploaded model");
      assertThat(fromBytes.hasMaps()).isTrue();
      List<org.maha.api.AnomalyMap> fromMemory = d.anomalyMaps(fromBytes, org.maha.api.Images.folder(test));
      for (int i = 0; i < maps.size(); i++) {
        assertThat(fromMemory.get(i).values()).isEqualTo(maps.get(i).values());
        assertThat(fromMemory.get(i).score()).isEqualTo(maps.get(i).score());
      }
      // a model read without its maps, or without any, is refused in one line
      assertThatThrownBy(() -> d.anomalyMaps(org.maha.api.FittedModel.load(mapsModel),
          org.maha.api.Images.folder(test))).isInstanceOf(org.maha.api.MahaException.class)
          .hasMessageContaining("FittedModel.loadWithMaps");
      Path plain = dir.resolve("api-plain.maha");
      model.withoutMaps().save(plain);
      assertThat(org.maha.pipeline.MapModelFile.read(plain).maps()).isNull();
      assertThatThrownBy(() -> org.maha.api.FittedModel.loadWithMaps(plain))
          .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining("has no anomaly maps");
      assertThatThrownBy(() -> org.maha.api.FittedModel.loadWithMaps(Files.readAllBytes(plain), "the upload"))
          .isInstanceOf(org.maha.api.MahaException.class).hasMessageContaining("the upload")
          .hasMessageContaining("has no anomaly maps");
      // saving a model read with its maps keeps them
      Path again = dir.resolve("api-again.maha");
      model.save(again);
      assertThat(org.maha.pipeline.MapModelFile.read(again).maps().gaussians().packedLower())
          .isEqualTo(org.maha.pipeline.MapModelFile.read(mapsModel).maps().gaussians().packedLower());
    }
  }

  @Test
  void mapOptionsWithoutMapsAreRefused() {
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--map-channels",
        "10", "-o", dir.resolve("x.maha").toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("--map-channels: needs --maps");
    var c = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--maps",
        "--map-channels", "5000", "-o", dir.resolve("x.maha").toString(), good.toString());
    assertThat(c.exitCode()).as(c.all()).isEqualTo(2);
    assertThat(c.err()).contains("--map-channels", "1024");
    var f = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--map-float32",
        "-o", dir.resolve("x.maha").toString(), good.toString());
    assertThat(f.exitCode()).as(f.all()).isEqualTo(2);
    assertThat(f.err()).contains("--map-float32: needs --maps");
    assertThat(Files.exists(dir.resolve("x.maha"))).isFalse();
  }

  @Test
  void evaluateReportsPixelMetricsWhereMasksExist() throws Exception {
    Path root = dir.resolve("set");
    org.maha.data.SyntheticInspectionSet.write(root, new org.maha.data.SyntheticInspectionSet.Spec(
        List.of("fabric", "granite"), 64, 8, 3, 2, 7L));
    // granite loses its masks: no pixel metrics for it, a note instead
    try (var walk = Files.walk(root.resolve("granite").resolve("ground_truth"))) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Path out = dir.resolve("eval-out");
    var r = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--variants",
        "mvg", "--maps", "-o", out.toString(), root.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("| category | test images | pixel AUROC | AU-PRO (FPR <= 0.3) |");
    assertThat(r.err()).contains("granite has no ground-truth masks");
    List<String> csv = Files.readAllLines(out.resolve("pixel_metrics.csv"));
    assertThat(csv).hasSize(2);
    assertThat(csv.get(0)).startsWith("category,test_images,pixel_auroc,aupro_0.3");
    String[] row = csv.get(1).split(",");
    assertThat(row[0]).isEqualTo("fabric");
    assertThat(Integer.parseInt(row[1])).isEqualTo(3 + 2 * 4); // good + 2 per defect type
    assertThat(Double.parseDouble(row[2])).isBetween(0.0, 1.0);
    assertThat(Double.parseDouble(row[3])).isBetween(0.0, 1.0);
    assertThat(r.out()).contains("| fabric | 11 | " + String.format(java.util.Locale.ROOT, "%.4f",
        Double.parseDouble(row[2])));

    // report.html shows the overlays of fabric's 6 highest-scoring test images, with the scale's legend
    String report = Files.readString(out.resolve("report.html"));
    assertThat(report).contains("<section id=\"maps\">", "<table id=\"pixel-table\">", "median good pixel");
    assertThat(report.split("data-file=\"figures/maps-fabric_", -1)).hasSize(1 + 6);
    assertThat(report).doesNotContain("figures/maps-granite");
    List<Double> shown = new ArrayList<>();
    for (int rank = 1; rank <= 6; rank++) {
      BufferedImage overlay = ImageIO.read(out.resolve("figures/maps-fabric_" + rank + ".png").toFile());
      assertThat(report).contains("width=\"" + overlay.getWidth() + "\" height=\"" + overlay.getHeight()
          + "\" alt=\"anomaly map of ");
      var caption = java.util.regex.Pattern.compile("#" + rank + ", score ([0-9.e+-]+):").matcher(report);
      assertThat(caption.find()).isTrue();
      shown.add(Double.parseDouble(caption.group(1)));
    }
    assertThat(shown).isSortedAccordingTo(java.util.Comparator.reverseOrder());

    // experiment --maps runs the same pixel evaluation: the same file, and a section of its report
    Path exOut = dir.resolve("experiment-out");
    var e = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--full-train",
        "--experiments", "levels", "--no-cache", "--maps", "-o", exOut.toString(), root.toString());
    assertThat(e.exitCode()).as(e.all()).isZero();
    assertThat(e.err()).contains("granite has no ground-truth masks");
    assertThat(Files.readAllLines(exOut.resolve("pixel_metrics.csv"))).isEqualTo(csv);
    String html = Files.readString(exOut.resolve("experiments.html"));
    String pct = String.format(java.util.Locale.ROOT, "%.2f", 100 * Double.parseDouble(row[2]));
    assertThat(html).contains("<section id=\"pixel-metrics\">", "<table id=\"pixel-metrics-table\">", "<td>fabric</td><td class=\"num\">11</td>"
        + "<td class=\"num\">" + pct + "</td>", "<code>pixel_metrics.csv</code>");
    assertThat(Files.readString(exOut.resolve("experiments.md"))).contains("| fabric | 11 | " + pct + " |");
    // without --maps: no pixel section, no file
    Path plainOut = dir.resolve("experiment-plain");
    var p = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--full-train",
        "--experiments", "levels", "--no-cache", "-o", plainOut.toString(), root.toString());
    assertThat(p.exitCode()).as(p.all()).isZero();
    assertThat(Files.exists(plainOut.resolve("pixel_metrics.csv"))).isFalse();
    assertThat(Files.readString(plainOut.resolve("experiments.html"))).doesNotContain("pixel-metrics");
  }

  /** The maps model with {@code entry} replaced (its checksum in the maps section updated) and the maps edited. */
  static byte[] mapsModelWith(String entry, byte[] replacement, HostileModelTest.ManifestEdit edit)
      throws Exception {
    Map<String, byte[]> e = new LinkedHashMap<>(entries);
    ObjectNode m = (ObjectNode) HostileModelTest.JSON.readTree(e.get("manifest.json"));
    if (entry != null) {
      e.put(entry, replacement);
      ((ObjectNode) m.get("maps").get("entries")).put(entry, Sha256.of(replacement));
    }
    edit.apply((ObjectNode) m.get("maps"));
    byte[] manifest = HostileModelTest.JSON.writeValueAsBytes(m);
    e.put("manifest.json", manifest);
    e.put("manifest.json.sha256", (Sha256.of(manifest) + "\n").getBytes(StandardCharsets.US_ASCII));
    List<Object> flat = new ArrayList<>();
    e.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    return HostileFiles.zip(flat.toArray());
  }

  static void assertRefused(String name, byte[] content, String... fragments) throws Exception {
    Path file = Files.createDirectories(dir.resolve("hostile")).resolve(name);
    Files.write(file, content);
    Path out = dir.resolve("hostile-out-" + name);
    Map<String, String> before = CliProcess.snapshot(dir);
    CliProcess.Result r = CliProcess.run(90, dir, "score", "-m", file.toString(), "--onnx", onnx.toString(), "-q",
        "--maps", out.toString(), good.toString());
    List<String> all = new ArrayList<>(List.of(fragments));
    all.add(file.toString());
    CliProcess.assertCleanRefusal(r, all.toArray(String[]::new));
    assertThat(r.out()).isEmpty();
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void hugeClaimedSizesAreRefusedBeforeInflating() throws Exception {
    // 1024 channels on a 1024 x 1024 grid: 4 TB of factors claimed in a few bytes of manifest
    assertRefused("huge.maha", mapsModelWith(null, null, m -> {
      ((ArrayNode) m.get("levels")).forEach(l -> ((ObjectNode) l).put("height", 1024).put("width", 1024));
      m.put("height", 1024).put("width", 1024);
      ArrayNode ch = m.putArray("channels");
      for (int i = 0; i < 1024; i++) {
        ch.add(i);
      }
    }), "maps", "more than one array holds");
    assertRefused("channels.maha", mapsModelWith(null, null, m -> {
      ArrayNode ch = m.putArray("channels");
      for (int i = 0; i < 2000; i++) {
        ch.add(i);
      }
    }), "maps: keeps 2000 channels");
  }

  @Test
  void badFactorsAndValuesAreRefused() throws Exception {
    NpyArray chol = Npy.read(entries.get("maps/cholesky.npy"));
    double[] zeroDiagonal = chol.data();
    zeroDiagonal[0] = 0;
    assertRefused("diagonal.maha", mapsModelWith("maps/cholesky.npy",
        Npy.toBytes(NpyArray.ofDoubles(zeroDiagonal, chol.shape())), m -> { }), "Cholesky diagonal 0");
    NpyArray mean = Npy.read(entries.get("maps/mean.npy"));
    double[] nan = mean.data();
    nan[3] = Double.NaN;
    assertRefused("nan.maha", mapsModelWith("maps/mean.npy", Npy.toBytes(NpyArray.ofDoubles(nan, mean.shape())),
        m -> { }), "maps/mean.npy holds a non-finite value");
    assertRefused("shape.maha", mapsModelWith("maps/mean.npy", Npy.toBytes(NpyArray.ofDoubles(new double[4], 2, 2)),
        m -> { }), "maps/mean.npy has shape [2, 2]");
    // a changed entry whose checksum was not updated
    byte[] tampered = entries.get("maps/shrinkage.npy").clone();
    tampered[tampered.length - 1] ^= 1;
    List<Object> flat = new ArrayList<>();
    entries.forEach((k, v) -> {
      flat.add(k);
      flat.add(k.equals("maps/shrinkage.npy") ? tampered : v);
    });
    assertRefused("checksum.maha", HostileFiles.zip(flat.toArray()), "maps/shrinkage.npy does not match");
  }

}
