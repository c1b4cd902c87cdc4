package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Detector#update} and {@link FittedModel#merge}: a model plus new images, or models fitted apart, become the
 * model of the union of their images (scores to 1e-10 relative), or are refused in one line.
 */
class UpdateMergeApiTest {
  @TempDir Path dir;

  private static void assertSameScores(List<Score> actual, List<Score> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      double e = expected.get(i).score();
      assertThat(actual.get(i).score()).isCloseTo(e, within(1e-10 * Math.max(1, Math.abs(e))));
    }
  }

  @Test
  void mergeInAnyOrderScoresAsTheFitOfTheUnionAndRecordsTheSources() throws Exception {
    List<byte[]> a = ApiFixtures.pngs(100, 9);
    List<byte[]> b = ApiFixtures.pngs(300, 7);
    List<byte[]> union = new ArrayList<>(a);
    union.addAll(b);
    List<byte[]> probes = ApiFixtures.pngs(900, 4);
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      Path fileA = dir.resolve("a.maha");
      d.fit(Images.encoded(a)).save(fileA);
      FittedModel mb = d.fit(Images.encoded(b), FitOptions.defaults().withCalibration(Images.encoded(ApiFixtures.pngs(500, 6)),
          0.2));
      FittedModel ma = FittedModel.load(fileA);
      List<Score> expected = d.scoreAll(d.fit(Images.encoded(union)), Images.encoded(probes));

      FitResult ab = FittedModel.merge(List.of(ma, mb));
      FitResult ba = FittedModel.merge(List.of(mb, ma));
      for (FitResult r : List.of(ab, ba)) {
        assertThat(r.model().trainingImages()).isEqualTo(union.size());
        assertThat(r.model().threshold()).isEmpty();
        assertThat(r.skipped()).isEmpty();
        assertThat(r.warnings()).anyMatch(w -> w.startsWith("model's calibrated threshold was dropped"));
        assertSameScores(d.scoreAll(r.model(), Images.encoded(probes)), expected);
      }
      assertThat(ab.model().internal().statistics().history())
          .anyMatch(s -> s.action().equals("merge") && fileA.toString().equals(s.modelFile())
              && s.modelSha256() != null);
    }
  }

  @Test
  void unlikeOrOverlappingModelsAreRefusedInOneLineAndFewerThanTwoIsMisuse() throws Exception {
    FittedModel imagenet;
    FittedModel other;
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      imagenet = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)));
    }
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").normalization("minus1to1")
        .build()) {
      other = d.fit(Images.encoded(ApiFixtures.pngs(200, 8)));
    }
    assertThatThrownBy(() -> FittedModel.merge(List.of(imagenet, other))).isInstanceOf(MahaException.class)
        .hasMessageContaining("cannot be merged").hasMessageContaining("normalisation")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThatThrownBy(() -> FittedModel.merge(List.of(imagenet, imagenet))).isInstanceOf(MahaException.class)
        .hasMessageContaining("would count twice");
    assertThatThrownBy(() -> FittedModel.merge(List.of(imagenet))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void updateThenUpdateScoresAsTheFitOfTheUnionAndRecordsTheBaseFile() throws Exception {
    List<byte[]> a = ApiFixtures.pngs(100, 8);
    List<byte[]> b = ApiFixtures.pngs(300, 5);
    List<byte[]> c = ApiFixtures.pngs(600, 4);
    List<byte[]> union = new ArrayList<>(a);
    union.addAll(b);
    union.addAll(c);
    List<byte[]> probes = ApiFixtures.pngs(900, 4);
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      Path fileA = dir.resolve("a.maha");
      d.fit(Images.encoded(a), FitOptions.defaults().withCalibration(Images.encoded(ApiFixtures.pngs(500, 6)), 0.2)).save(fileA);
      FittedModel ma = FittedModel.load(fileA);
      FitResult ab = d.updateWithReport(ma, Images.encoded(b));
      FittedModel abc = d.update(ab.model(), Images.encoded(c));
      assertThat(ab.skipped()).isEmpty();
      assertThat(ab.model().threshold()).isEmpty();
      assertThat(abc.trainingImages()).isEqualTo(union.size());
      assertSameScores(d.scoreAll(abc, Images.encoded(probes)),
          d.scoreAll(d.fit(Images.encoded(union)), Images.encoded(probes)));
      assertThat(abc.internal().statistics().history())
          .anyMatch(s -> s.action().equals("update") && fileA.toString().equals(s.modelFile())
              && s.modelSha256() != null && s.n() == b.size());
      // an update is itself mergeable with a model of other images: still the union
      FittedModel cOnly = d.fit(Images.encoded(c));
      assertSameScores(d.scoreAll(FittedModel.merge(List.of(cOnly, ab.model())).model(), Images.encoded(probes)),
          d.scoreAll(abc, Images.encoded(probes)));
    }
  }

  @Test
  void updateRefusesAPcaModelAModelOfAnotherNormalisationAndUnreadableOnlyImagesInOneLine() throws Exception {
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build();
        Detector other = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").normalization("minus1to1")
            .build()) {
      FittedModel pca = d.fit(Images.encoded(ApiFixtures.pngs(100, 12)), FitOptions.defaults().withVariant("pca:0.99"));
      assertThatThrownBy(pca::checkUpdatable).isInstanceOf(MahaException.class).hasMessageContaining("pca");
      assertThatThrownBy(() -> d.update(pca, Images.encoded(ApiFixtures.pngs(300, 2)))).isInstanceOf(MahaException.class)
          .hasMessageContaining("cannot be updated");
      FittedModel m = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)));
      m.checkUpdatable();
      assertThatThrownBy(() -> other.update(m, Images.encoded(ApiFixtures.pngs(300, 2)))).isInstanceOf(MahaException.class)
          .hasMessageContaining("minus1to1");
      assertThatThrownBy(() -> d.update(m, Images.encoded(List.of(new byte[] {1, 2, 3})).skippingUnreadable()))
          .isInstanceOf(MahaException.class).hasMessageContaining("none of the images to add could be read")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }
}
