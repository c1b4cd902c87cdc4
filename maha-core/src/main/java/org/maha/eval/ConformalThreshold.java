package org.maha.eval;

import java.util.Arrays;

/**
 * A score threshold set from good images only, with a false-positive guarantee: the split-conformal quantile.
 * For n calibration scores of good images, the threshold is the ⌈(n+1)(1−α)⌉-th smallest; a new good image
 * exchangeable with them then exceeds it with probability at most α (Vovk et al. 2005; Angelopoulos & Bates,
 * "A Gentle Introduction to Conformal Prediction", 2021). No defective image and no distribution assumption is
 * needed, unlike the χ² thresholds, which assume the features are Gaussian.
 *
 * @param threshold flag an image when its score is strictly above this
 * @param targetFpr α
 * @param n calibration images used
 * @param guaranteed false when n is too small for α (n < 1/α − 1): the threshold is then the largest
 *     calibration score and the bound does not hold
 */
public record ConformalThreshold(double threshold, double targetFpr, int n, boolean guaranteed) {

  /** The smallest number of calibration images for which the bound at α can hold. */
  public static int minimumImages(double targetFpr) {
    return (int) Math.ceil(1 / targetFpr - 1);
  }

  /**
   * @param goodScores scores of good images not used for fitting. Not modified.
   * @param targetFpr α in (0, 1)
   */
  public static ConformalThreshold of(double[] goodScores, double targetFpr) {
    if (!(targetFpr > 0 && targetFpr < 1)) {
      throw new IllegalArgumentException("target false-positive rate must be in (0, 1), got " + targetFpr);
    }
    int n = goodScores.length;
    if (n == 0) {
      throw new IllegalArgumentException("no calibration scores");
    }
    double[] s = goodScores.clone();
    for (double v : s) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("calibration scores must be finite, got " + v);
      }
    }
    Arrays.sort(s);
    // rank k (1-based) of the conformal quantile; tiny epsilon so that e.g. (19+1)*0.95 = 19 is not rounded up
    int k = (int) Math.ceil((n + 1) * (1 - targetFpr) - 1e-9);
    boolean guaranteed = k <= n;
    return new ConformalThreshold(s[Math.min(k, n) - 1], targetFpr, n, guaranteed);
  }
}
