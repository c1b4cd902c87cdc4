package org.maha.eval;

import java.util.Arrays;

/** The ROC curve behind the AUROC. */
public final class Roc {
  private Roc() {}

  /**
   * All ROC points, equal to {@code sklearn.metrics.roc_curve(anomalous, scores, drop_intermediate=False)} except
   * that the leading threshold is +∞ (see {@link RocCurve}). Same input checks as {@link Auroc#auroc}.
   */
  public static RocCurve curve(double[] scores, boolean[] anomalous) {
    Labels.Split split = Labels.split(scores, anomalous);
    double[] neg = split.normal();
    double[] pos = split.anomalous();
    int maxPoints = neg.length + pos.length + 1;
    double[] fpr = new double[maxPoints];
    double[] tpr = new double[maxPoints];
    double[] thresholds = new double[maxPoints];
    thresholds[0] = Double.POSITIVE_INFINITY;
    int points = 1;
    // Walk both sorted arrays from the top; the counts are of scores >= the current distinct threshold.
    int p = pos.length;
    int q = neg.length;
    while (p > 0 || q > 0) {
      double t = Math.max(p > 0 ? pos[p - 1] : Double.NEGATIVE_INFINITY, q > 0 ? neg[q - 1] : Double.NEGATIVE_INFINITY);
      while (p > 0 && pos[p - 1] == t) {
        p--;
      }
      while (q > 0 && neg[q - 1] == t) {
        q--;
      }
      thresholds[points] = t;
      tpr[points] = (double) (pos.length - p) / pos.length;
      fpr[points] = (double) (neg.length - q) / neg.length;
      points++;
    }
    return new RocCurve(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points),
        Arrays.copyOf(thresholds, points));
  }
}
