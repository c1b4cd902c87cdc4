package org.maha.eval;

import java.util.Arrays;

/** Shared input checks and the split of scores by class. */
final class Labels {
  private Labels() {}

  /** Scores split by label, each sorted ascending. */
  record Split(double[] normal, double[] anomalous) {}

  static Split split(double[] scores, boolean[] anomalous) {
    if (scores.length != anomalous.length) {
      throw new IllegalArgumentException(
          "scores has length " + scores.length + " but labels has length " + anomalous.length);
    }
    int positives = 0;
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException("score at index " + i + " is not finite: " + scores[i]);
      }
      if (anomalous[i]) {
        positives++;
      }
    }
    int negatives = scores.length - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException("need both classes, found " + positives + " anomalous and " + negatives
          + " normal scores");
    }
    double[] pos = new double[positives];
    double[] neg = new double[negatives];
    int p = 0;
    int q = 0;
    for (int i = 0; i < scores.length; i++) {
      // + 0.0 turns -0.0 into 0.0, so Arrays.sort (which orders -0.0 first) agrees with ==.
      if (anomalous[i]) {
        pos[p++] = scores[i] + 0.0;
      } else {
        neg[q++] = scores[i] + 0.0;
      }
    }
    Arrays.sort(pos);
    Arrays.sort(neg);
    return new Split(neg, pos);
  }
}
