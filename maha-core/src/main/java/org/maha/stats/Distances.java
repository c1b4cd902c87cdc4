package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * The two baselines of Rippel et al. (PAPER.md §2.1–2.2), as RMS over features like the official code (the 1/D
 * inside the square root matters once levels are summed): L2 = sqrt(mean_j (x_j − μ_j)²) and SED =
 * sqrt(mean_j ((x_j − μ_j)/σ_j)²). With an identity covariance the Mahalanobis distance is sqrt(D)·L2, with a
 * diagonal one sqrt(D)·SED.
 */
public final class Distances {
  private Distances() {}

  /** sqrt((1/D) Σ_j (x_j − μ_j)²). */
  public static double l2Rms(double[] x, double[] mean) {
    checkLengths(x, mean, "mean");
    double sum = 0;
    for (int j = 0; j < x.length; j++) {
      double v = x[j] - mean[j];
      sum += v * v;
    }
    return Math.sqrt(sum / x.length);
  }

  /**
   * sqrt((1/K) Σ_{j: σ_j > 0} ((x_j − μ_j)/σ_j)²) over the K features with σ_j &gt; 0. Convention (the official
   * code divides by zero instead): features with σ_j == 0 — dead ReLU channels, constant on the fit set — are left
   * out, and the mean is over the kept ones. With no zero σ_j this is exactly the official RMS. Throws
   * {@link IllegalArgumentException} if every σ_j is 0 or any σ_j is negative or NaN.
   */
  public static double sedRms(double[] x, double[] mean, double[] std) {
    checkLengths(x, mean, "mean");
    checkLengths(x, std, "std");
    double sum = 0;
    int kept = 0;
    for (int j = 0; j < x.length; j++) {
      double s = std[j];
      if (!(s >= 0)) {
        throw new IllegalArgumentException("std at index " + j + " must be >= 0, found " + s);
      }
      if (s > 0) {
        double v = (x[j] - mean[j]) / s;
        sum += v * v;
        kept++;
      }
    }
    if (kept == 0) {
      throw new IllegalArgumentException("all " + x.length + " std values are 0: SED is undefined");
    }
    return Math.sqrt(sum / kept);
  }

  /** σ_j = sqrt(T_jj/(n − 1)), the unbiased (torch {@code std}) standard deviation; needs n ≥ 2. */
  public static double[] unbiasedStd(CovarianceAccumulator acc) {
    long n = acc.count();
    if (n < 2) {
      throw new IllegalArgumentException("unbiased std needs at least 2 rows, found " + n);
    }
    DMatrixRMaj t = acc.scatter();
    int d = acc.dim();
    double[] std = new double[d];
    for (int j = 0; j < d; j++) {
      std[j] = Math.sqrt(t.get(j, j) / (n - 1));
    }
    return std;
  }

  private static void checkLengths(double[] x, double[] other, String name) {
    if (x.length != other.length) {
      throw new IllegalArgumentException("x has length " + x.length + " but " + name + " has length " + other.length);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("x must have at least 1 element, found 0");
    }
  }
}
