package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maha.backbone.BackboneSpec;
import org.maha.image.Normalization;
import org.maha.stats.ChiSquare;

class ThresholdReliabilityTest {
  static final BackboneSpec SPEC = new BackboneSpec("toy", "ab".repeat(32), "input", 32, Normalization.IMAGENET,
      List.of("a"), List.of(20));

  private static double[][] gaussian(int n, SplittableRandom r) {
    double[][] x = new double[n][20];
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = r.nextGaussian() * (1 + j);
      }
    }
    return x;
  }

  private static GaussianAdFitter fitter(Variant v, double[][] rows) {
    GaussianAdFitter f = new GaussianAdFitter(SPEC, "toy.onnx", v);
    for (double[] row : rows) {
      f.add(new double[][] {row});
    }
    return f;
  }

  /** Share of fresh normal vectors beyond the model's 2σ χ² threshold (predicted: 4.55 %). */
  private static double falseAlarms(GaussianAdModel m, SplittableRandom r) {
    double t = m.chiSquareThresholds(2)[0];
    int above = 0;
    double[][] fresh = gaussian(4000, r);
    for (double[] x : fresh) {
      above += m.score(new double[][] {x}).levelDistance(0) > t ? 1 : 0;
    }
    return (double) above / fresh.length;
  }

  @Test
  void fewImagesGiveManyFalseAlarmsAndAWarningEnoughImagesDoNot() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    long needed = ChiSquare.minimumSampleSize(20);
    GaussianAdFitter few = fitter(new Variant.Mvg(), gaussian(10, r));
    GaussianAdModel weak = few.fit("few");
    GaussianAdFitter many = fitter(new Variant.Mvg(), gaussian((int) needed * 4, r));
    GaussianAdModel strong = many.fit("many");

    // the rule's reason, measured: 10 images against 20 dimensions flag several times the predicted 4.55 %
    // (Ledoit-Wolf shrinkage softens the plug-in inflation, but not enough)
    assertThat(falseAlarms(weak, r)).isGreaterThan(3 * ChiSquare.predictedFalsePositiveRate(2));
    assertThat(falseAlarms(strong, r)).isLessThan(2 * ChiSquare.predictedFalsePositiveRate(2));

    assertThat(ThresholdReliability.weakLevels(weak))
        .containsExactly(new ThresholdReliability.WeakLevel("a", 10, 20, needed));
    assertThat(few.warnings()).singleElement().asString()
        .contains("N = 10", "D = 20", "--calibrate", "--augment", "false alarms");
    assertThat(ThresholdReliability.sigmaWarning(weak, "m.maha")).get().asString()
        .contains("m.maha", "N = 10", "--sigma", "--calibrate");

    assertThat(ThresholdReliability.weakLevels(strong)).isEmpty();
    assertThat(many.warnings()).isEmpty();
    assertThat(ThresholdReliability.sigmaWarning(strong, "m.maha")).isEmpty();
  }

  @Test
  void baselinesWithoutChiSquareThresholdsNeverWarn() throws Exception {
    SplittableRandom r = new SplittableRandom(4);
    for (Variant v : List.of(new Variant.L2(), new Variant.Sed())) {
      GaussianAdFitter f = fitter(v, gaussian(5, r));
      assertThat(ThresholdReliability.weakLevels(f.fit("few"))).isEmpty();
      assertThat(f.warnings()).isEmpty();
    }
  }

  @Test
  void projectedLevelsAreJudgedByTheComponentsTheyKeep() throws Exception {
    GaussianAdModel m = fitter(Variant.parse("pca:0.5"), gaussian(30, new SplittableRandom(5))).fit("pca");
    LevelModel.Projected p = (LevelModel.Projected) m.levels().get(0);
    int k = p.chiSquareDof();
    assertThat(k).isLessThan(20);
    assertThat(ThresholdReliability.weakLevels(m).isEmpty()).isEqualTo(30 >= ChiSquare.minimumSampleSize(k));
  }
}
