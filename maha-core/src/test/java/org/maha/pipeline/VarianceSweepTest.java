package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.model.Variant;

class VarianceSweepTest {
  private static final int[] DIMS = {6, 4};

  @Test
  void eachSweepPointEqualsTheFoldAveragedAurocOfThatPcaVariant(@TempDir Path root) throws Exception {
    List<CategoryFeatures> cats = List.of(
        SyntheticFeatures.category(root, "a", SyntheticFeatures.train(30, 1, DIMS), 15, 2, DIMS, null, List.of()),
        SyntheticFeatures.category(root, "b", SyntheticFeatures.train(25, 3, DIMS), 12, 4, DIMS, null, List.of()));
    Evaluation.Protocol protocol = Evaluation.Protocol.paper();
    List<Experiments.SweepPoint> sweep = Experiments.varianceSweep(cats, protocol);
    assertThat(sweep).hasSize(2 * Experiments.SWEEP.length);
    int checked = 0;
    for (Experiments.SweepPoint p : sweep) {
      if (p.threshold() != 0.9 && p.threshold() != 0.99) {
        continue;
      }
      String variant = (p.negated() ? "npca:" : "pca:") + p.threshold();
      EvaluationReport r = Experiments.evaluate(SyntheticFeatures.spec(DIMS), cats, List.of(variant), protocol,
          "x.onnx");
      for (int c = 0; c < cats.size(); c++) {
        // the report's combined AUROC is already the mean over the category's 5 folds
        assertThat(p.categoryAuroc().get(c)).as(variant + " " + c)
            .isCloseTo(r.categories().get(c).variants().get(0).combinedAuroc(), within(1e-12));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(8);
    // low-variance components carry the shift: NPCA beats PCA at t = 0.9
    double pca = sweep.stream().filter(p -> !p.negated() && p.threshold() == 0.9).findFirst().orElseThrow()
        .auroc().mean();
    double npca = sweep.stream().filter(p -> p.negated() && p.threshold() == 0.9).findFirst().orElseThrow()
        .auroc().mean();
    assertThat(npca).isGreaterThan(pca);
  }

  /**
   * Fewer fit vectors than dimensions, one dominant direction: the PCA of every fold has a null last component and
   * a first component holding more than half of the variance. Each rule's sweep must equal the PCA table's variant
   * of that rule (the sweep used the official slice while the table used maha's rule), and the points that keep a
   * single component must be counted.
   */
  @Test
  void sweepUsesTheRunsRuleAndCountsSingleComponents(@TempDir Path root) throws Exception {
    int[] dims = {12};
    java.util.SplittableRandom rng = new java.util.SplittableRandom(8);
    List<double[][]> train = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      double[] v = new double[12];
      for (int j = 0; j < v.length; j++) {
        v[j] = rng.nextGaussian() * (j == 0 ? 10 : 1);
      }
      train.add(new double[][] {v});
    }
    List<CategoryFeatures> cats = List.of(SyntheticFeatures.category(root, "a", train, 10, 6, dims, null, List.of()));
    Evaluation.Protocol protocol = Evaluation.Protocol.paper();
    List<Experiments.SweepPoint> maha = Experiments.varianceSweep(cats, protocol, Variant.PcaRule.MAHA);
    List<Experiments.SweepPoint> official = Experiments.varianceSweep(cats, protocol, Variant.PcaRule.OFFICIAL);
    boolean differ = false;
    for (List<Experiments.SweepPoint> sweep : List.of(maha, official)) {
      for (Experiments.SweepPoint p : sweep) {
        if (p.threshold() != 0.5 && p.threshold() != 0.99) {
          continue;
        }
        String variant = p.method() + ":" + p.threshold();
        EvaluationReport r = Experiments.evaluate(SyntheticFeatures.spec(dims), cats, List.of(variant), protocol,
            "x.onnx");
        assertThat(p.categoryAuroc().get(0)).as(variant)
            .isCloseTo(r.categories().get(0).variants().get(0).combinedAuroc(), within(1e-12));
      }
    }
    for (int i = 0; i < maha.size(); i++) {
      differ |= !maha.get(i).categoryAuroc().equals(official.get(i).categoryAuroc());
    }
    assertThat(differ).as("the null components make the rules differ").isTrue();

    Experiments.SweepPoint officialNpca = point(official, true, 0.5);
    assertThat(officialNpca.method()).isEqualTo("npca-official");
    assertThat(officialNpca.levelFits()).isEqualTo(5); // 5 folds × 1 level
    // c = 0: the official slice keeps only the last component, null since every fold has ≤ 7 vectors in 12 dims
    assertThat(officialNpca.singleComponentFits()).isEqualTo(5);
    assertThat(officialNpca.nullSingleFits()).isEqualTo(5);
    // maha's rule keeps every component then, minus the null one
    assertThat(point(maha, true, 0.5).singleComponentFits()).isZero();
    // PCA keeps the first component alone under both rules, and it is not null
    assertThat(point(maha, false, 0.5).singleComponentFits()).isEqualTo(5);
    assertThat(point(maha, false, 0.5).nullSingleFits()).isZero();
  }

  private static Experiments.SweepPoint point(List<Experiments.SweepPoint> sweep, boolean negated, double t) {
    return sweep.stream().filter(p -> p.negated() == negated && p.threshold() == t).findFirst().orElseThrow();
  }
}
