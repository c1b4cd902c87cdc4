package org.maha.stats;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * PCA and "negated PCA" (NPCA) of Rippel et al. (PAPER.md §2.3): a full SVD of the centred fit features, then the
 * official component-selection rule. NPCA keeps the components with little variance on normal data, which the
 * paper finds to be the discriminative ones.
 */
public final class Pca {
  private Pca() {}

  /**
   * {@code sklearn.decomposition.PCA(n_components=None).fit(rows)} (full SVD) up to component signs: r = min(N, D)
   * components. Needs N ≥ 2 rows of equal length with finite values.
   */
  public static PcaFit fit(double[][] rows) {
    int n = rows.length;
    if (n < 2) {
      throw new IllegalArgumentException("PCA needs at least 2 rows, found " + n);
    }
    int d = rows[0].length;
    if (d < 1) {
      throw new IllegalArgumentException("PCA needs at least 1 feature, found 0");
    }
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      if (rows[i].length != d) {
        throw new IllegalArgumentException("row " + i + " has length " + rows[i].length + ", expected " + d);
      }
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(rows[i][j])) {
          throw new IllegalArgumentException("row " + i + " value at index " + j + " is not finite: " + rows[i][j]);
        }
        mean[j] += rows[i][j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    DMatrixRMaj centred = new DMatrixRMaj(n, d);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        centred.unsafe_set(i, j, rows[i][j] - mean[j]);
      }
    }
    int r = Math.min(n, d);
    SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(n, d, false, true, true);
    if (!svd.decompose(centred)) {
      throw new IllegalStateException("SVD of the centred " + n + " x " + d + " feature matrix did not converge");
    }
    DMatrixRMaj w = svd.getW(null);
    DMatrixRMaj vt = svd.getV(null, true);
    SingularOps_DDRM.descendingOrder(null, false, w, vt, true);
    DMatrixRMaj components = new DMatrixRMaj(r, d);
    double[] variance = new double[r];
    double total = 0;
    for (int k = 0; k < r; k++) {
      double s = w.get(k, k);
      variance[k] = s * s / (n - 1);
      total += variance[k];
      for (int j = 0; j < d; j++) {
        components.unsafe_set(k, j, vt.get(k, j));
      }
    }
    double[] ratio = new double[r];
    for (int k = 0; k < r; k++) {
      ratio[k] = variance[k] / total;
    }
    return new PcaFit(mean, components, variance, ratio);
  }

  /**
   * The official selection rule ({@code compute_pca}): c = the first k with cumsum(ratio)_k &gt; threshold
   * (strict; numpy's {@code argmax} makes c = 0 when no cumulative sum exceeds it). PCA keeps [0, c] (the
   * high-variance components up to and including the boundary), NPCA keeps [c − 1, r − 1] (two boundary
   * components included) — the official slice {@code [c-1:]}, so c == 0 keeps only the last component; the caller
   * should warn about that case. Returns {fromInclusive, toExclusive}.
   */
  public static int[] selectComponents(double[] explainedVarianceRatio, double threshold, boolean negated) {
    int r = explainedVarianceRatio.length;
    if (r == 0) {
      throw new IllegalArgumentException("need at least 1 explained-variance ratio, found 0");
    }
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("variance threshold must not be NaN");
    }
    int c = 0;
    double cumulative = 0;
    for (int k = 0; k < r; k++) {
      cumulative += explainedVarianceRatio[k];
      if (cumulative > threshold) {
        c = k;
        break;
      }
    }
    if (negated) {
      return new int[] {c == 0 ? r - 1 : c - 1, r};
    }
    return new int[] {0, c + 1};
  }

  /** z = (x − mean) Wᵀ for the component rows [from, to) of W; nothing is modified. */
  public static double[] project(double[] x, double[] mean, DMatrixRMaj components, int from, int to) {
    int d = mean.length;
    if (x.length != d || components.numCols != d) {
      throw new IllegalArgumentException("x (" + x.length + "), mean (" + d + ") and component columns ("
          + components.numCols + ") must have the same length");
    }
    if (from < 0 || to > components.numRows || from >= to) {
      throw new IllegalArgumentException("component range [" + from + ", " + to + ") is empty or outside [0, "
          + components.numRows + ")");
    }
    double[] centred = new double[d];
    for (int j = 0; j < d; j++) {
      centred[j] = x[j] - mean[j];
    }
    double[] z = new double[to - from];
    for (int k = from; k < to; k++) {
      double s = 0;
      int row = k * d;
      for (int j = 0; j < d; j++) {
        s += components.data[row + j] * centred[j];
      }
      z[k - from] = s;
    }
    return z;
  }
}
