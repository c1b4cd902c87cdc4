package org.maha.stats;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.special.Erf;

/**
 * False-positive thresholds from the Gaussian assumption (PAPER.md §2.5): if x ~ N(μ, Σ) in k dimensions then the
 * squared Mahalanobis distance is χ²_k, so a fraction p = erf(σ/√2) of normal data has distance below
 * sqrt(χ²⁻¹_k(p)), as for a 1-D Gaussian within ±σ.
 */
public final class ChiSquare {
  /** Absolute accuracy of Hipparchus's inverse-CDF solver; its default 1e-9 would limit agreement with SciPy. */
  static final double INVERSE_ACCURACY = 1e-12;

  private ChiSquare() {}

  /**
   * sqrt(χ²⁻¹_k(erf(σ/√2))), the official {@code sqrt(chi2.ppf(erf(sigma / sqrt(2)), k))}: the Mahalanobis distance
   * that a fraction erf(σ/√2) of normal data stays under. Like the official code, p is formed in float64 first,
   * so for σ ≳ 7 the result is limited by p's rounding near 1.
   */
  public static double thresholdDistance(int k, double sigma) {
    if (k < 1) {
      throw new IllegalArgumentException("degrees of freedom k must be >= 1, found " + k);
    }
    if (!(sigma > 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be positive and finite, found " + sigma);
    }
    double p = Erf.erf(sigma / Math.sqrt(2.0));
    if (p >= 1.0) {
      throw new IllegalArgumentException("sigma " + sigma + " is too large: erf(sigma/sqrt(2)) rounds to 1");
    }
    ChiSquaredDistribution chi2 = new ChiSquaredDistribution(k, INVERSE_ACCURACY);
    return Math.sqrt(chi2.inverseCumulativeProbability(p));
  }

  /**
   * The smallest number of training vectors N for which the χ² thresholds of a k-dimensional Gaussian fitted on
   * them are roughly right: ⌈k + 2 + (k + 1)·√(k/2)⌉. Why: with a plug-in mean and covariance from N samples, the
   * squared distance of a new normal vector is Hotelling-distributed with mean k·(N+1)(N−1)/(N(N−k−2)) instead of
   * k, an excess of about k(k+1)/(N−k−2) (unbounded for N ≤ k + 2); this rule keeps that excess below one
   * standard deviation √(2k) of χ²_k, beyond which even the 1σ threshold flags far more normal images than it
   * predicts. Shrinkage (Ledoit-Wolf) and non-Gaussian features shift the numbers, so it is a warning threshold,
   * not a guarantee: about 113 vectors for k = 24, 33 700 for k = 1280.
   */
  public static long minimumSampleSize(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("degrees of freedom k must be >= 1, found " + k);
    }
    return (long) Math.ceil(k + 2 + (k + 1.0) * Math.sqrt(k / 2.0));
  }

  /** 1 − erf(σ/√2) = erfc(σ/√2), computed directly so that it keeps full relative accuracy for large σ. */
  public static double predictedFalsePositiveRate(double sigma) {
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be >= 0 and finite, found " + sigma);
    }
    return Erf.erfc(sigma / Math.sqrt(2.0));
  }
}
