package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.files.Sha256;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;

/**
 * A calibrated model keeps its calibration scores for split-conformal p-values: the formula against a brute-force
 * count, the scores through a model file, files written before the scores were kept, and hostile score entries.
 */
class CalibrationScoresTest {
  @TempDir Path dir;

  /** Brute force: (1 + #{s_i >= x}) / (n + 1), counting every element. */
  static double bruteForce(double[] scores, double x) {
    int atLeast = 0;
    for (double s : scores) {
      if (s >= x) {
        atLeast++;
      }
    }
    return (1.0 + atLeast) / (scores.length + 1.0);
  }

  @Test
  void pValueIsTheConformalFractionIncludingTies() {
    SplittableRandom r = new SplittableRandom(7);
    for (int n : new int[] {1, 2, 5, 19, 64, 201}) {
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        scores[i] = r.nextInt(8) * 0.5; // few distinct values: many ties
      }
      Calibration c = new Calibration(1.0, 0.1, n, n >= 9, "cal", scores);
      for (double x = -1; x <= 5; x += 0.25) { // every calibration value exactly, between them, and beyond
        assertThat(c.pValue(x).orElseThrow()).as("n %d, score %s", n, x).isEqualTo(bruteForce(scores, x));
      }
      for (double s : scores) {
        assertThat(c.pValue(s).orElseThrow()).isEqualTo(bruteForce(scores, s));
      }
      assertThat(c.pValue(Double.POSITIVE_INFINITY).orElseThrow()).isEqualTo(1.0 / (n + 1));
      assertThat(c.pValue(Double.NEGATIVE_INFINITY).orElseThrow()).isEqualTo(1.0);
      assertThat(c.pValue(Double.NaN).orElseThrow()).isEqualTo(1.0 / (n + 1));
    }
  }

  @Test
  void scoresAreSortedCopiesAndMustMatchN() {
    double[] given = {3, 1, 2};
    Calibration c = new Calibration(3, 0.5, 3, true, "cal", given);
    given[0] = -100;
    assertThat(c.sortedScores()).containsExactly(1, 2, 3);
    c.sortedScores()[0] = 99;
    assertThat(c.sortedScores()).containsExactly(1, 2, 3);
    assertThat(c).isEqualTo(new Calibration(3, 0.5, 3, true, "cal", new double[] {2, 3, 1}));
    assertThat(new Calibration(3, 0.5, 3, true, "cal").pValue(1)).isEmpty();
    assertThatThrownBy(() -> new Calibration(3, 0.5, 4, true, "cal", new double[] {1, 2, 3}))
        .hasMessageContaining("3 calibration scores, n 4");
    assertThatThrownBy(() -> new Calibration(3, 0.5, 2, true, "cal", new double[] {1, Double.NaN}))
        .hasMessageContaining("NaN");
  }

  private static GaussianAdModel calibrated(boolean keepScores) throws Exception {
    GaussianAdModel m = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(30, 42));
    double[][][] cal = ModelFileTest.features(9, 43);
    double[] s = new double[cal.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = m.score(cal[i]).score();
    }
    double t = Collections.max(java.util.Arrays.stream(s).boxed().toList());
    return m.withCalibration(keepScores ? new Calibration(t, 0.2, 9, true, "cal/", s)
        : new Calibration(t, 0.2, 9, true, "cal/"));
  }

  @Test
  void scoresRoundTripThroughTheModelFileAsPlainNpy() throws Exception {
    GaussianAdModel m = calibrated(true);
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    GaussianAdModel back = ModelFile.read(file);
    assertThat(back.calibration()).isEqualTo(m.calibration());
    for (double[][] x : ModelFileTest.features(10, 5)) {
      double score = back.score(x).score();
      assertThat(back.calibration().pValue(score)).isEqualTo(m.calibration().pValue(score));
    }
    try (ZipFile z = new ZipFile(file.toFile())) {
      JsonNode manifest = new ObjectMapper().readTree(z.getInputStream(z.getEntry("manifest.json")));
      assertThat(manifest.path("formatVersion").asInt()).isEqualTo(ModelFile.FLOAT_VERSION);
      String path = manifest.path("calibration").path("scores").asText();
      NpyArray a = Npy.read(z.getInputStream(z.getEntry(path)).readAllBytes());
      assertThat(a.shape()).containsExactly(9);
      assertThat(a.data()).containsExactly(m.calibration().sortedScores());
    }
  }

  @Test
  void aCalibrationWithoutScoresIsWrittenAndReadWithoutPValues() throws Exception {
    Path file = dir.resolve("old.maha");
    ModelFile.write(calibrated(false), file);
    GaussianAdModel back = ModelFile.read(file);
    assertThat(back.calibration().keepsScores()).isFalse();
    assertThat(back.calibration().pValue(1.0)).isEmpty();
    try (ZipFile z = new ZipFile(file.toFile())) {
      assertThat(z.getEntry(ModelFile.CALIBRATION_SCORES)).isNull();
    }
  }

  /** Written by maha before calibration scores were kept (commit 68d1a32): threshold, no scores. */
  @Test
  void aCalibratedFileFromBeforeTheScoresLoadsWithItsThresholdAndNoPValues() throws Exception {
    Path file = dir.resolve("golden.maha");
    try (InputStream in = getClass().getResourceAsStream(GoldenModelFileTest.DIR + "golden-v1-calibrated-mvg.maha")) {
      Files.copy(in, file);
    }
    GaussianAdModel m = ModelFile.read(file);
    assertThat(m.calibration().threshold()).isEqualTo(2.5644743762556907);
    assertThat(m.calibration().n()).isEqualTo(9);
    assertThat(m.calibration().keepsScores()).isFalse();
    assertThat(m.calibration().pValue(2.0)).isEmpty();
  }

  /** The file's entries with {@code entry} replaced and the manifest edited, checksums updated to match. */
  private Path edited(String name, String entry, byte[] content, Consumer<ObjectNode> edit) throws Exception {
    Path good = dir.resolve("good.maha");
    ModelFile.write(calibrated(true), good);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(good.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        entries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(entries.get("manifest.json"));
    if (content != null) {
      entries.put(entry, content);
      ((ObjectNode) manifest.get("entries")).put(entry, Sha256.of(content));
    }
    edit.accept(manifest);
    byte[] mb = json.writeValueAsBytes(manifest);
    entries.put("manifest.json", mb);
    entries.put("manifest.json.sha256", (Sha256.of(mb) + "\n").getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return Files.write(dir.resolve(name), out.toByteArray());
  }

  @Test
  void hostileCalibrationScoresAreRefusedNamingTheProblem() throws Exception {
    String path = ModelFile.CALIBRATION_SCORES;
    double[] ten = new double[10];
    assertThatThrownBy(() -> ModelFile.read(edited("count.maha", path, Npy.toBytes(NpyArray.ofDoubles(ten, 10)),
        m -> { }))).isInstanceOf(ModelFileException.class).hasMessageContaining("count.maha")
        .hasMessageContaining("calibration/scores.npy");
    double[] nan = new double[9];
    nan[4] = Double.NaN;
    assertThatThrownBy(() -> ModelFile.read(edited("nan.maha", path, Npy.toBytes(NpyArray.ofDoubles(nan, 9)),
        m -> { }))).isInstanceOf(ModelFileException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> ModelFile.read(edited("shape.maha", path, Npy.toBytes(NpyArray.ofDoubles(nan, 3, 3)),
        m -> { }))).isInstanceOf(ModelFileException.class).hasMessageContaining("calibration scores have shape");
    assertThatThrownBy(() -> ModelFile.read(edited("huge-n.maha", null, null,
        m -> ((ObjectNode) m.get("calibration")).put("n", 2_000_000_000))))
        .isInstanceOf(ModelFileException.class).hasMessageContaining("calibration n is 2000000000");
    assertThatThrownBy(() -> ModelFile.read(edited("missing.maha", null, null,
        m -> ((ObjectNode) m.get("calibration")).put("scores", "calibration/other.npy"))))
        .isInstanceOf(ModelFileException.class).hasMessageContaining("'scores' is missing");
    // a scores entry larger than n float64 is refused while inflating, before it is parsed
    assertThatThrownBy(() -> ModelFile.read(edited("big.maha", path, new byte[1 << 20], m -> { })))
        .isInstanceOf(ModelFileException.class).hasMessageContaining("more than the");
  }
}
