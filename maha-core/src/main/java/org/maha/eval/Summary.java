package org.maha.eval;

/** Aggregation of the paper's tables (PAPER.md §1.8): mean ± SEM over the 15 category AUROCs. */
public final class Summary {
  private Summary() {}

  /**
   * Mean and SEM with ddof = 1, as pandas {@code .sem()} / {@code scipy.stats.sem}; n == 1 gives sem NaN (as
   * pandas). Two passes, so a large common offset does not cancel. Throws {@link IllegalArgumentException} for no
   * values or a non-finite value.
   */
  public static MeanSem meanSem(double[] values) {
    int n = values.length;
    if (n == 0) {
      throw new IllegalArgumentException("need at least 1 value, found 0");
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("value at index " + i + " is not finite: " + values[i]);
      }
      sum += values[i];
    }
    double mean = sum / n;
    if (n == 1) {
      return new MeanSem(mean, Double.NaN, 1);
    }
    double squares = 0;
    double residual = 0;
    for (double v : values) {
      double d = v - mean;
      squares += d * d;
      residual += d;
    }
    double variance = (squares - residual * residual / n) / (n - 1);
    return new MeanSem(mean, Math.sqrt(variance / n), n);
  }
}
