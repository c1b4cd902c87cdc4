package org.maha.model;

/**
 * A decision threshold on the combined score, set from good images that were not used for fitting (a split-
 * conformal quantile, see {@code org.maha.eval.ConformalThreshold}): a new good image scores above it with
 * probability at most {@code targetFpr} when {@code guaranteed}.
 *
 * @param source where the calibration images came from
 */
public record Calibration(double threshold, double targetFpr, int n, boolean guaranteed, String source) {
  public Calibration {
    if (!Double.isFinite(threshold) || !(targetFpr > 0 && targetFpr < 1) || n < 1) {
      throw new IllegalArgumentException("bad calibration: threshold " + threshold + ", target FPR " + targetFpr
          + ", n " + n);
    }
  }

  /** Whether {@code score} is flagged as anomalous. */
  public boolean isAnomalous(double score) {
    return score > threshold;
  }
}
