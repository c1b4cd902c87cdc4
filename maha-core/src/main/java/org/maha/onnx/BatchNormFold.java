package org.maha.onnx;

import java.util.Arrays;
import org.maha.weights.Tensor;

/**
 * Folds an inference-mode BatchNorm into the convolution before it, so the graph has one Conv (with bias) where
 * PyTorch has Conv + BatchNorm: per output channel o, with s = γ[o] / √(var[o] + eps),
 * {@code w'[o] = w[o]·s} and {@code b'[o] = (b[o] − mean[o])·s + β[o]} (b = 0 for a conv without bias).
 *
 * <p>Computed in float64 and rounded once to float32, so the folded weights are the float32 values nearest to the
 * exact fold; PyTorch's unfused float32 evaluation differs from them by a few ulps per layer.
 */
public final class BatchNormFold {

  private BatchNormFold() {}

  /** A convolution's weight and bias after folding. */
  public record FoldedConv(Tensor weight, Tensor bias) {}

  /**
   * @param weight conv weight {@code [O, ...]}. Not modified.
   * @param bias   conv bias {@code [O]}, or {@code null}. Not modified.
   * @param gamma  BN weight {@code [O]}; beta, mean, var likewise. Not modified.
   * @param eps    BN epsilon (1e-5 in torchvision's ResNets)
   * @return new tensors named like the conv's weight, and its weight name with {@code .weight} replaced by
   *         {@code .bias}
   * @throws IllegalArgumentException when a BN tensor is not {@code [O]}, or a variance + eps is not positive
   */
  public static FoldedConv fold(Tensor weight, Tensor bias, Tensor gamma, Tensor beta, Tensor mean, Tensor var,
      double eps) {
    int o = weight.dim(0);
    for (Tensor t : new Tensor[] {gamma, beta, mean, var, bias}) {
      if (t != null && (t.rank() != 1 || t.dim(0) != o)) {
        throw new IllegalArgumentException(t.name() + ": expected shape [" + o + "] to match " + weight.name()
            + " " + Arrays.toString(weight.shape()) + ", found " + Arrays.toString(t.shape()));
      }
    }
    int per = weight.numel() / o;
    // data() may copy (org.maha.weights.Tensor does): read each array once
    float[] w = weight.data();
    float[] g = gamma.data();
    float[] be = beta.data();
    float[] mu = mean.data();
    float[] v = var.data();
    float[] b0 = bias == null ? null : bias.data();
    float[] wOut = new float[w.length];
    float[] bOut = new float[o];
    for (int c = 0; c < o; c++) {
      double denominator = (double) v[c] + eps;
      if (!(denominator > 0)) {
        throw new IllegalArgumentException(var.name() + "[" + c + "] + eps = " + denominator
            + ": a running variance must make var + eps positive");
      }
      double scale = g[c] / Math.sqrt(denominator);
      for (int k = c * per; k < (c + 1) * per; k++) {
        wOut[k] = (float) (w[k] * scale);
      }
      double b = b0 == null ? 0.0 : b0[c];
      bOut[c] = (float) ((b - mu[c]) * scale + be[c]);
    }
    String name = weight.name();
    String biasName = name.endsWith(".weight") ? name.substring(0, name.length() - 7) + ".bias" : name + ".bias";
    return new FoldedConv(new Tensor(name, weight.shape(), wOut), new Tensor(biasName, new int[] {o}, bOut));
  }
}
