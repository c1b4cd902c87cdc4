package org.maha.api;

/**
 * A calibrated decision threshold on the combined score: the split-conformal quantile of the scores of good images
 * that were not used for fitting. A new good image scores above it with probability at most {@code targetFpr} when
 * {@code guaranteed} (enough calibration images for that rate), so the false-alarm rate is a stated number rather
 * than a guess.
 *
 * @param value the threshold: scores above it are {@link Verdict#ANOMALOUS}
 * @param targetFpr the false-positive rate asked for, in (0, 1)
 * @param calibrationImages how many good images set it
 * @param guaranteed whether {@code calibrationImages} is enough for the conformal bound at {@code targetFpr}
 * @param source where the calibration images came from
 */
public record Threshold(double value, double targetFpr, int calibrationImages, boolean guaranteed, String source) {

  /**
   * The verdict for {@code score}.
   *
   * @param score a combined score from a model with this threshold
   * @return {@link Verdict#ANOMALOUS} above the threshold, else {@link Verdict#NORMAL}
   */
  public Verdict verdict(double score) {
    return score > value ? Verdict.ANOMALOUS : Verdict.NORMAL;
  }
}
