package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * The exact sufficient statistics of a set of n rows for the mean, the covariance and the Ledoit–Wolf shrinkage,
 * all centred on the set's own mean (z = x − mean): the scatter T = Σ z zᵀ, u = Σ ‖z‖² z and q = Σ ‖z‖⁴. A frozen
 * {@link CovarianceAccumulator}: it is what a model file keeps per level so that new rows, or another model's
 * rows, can be added later with the result the one-pass fit on the union would give ({@link #merge}). Centred
 * terms rather than raw power sums (Σx, Σxxᵀ, Σ‖x‖⁴) because those cancel catastrophically when the mean is large
 * against the spread; u is needed only to move q to a new mean exactly.
 *
 * <p>Arrays are copied on the way in and out, so instances are immutable. The constructor checks shapes, finite
 * values, n ≥ 1, exact symmetry of T and its non-negative diagonal, so a record read from a file is usable as is.
 */
public record ScatterStatistics(long n, double[] mean, DMatrixRMaj scatter, double[] u, double q) {
  public ScatterStatistics {
    int d = mean.length;
    if (n < 1) {
      throw new IllegalArgumentException("statistics need n >= 1 rows, found " + n);
    }
    if (d < 1 || u.length != d || scatter.numRows != d || scatter.numCols != d) {
      throw new IllegalArgumentException("statistics shapes disagree: mean " + d + ", u " + u.length + ", scatter "
          + scatter.numRows + " x " + scatter.numCols);
    }
    requireFinite("mean", mean);
    requireFinite("u", u);
    if (!Double.isFinite(q)) { // not checked for >= 0: moving q to a new mean can round a zero q below it
      throw new IllegalArgumentException("sum of fourth powers q must be finite, found " + q);
    }
    double[] t = scatter.data;
    for (int i = 0; i < d; i++) {
      int row = i * d;
      if (!Double.isFinite(t[row + i]) || t[row + i] < 0) {
        throw new IllegalArgumentException("scatter diagonal " + i + " must be finite and >= 0, found " + t[row + i]);
      }
    }
    final int tile = 64; // t_ij against t_ji tile by tile: a column walk of a large matrix misses the cache
    for (int ib = 0; ib < d; ib += tile) {
      for (int jb = ib; jb < d; jb += tile) {
        for (int i = ib; i < Math.min(ib + tile, d); i++) {
          int row = i * d;
          for (int j = Math.max(jb, i + 1); j < Math.min(jb + tile, d); j++) {
            if (!Double.isFinite(t[row + j]) || t[row + j] != t[j * d + i]) {
              throw new IllegalArgumentException("scatter is not finite and symmetric at (" + i + ", " + j + ")");
            }
          }
        }
      }
    }
    mean = mean.clone();
    u = u.clone();
    DMatrixRMaj copy = new DMatrixRMaj(d, d);
    System.arraycopy(t, 0, copy.data, 0, d * d);
    scatter = copy;
  }

  /** The statistics of {@code rows} (n ≥ 1 rows of equal length, finite values; not modified). */
  public static ScatterStatistics of(double[][] rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("statistics need at least 1 row, found 0");
    }
    CovarianceAccumulator acc = new CovarianceAccumulator(rows[0].length);
    for (double[] r : rows) {
      acc.add(r);
    }
    return acc.statistics();
  }

  /**
   * The statistics of the union of the rows behind {@code this} and {@code other}, as if they had been accumulated
   * in one pass (equal up to rounding, whatever the split or order: Chan et al.'s pairwise update, see
   * {@link CovarianceAccumulator}). Neither is modified.
   */
  public ScatterStatistics merge(ScatterStatistics other) {
    CovarianceAccumulator acc = CovarianceAccumulator.of(this);
    acc.merge(CovarianceAccumulator.of(other));
    return acc.statistics();
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public DMatrixRMaj scatter() {
    return scatter.copy();
  }

  @Override
  public double[] u() {
    return u.clone();
  }

  /** The dimension D. */
  public int dim() {
    return mean.length;
  }

  /** Values only, never identity: two records of the same statistics are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ScatterStatistics s && n == s.n && Double.compare(q, s.q) == 0
        && java.util.Arrays.equals(mean, s.mean) && java.util.Arrays.equals(u, s.u)
        && java.util.Arrays.equals(scatter.data, s.scatter.data);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(n, q, java.util.Arrays.hashCode(mean), java.util.Arrays.hashCode(u),
        java.util.Arrays.hashCode(scatter.data));
  }

  @Override
  public String toString() {
    return "ScatterStatistics[n=" + n + ", d=" + mean.length + ", q=" + q + "]";
  }

  private static void requireFinite(String what, double[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException(what + " holds a non-finite value at index " + i);
      }
    }
  }
}
