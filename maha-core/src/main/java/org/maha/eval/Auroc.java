package org.maha.eval;

/** Area under the ROC curve, the image-level metric of Rippel et al. (2020). */
public final class Auroc {
  private Auroc() {}

  /**
   * The Mann–Whitney statistic P(score_anomalous &gt; score_normal) + ½·P(equal), which equals
   * {@code sklearn.metrics.roc_auc_score(anomalous, scores)} (trapezoidal area under roc_curve). O(n log n).
   * Throws {@link IllegalArgumentException} if a score is NaN or infinite, the lengths differ, or only one class
   * is present.
   */
  public static double auroc(double[] scores, boolean[] anomalous) {
    Labels.Split split = Labels.split(scores, anomalous);
    double[] neg = split.normal();
    double[] pos = split.anomalous();
    // Count 2·U exactly in a long: each (anomalous, normal) pair adds 2 if ordered, 1 if tied.
    long twiceU = 0;
    int below = 0; // normals with score < current
    int atOrBelow = 0; // normals with score <= current
    for (double s : pos) {
      while (below < neg.length && neg[below] < s) {
        below++;
      }
      if (atOrBelow < below) {
        atOrBelow = below;
      }
      while (atOrBelow < neg.length && neg[atOrBelow] <= s) {
        atOrBelow++;
      }
      twiceU += 2L * below + (atOrBelow - below);
    }
    return twiceU / (2.0 * pos.length * (double) neg.length);
  }
}
