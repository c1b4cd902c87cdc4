package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.maha.data.KFold;
import org.maha.stats.ChiSquare;
import org.maha.stats.Pca;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigmaTableTest {
  private static final int[] DIMS = {6, 5};

  @Test
  void pcaVariantsUseTheComponentsEachFoldKeptAsDegreesOfFreedom(@TempDir Path root) throws Exception {
    List<double[][]> train = SyntheticFeatures.train(30, 5, DIMS);
    CategoryFeatures f = SyntheticFeatures.category(root, "a", train, 15, 6, DIMS, null, List.of());
    Evaluation.Protocol protocol = Evaluation.Protocol.paper();
    EvaluationReport r = Experiments.evaluate(SyntheticFeatures.spec(DIMS), List.of(f), List.of("npca:0.99", "l2"),
        protocol, "x.onnx");
    int level = 1;
    List<Experiments.SigmaCount> counts = Experiments.sigmaCounts(r, "npca:0.99", level);
    int[][] heldOut = KFold.heldOut(30, 5, 0);
    assertThat(counts).hasSize(5 * Experiments.SIGMAS.length);
    for (Experiments.SigmaCount c : counts) {
      // independent: the components NPCA keeps on this fold's fit rows
      double[][] rows = f.fitRows(Evaluation.complement(30, heldOut[c.fold()]))[level];
      int[] range = Pca.selectComponents(Pca.fit(rows).explainedVarianceRatio(), 0.99, true);
      assertThat(c.dof()).isEqualTo(range[1] - range[0]).isLessThan(DIMS[level]);
      assertThat(c.threshold()).isCloseTo(ChiSquare.thresholdDistance(c.dof(), c.sigma()), within(1e-12));
      long fp = r.categories().get(0).variants().get(0).folds().get(c.fold()).images().stream()
          .filter(im -> !im.anomalous() && im.levelDistances()[level] > c.threshold()).count();
      assertThat(c.goodAbove()).isEqualTo((int) fp);
    }
    assertThatThrownBy(() -> Experiments.sigmaCounts(r, "l2", level))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Mahalanobis");
  }

  /** An official-slice fold whose level kept only a dead channel scores 0 there: it flags nothing, and counts. */
  @Test
  void aFoldWithoutVarianceAtTheLevelFlagsNothing(@TempDir Path root) throws Exception {
    int[] dims = {2};
    List<double[][]> train = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      train.add(new double[][] {{i * 0.5, 0}});
    }
    CategoryFeatures f = SyntheticFeatures.category(root, "a", train, 5, 6, dims, null, List.of());
    EvaluationReport r = Experiments.evaluate(SyntheticFeatures.spec(dims), List.of(f),
        List.of("npca-official:0.99"), Evaluation.Protocol.paper(), "x.onnx");
    List<Experiments.SigmaCount> counts = Experiments.sigmaCounts(r, "npca-official:0.99", 0);
    assertThat(counts).hasSize(5 * Experiments.SIGMAS.length)
        .allSatisfy(c -> assertThat(c.dof()).isZero())
        .allSatisfy(c -> assertThat(c.goodAbove() + c.defectiveAbove()).isZero());
    assertThat(Experiments.sigmaTable(r, "npca-official:0.99", 0))
        .allSatisfy(row -> assertThat(row.fpr().mean()).isZero());
  }
}
