package org.maha.model;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * A decision threshold on the combined score, set from good images that were not used for fitting (a split-
 * conformal quantile, see {@code org.maha.eval.ConformalThreshold}): a new good image scores above it with
 * probability at most {@code targetFpr} when {@code guaranteed}. It also keeps the calibration scores themselves,
 * so that any score gets a conformal p-value; models saved before maha kept them have none (their p-value is
 * absent, their threshold unchanged).
 *
 * @param source where the calibration images came from
 * @param sortedScores the {@code n} calibration scores in ascending order, or an empty array when not kept
 */
public record Calibration(double threshold, double targetFpr, int n, boolean guaranteed, String source,
    double[] sortedScores) {

  /** Without the calibration scores (as read from a model file written before they were kept). */
  public Calibration(double threshold, double targetFpr, int n, boolean guaranteed, String source) {
    this(threshold, targetFpr, n, guaranteed, source, new double[0]);
  }

  /**
   * @param sortedScores the calibration scores in any order (sorted into a copy), or an empty array
   * @throws IllegalArgumentException on a non-finite threshold or score, a rate outside (0, 1), n &lt; 1, or
   *     scores whose count is not n
   */
  public Calibration {
    if (!Double.isFinite(threshold) || !(targetFpr > 0 && targetFpr < 1) || n < 1) {
      throw new IllegalArgumentException("bad calibration: threshold " + threshold + ", target FPR " + targetFpr
          + ", n " + n);
    }
    sortedScores = sortedScores.clone();
    if (sortedScores.length != 0 && sortedScores.length != n) {
      throw new IllegalArgumentException("bad calibration: " + sortedScores.length + " calibration scores, n " + n);
    }
    for (double s : sortedScores) {
      if (!Double.isFinite(s)) {
        throw new IllegalArgumentException("bad calibration: a calibration score is " + s);
      }
    }
    Arrays.sort(sortedScores);
  }

  /** Whether {@code score} is flagged as anomalous. */
  public boolean isAnomalous(double score) {
    return score > threshold;
  }

  /** Whether the calibration scores were kept, so that {@link #pValue} has a value. */
  public boolean keepsScores() {
    return sortedScores.length != 0;
  }

  /** A copy: the record stays immutable. */
  @Override
  public double[] sortedScores() {
    return sortedScores.clone();
  }

  /**
   * The split-conformal p-value of {@code score}: (1 + #{calibration scores &ge; score}) / (n + 1), the +1 counting
   * the new image itself. For a good image exchangeable with the calibration images, P(p &le; α) &le; α; ties
   * count as "at least as large", so this is the conservative (non-randomised) p-value. Empty when the model did
   * not keep its calibration scores.
   *
   * @param score a combined score (NaN gets the smallest p-value, 1/(n+1), as no score is at least it)
   */
  public OptionalDouble pValue(double score) {
    if (sortedScores.length == 0) {
      return OptionalDouble.empty();
    }
    int lo = 0;
    int hi = sortedScores.length; // first index whose score >= score
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedScores[mid] < score) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int atLeast = Double.isNaN(score) ? 0 : sortedScores.length - lo;
    return OptionalDouble.of((1.0 + atLeast) / (n + 1.0));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Calibration c && Double.compare(threshold, c.threshold) == 0
        && Double.compare(targetFpr, c.targetFpr) == 0 && n == c.n && guaranteed == c.guaranteed
        && source.equals(c.source) && Arrays.equals(sortedScores, c.sortedScores);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Objects.hash(threshold, targetFpr, n, guaranteed, source) + Arrays.hashCode(sortedScores);
  }

  @Override
  public String toString() {
    return "Calibration[threshold=" + threshold + ", targetFpr=" + targetFpr + ", n=" + n + ", guaranteed="
        + guaranteed + ", source=" + source + ", scores " + (sortedScores.length == 0 ? "not kept" : "kept") + "]";
  }
}
