package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FitOptions#withInt8}: a model fitted through the int8 graph records its calibration, and every later use
 * (a saved and reloaded model, another detector of the same file, an update, a calibration) runs that same graph.
 */
class DetectorInt8Test {
  @TempDir Path dir;

  private static Detector.Builder tiny() throws Exception {
    return Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").threads(1);
  }

  private static double[] scores(Scores s) {
    return s.stream().mapToDouble(Score::score).toArray();
  }

  @Test
  void anInt8ModelScoresThroughTheSameGraphAfterSavingInAnotherDetectorAndDiffersFromFloat() throws Exception {
    List<byte[]> train = ApiFixtures.pngs(1, 12);
    List<byte[]> test = ApiFixtures.pngs(100, 6);
    Path file = dir.resolve("int8.maha");
    double[] inProcess;
    double[] floatScores;
    try (Detector d = tiny().build()) {
      FittedModel m = d.fit(Images.encoded(train), FitOptions.defaults().withInt8(Images.encoded(train.subList(0,
          4))));
      assertThat(m.int8()).hasValueSatisfying(s -> assertThat(s).startsWith("int8, ").endsWith("on 4 images"));
      assertThat(m.backboneSha256()).as("the float file's, which the int8 graph is rebuilt from")
          .isEqualTo(d.fit(Images.encoded(train)).backboneSha256());
      inProcess = scores(d.scoreAll(m, Images.encoded(test)));
      m.save(file);
      FittedModel f = d.fit(Images.encoded(train));
      assertThat(f.int8()).isEmpty();
      floatScores = scores(d.scoreAll(f, Images.encoded(test)));
    }
    assertThat(inProcess).as("int8 computes other features than float32").isNotEqualTo(floatScores);
    for (int i = 0; i < inProcess.length; i++) {
      assertThat(inProcess[i]).isFinite().isPositive();
    }
    try (Detector other = tiny().build()) {
      FittedModel loaded = FittedModel.load(file);
      assertThat(loaded.int8()).isPresent();
      other.checkCompatible(loaded);
      assertThat(scores(other.scoreAll(loaded, Images.encoded(test))))
          .as("the rebuilt int8 graph gives the same scores to the last bit").containsExactly(inProcess);
    }
    try (ZipFile z = new ZipFile(file.toFile())) {
      JsonNode m = new ObjectMapper().readTree(z.getInputStream(z.getEntry("manifest.json")));
      assertThat(m.path("formatVersion").asInt()).as("int8 models need a maha that reads them").isEqualTo(3);
      JsonNode q = m.path("backbone").path("int8");
      assertThat(q.path("calibrationImages").asInt()).isEqualTo(4);
      assertThat(q.path("graphSha256").asText()).matches("[0-9a-f]{64}")
          .isNotEqualTo(m.path("backbone").path("onnxSha256").asText());
      assertThat(q.path("ranges").size()).isPositive();
    }
  }

  @Test
  void anUpdateThroughTheInt8GraphEqualsOneFitOnAllImagesAndCalibrationKeepsTheGraph() throws Exception {
    List<byte[]> first = ApiFixtures.pngs(1, 8);
    List<byte[]> second = ApiFixtures.pngs(20, 8);
    List<byte[]> all = new java.util.ArrayList<>(first);
    all.addAll(second);
    Images calibration = Images.encoded(first.subList(0, 4));
    List<byte[]> test = ApiFixtures.pngs(100, 4);
    try (Detector d = tiny().build()) {
      FittedModel whole = d.fit(Images.encoded(all), FitOptions.defaults().withInt8(calibration));
      FittedModel part = d.fit(Images.encoded(first), FitOptions.defaults().withInt8(calibration));
      FittedModel updated = d.update(part, Images.encoded(second));
      assertThat(updated.int8()).isEqualTo(whole.int8());
      double[] a = scores(d.scoreAll(whole, Images.encoded(test)));
      double[] b = scores(d.scoreAll(updated, Images.encoded(test)));
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).isCloseTo(a[i], org.assertj.core.api.Assertions.within(1e-9 * Math.abs(a[i])));
      }
      FittedModel calibrated = d.calibrate(whole, Images.encoded(ApiFixtures.pngs(50, 6)), 0.2);
      assertThat(calibrated.int8()).isEqualTo(whole.int8());
      assertThat(scores(d.scoreAll(calibrated, Images.encoded(test)))).containsExactly(a);
    }
  }

  @Test
  void int8IsRefusedWhereItCannotApplyAndNamesWhatIsWrong() throws Exception {
    List<byte[]> train = ApiFixtures.pngs(1, 6);
    try (Detector d = tiny().build()) {
      FitStatistics stats = d.accumulate(Images.encoded(train));
      FitOptions int8 = FitOptions.defaults().withInt8(Images.encoded(train));
      assertThat(int8.fitsFromStatistics()).isFalse();
      assertThatThrownBy(() -> d.fit(stats, int8)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("int8 applies when images are read");
      assertThatThrownBy(() -> d.fit(Images.encoded(train), FitOptions.defaults().withInt8(
          Images.encoded(List.of(new byte[] {1, 2, 3}))))).isInstanceOf(MahaException.class)
          .hasMessageContaining("frame-0: not a PNG");
      // a stream of calibration images is refused after 257, not held whole; a list before any is read
      List<byte[]> many = ApiFixtures.pngs(1000, 300);
      assertThatThrownBy(() -> d.fit(Images.encoded(train), FitOptions.defaults().withInt8(
          Images.streamEncoded(many.stream())))).isInstanceOf(MahaException.class)
          .hasMessageContaining("more than 256 calibration images");
      assertThatThrownBy(() -> d.fit(Images.encoded(train), FitOptions.defaults().withInt8(Images.encoded(many))))
          .hasMessageContaining("300 calibration images").hasMessageContaining("at most 256");
    }
    // a model of the int8 graph of one file is refused by a detector of another file, before any rebuild
    FittedModel m;
    try (Detector d = tiny().build()) {
      m = d.fit(Images.encoded(train), FitOptions.defaults().withInt8(Images.encoded(train.subList(0, 2))));
    }
    try (Detector other = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "pooled").build()) {
      assertThatThrownBy(() -> other.checkCompatible(m)).isInstanceOf(MahaException.class)
          .hasMessageContaining("levels");
    }
  }
}
