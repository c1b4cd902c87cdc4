package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maha.stats.Pca;
import org.maha.stats.PcaFit;

class LevelFitterTest {

  /** rows with per-feature scales; a scale of 0 makes a dead (constant) feature. */
  static double[][] rows(int n, double[] scales, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][scales.length];
    for (double[] row : x) {
      for (int j = 0; j < scales.length; j++) {
        row[j] = 1 + scales[j] * r.nextGaussian();
      }
    }
    return x;
  }

  @Test
  void followsTheOfficialRuleInTheRegularCase() {
    double[][] x = rows(200, new double[] {10, 5, 3, 1, 0.5, 0.2, 0.1}, 1);
    PcaFit pca = Pca.fit(x);
    List<String> w = new ArrayList<>();
    for (double t : new double[] {0.9, 0.99, 0.999}) {
      for (boolean neg : new boolean[] {false, true}) {
        int[] official = Pca.selectComponents(pca.explainedVarianceRatio(), t, neg);
        assertThat(LevelFitter.keptComponents(pca, new Variant.Pca(t, neg), 200, "L", w)).containsExactly(official);
      }
    }
    assertThat(w).isEmpty();
  }

  @Test
  void npcaKeepsAllComponentsWhenTheFirstAloneExceedsTheThreshold() {
    double[][] x = rows(200, new double[] {1000, 1, 1, 1}, 2);
    PcaFit pca = Pca.fit(x);
    assertThat(pca.explainedVarianceRatio()[0]).isGreaterThan(0.99);
    // the official slice [c-1:] with c = 0 keeps only the last component
    assertThat(Pca.selectComponents(pca.explainedVarianceRatio(), 0.99, true)).containsExactly(3, 4);
    List<String> w = new ArrayList<>();
    assertThat(LevelFitter.keptComponents(pca, new Variant.Pca(0.99, true), 200, "L0", w)).containsExactly(0, 4);
    assertThat(w).singleElement().asString().contains("L0", "first principal component");
  }

  @Test
  void dropsNumericallyNullComponents() {
    double[][] x = rows(100, new double[] {3, 2, 1, 0, 0}, 3);
    PcaFit pca = Pca.fit(x);
    List<String> w = new ArrayList<>();
    int[] kept = LevelFitter.keptComponents(pca, new Variant.Pca(0.5, true), 100, "L3", w);
    assertThat(kept[1]).isEqualTo(3);
    assertThat(w).anyMatch(s -> s.contains("2 numerically null"));
  }

  @Test
  void theOfficialRuleKeepsTheOfficialSliceNullComponentsIncluded() {
    double[][] x = rows(100, new double[] {3, 2, 1, 0, 0}, 3);
    PcaFit pca = Pca.fit(x);
    List<String> w = new ArrayList<>();
    Variant.Pca official = (Variant.Pca) Variant.parse("npca-official:0.9");
    assertThat(official).isEqualTo(new Variant.Pca(0.9, true, Variant.PcaRule.OFFICIAL));
    assertThat(official.id()).isEqualTo("npca-official:0.9");
    int[] slice = Pca.selectComponents(pca.explainedVarianceRatio(), 0.9, true);
    assertThat(slice[1]).isEqualTo(5);
    assertThat(LevelFitter.keptComponents(pca, official, 100, "L3", w)).containsExactly(slice);
    assertThat(w).isEmpty();
    // maha's rule leaves the two null components out
    assertThat(LevelFitter.keptComponents(pca, new Variant.Pca(0.9, true), 100, "L3", w))
        .containsExactly(slice[0], 3);
  }

  @Test
  void theOfficialRuleKeepsOnlyTheLastComponentWhenTheFirstExceedsTheThreshold() {
    double[][] x = rows(200, new double[] {1000, 1, 1, 1}, 2);
    PcaFit pca = Pca.fit(x);
    List<String> w = new ArrayList<>();
    assertThat(LevelFitter.keptComponents(pca, new Variant.Pca(0.99, true, Variant.PcaRule.OFFICIAL), 200, "L0", w))
        .containsExactly(3, 4);
    assertThat(w).singleElement().asString().contains("L0", "npca-official:0.99", "only the last");
  }

  /**
   * Official slice, c = 0, the last component a dead channel: the official code's pinvh of the zero covariance
   * gives distance 0; maha's rule keeps the live component instead. (The experiment's official run stopped here.)
   */
  @Test
  void anOfficialSubspaceWithoutVarianceScoresZeroLikePinvh() throws Exception {
    double[][] x = new double[10][];
    for (int i = 0; i < x.length; i++) {
      x[i] = new double[] {i * 0.5, 0};
    }
    List<String> w = new ArrayList<>();
    LevelModel official = LevelFitter.fitRows(Variant.parse("npca-official:0.99"), x, "L0", w);
    assertThat(official).isEqualTo(new LevelModel.Zero(2, 10));
    assertThat(official.distance(new double[] {7, 3})).isZero();
    assertThat(w).anyMatch(s -> s.contains("L0") && s.contains("distance is 0"));
    LevelModel maha = LevelFitter.fitRows(Variant.parse("npca:0.99"), x, "L0", new ArrayList<>());
    assertThat(maha).isInstanceOf(LevelModel.Projected.class);
    assertThat(maha.distance(new double[] {7, 3})).isPositive();
  }
}
