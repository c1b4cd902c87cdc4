package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
