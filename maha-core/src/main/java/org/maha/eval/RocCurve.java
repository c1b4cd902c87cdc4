package org.maha.eval;

/**
 * ROC points in order of decreasing threshold, as {@code sklearn.metrics.roc_curve(y, s, drop_intermediate=False)}:
 * one point per distinct score (flagged means score ≥ threshold), preceded by (0, 0) at threshold +∞ (sklearn ≥
 * 1.3; 1.2 writes max score + 1 there). Arrays are copied on the way in and out.
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {
  public RocCurve {
    if (fpr.length != tpr.length || fpr.length != thresholds.length) {
      throw new IllegalArgumentException("fpr, tpr and thresholds must have equal lengths, found " + fpr.length
          + ", " + tpr.length + ", " + thresholds.length);
    }
    fpr = fpr.clone();
    tpr = tpr.clone();
    thresholds = thresholds.clone();
  }

  @Override
  public double[] fpr() {
    return fpr.clone();
  }

  @Override
  public double[] tpr() {
    return tpr.clone();
  }

  @Override
  public double[] thresholds() {
    return thresholds.clone();
  }
}
