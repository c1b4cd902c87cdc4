package org.maha.eval;

/** Rates at a fixed decision threshold, as the σ-threshold evaluation of PAPER.md §2.5 logs them. */
public final class Thresholds {
  private Thresholds() {}

  /**
   * An image is flagged if its score is strictly greater than {@code threshold} (the official {@code pred >
   * threshold}). Both classes must be present and scores finite; the threshold must not be NaN.
   */
  public static Rates ratesAbove(double[] scores, boolean[] anomalous, double threshold) {
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold must not be NaN");
    }
    Labels.Split split = Labels.split(scores, anomalous);
    return new Rates(fractionAbove(split.normal(), threshold), fractionAbove(split.anomalous(), threshold));
  }

  private static double fractionAbove(double[] values, double threshold) {
    int above = 0;
    for (double v : values) {
      if (v > threshold) {
        above++;
      }
    }
    return (double) above / values.length;
  }
}
