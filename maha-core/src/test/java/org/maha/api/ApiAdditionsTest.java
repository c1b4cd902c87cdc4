package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.image.ImageMemoryException;

/**
 * What a service needs from the API: a model's normalisation, a model read from bytes, a compatibility check that
 * scores nothing, the time of each stage of a call, and a lack of heap reported as a {@link MahaException} that
 * says so.
 */
class ApiAdditionsTest {
  @TempDir Path dir;

  @Test
  void aModelFittedAtMinus1to1NamesItsNormalisationAndIsCheckedWithoutScoring() throws Exception {
    Path onnx = ApiFixtures.tinyCnn();
    FittedModel m;
    try (Detector d = Detector.builder().onnx(onnx).levels("s1", "s2", "pooled").normalization("minus1to1").build()) {
      m = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)), FitOptions.defaults().withCalibration(Images.encoded(ApiFixtures.pngs(200, 6)),
          0.2));
      d.checkCompatible(m);
    }
    assertThat(m.normalization()).isEqualTo("minus1to1");
    assertThat(m.inputSizePx()).isPositive();
    assertThat(m.hasCalibrationScores()).isTrue();
    try (Detector other = Detector.builder().onnx(onnx).levels("s1", "s2", "pooled").build()) {
      assertThatThrownBy(() -> other.checkCompatible(m)).isInstanceOf(MahaException.class)
          .hasMessageContaining("minus1to1");
    }
    try (Detector same = Detector.builder().onnx(onnx).levels("s1", "s2", "pooled")
        .normalization(m.normalization()).build()) {
      same.checkCompatible(m);
    }
  }

  @Test
  void aModelLoadedFromBytesScoresAsTheFileAndBadBytesAreAMahaExceptionNamingThem() throws Exception {
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      FittedModel m = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)));
      assertThat(m.hasCalibrationScores()).isFalse();
      Path file = dir.resolve("m.maha");
      m.save(file);
      byte[] bytes = Files.readAllBytes(file);
      FittedModel fromBytes = FittedModel.load(bytes, "the upload");
      List<Score> a = d.scoreAll(FittedModel.load(file), Images.encoded(ApiFixtures.pngs(300, 3)));
      Scores b = d.scoreAll(fromBytes, Images.encoded(ApiFixtures.pngs(300, 3)));
      assertThat(b.timings().decode()).isPositive();
      assertThat(b.timings().backbone()).isPositive();
      assertThat(b.timings().statistics()).isPositive();
      for (int i = 0; i < a.size(); i++) {
        assertThat(b.get(i).score()).isEqualTo(a.get(i).score());
      }
      assertThatThrownBy(() -> FittedModel.load(java.util.Arrays.copyOf(bytes, bytes.length - 100), "the upload"))
          .isInstanceOf(MahaException.class).hasMessageStartingWith("the upload: ");
    }
  }

  @Test
  void aLackOfHeapForAnImageIsAMahaExceptionThatSaysSo() {
    MahaException e = MahaException.wrap(new ImageMemoryException("a.png: 30000 x 30000 pixels need about 2700 MB"));
    assertThat(e.isInsufficientMemory()).isTrue();
    assertThat(e.getMessage()).startsWith("a.png: 30000 x 30000");
    assertThat(MahaException.wrap(new java.io.IOException("x")).isInsufficientMemory()).isFalse();
  }
}
