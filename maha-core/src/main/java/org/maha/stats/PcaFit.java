package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * A PCA fit as {@code sklearn.decomposition.PCA(n_components=None)} returns it: the mean, r = min(N, D) unit
 * components as rows (r × D) in order of decreasing variance, the variances λ_k = s_k²/(N − 1) and their ratios
 * λ_k/Σλ. Component signs are arbitrary (sklearn flips them by its own rule); nothing downstream depends on them.
 * Arrays are copied on the way in and out.
 */
public record PcaFit(double[] mean, DMatrixRMaj components, double[] explainedVariance,
    double[] explainedVarianceRatio) {
  public PcaFit {
    int r = explainedVariance.length;
    if (components.numRows != r || components.numCols != mean.length || explainedVarianceRatio.length != r) {
      throw new IllegalArgumentException("expected components " + r + " x " + mean.length + " and " + r
          + " ratios, found " + components.numRows + " x " + components.numCols + " and "
          + explainedVarianceRatio.length);
    }
    mean = mean.clone();
    components = components.copy();
    explainedVariance = explainedVariance.clone();
    explainedVarianceRatio = explainedVarianceRatio.clone();
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public DMatrixRMaj components() {
    return components.copy();
  }

  @Override
  public double[] explainedVariance() {
    return explainedVariance.clone();
  }

  @Override
  public double[] explainedVarianceRatio() {
    return explainedVarianceRatio.clone();
  }
}
