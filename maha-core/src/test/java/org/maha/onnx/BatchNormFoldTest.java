package org.maha.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maha.weights.Tensor;

class BatchNormFoldTest {

  private static Tensor t(String name, float... v) {
    return new Tensor(name, new int[] {v.length}, v);
  }

  @Test
  void foldsAHandCheckedExample() {
    // s = gamma / sqrt(var + eps) = {3/2, 0.5/0.5} = {1.5, 1}
    Tensor w = new Tensor("c.weight", new int[] {2, 1, 1, 1}, new float[] {2, -1});
    BatchNormFold.FoldedConv f = BatchNormFold.fold(w, null, t("bn.weight", 3, 0.5f), t("bn.bias", 1, 0),
        t("bn.running_mean", 0.5f, -2), t("bn.running_var", 4, 0.25f), 0.0);
    assertThat(f.weight().data()).containsExactly(3f, -1f);
    assertThat(f.bias().data()).containsExactly(0.25f, 2f); // (0 - 0.5)·1.5 + 1, (0 + 2)·1 + 0
    assertThat(f.weight().name()).isEqualTo("c.weight");
    assertThat(f.bias().name()).isEqualTo("c.bias");
    assertThat(f.weight().shape()).containsExactly(2, 1, 1, 1);
    assertThat(w.data()).as("input not modified").containsExactly(2f, -1f);
  }

  @Test
  void foldedConvEqualsConvThenBatchNorm() {
    SplittableRandom r = new SplittableRandom(3);
    int o = 5;
    int in = 7;
    float[] w = new float[o * in];
    float[] x = new float[in];
    float[][] bn = new float[5][o];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < in; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int c = 0; c < o; c++) {
      bn[0][c] = (float) (0.5 + r.nextDouble());
      bn[1][c] = (float) r.nextGaussian();
      bn[2][c] = (float) r.nextGaussian();
      bn[3][c] = (float) (0.1 + r.nextDouble());
      bn[4][c] = (float) r.nextGaussian(); // conv bias
    }
    double eps = 1e-5;
    BatchNormFold.FoldedConv f = BatchNormFold.fold(new Tensor("w", new int[] {o, in, 1, 1}, w), t("b", bn[4]),
        t("g", bn[0]), t("beta", bn[1]), t("m", bn[2]), t("v", bn[3]), eps);
    for (int c = 0; c < o; c++) {
      double conv = bn[4][c];
      double folded = f.bias().data()[c];
      for (int i = 0; i < in; i++) {
        conv += (double) w[c * in + i] * x[i];
        folded += (double) f.weight().data()[c * in + i] * x[i];
      }
      double reference = (conv - bn[2][c]) / Math.sqrt(bn[3][c] + eps) * bn[0][c] + bn[1][c];
      // only the float32 rounding of the folded weights differs: ~1e-7 relative per term
      assertThat(folded).as("channel %d", c).isCloseTo(reference, within(1e-5));
    }
  }

  @Test
  void rejectsMismatchedBatchNormTensors() {
    Tensor w = new Tensor("layer1.0.conv1.weight", new int[] {2, 1, 1, 1}, new float[2]);
    assertThatThrownBy(() -> BatchNormFold.fold(w, null, t("layer1.0.bn1.weight", 1, 1, 1), t("b", 0, 0),
        t("m", 0, 0), t("v", 1, 1), 1e-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layer1.0.bn1.weight").hasMessageContaining("[2]");
    assertThatThrownBy(() -> BatchNormFold.fold(w, null, t("g", 1, 1), t("b", 0, 0), t("m", 0, 0),
        t("bn.running_var", 1, -1), 1e-5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bn.running_var[1]");
  }
}
