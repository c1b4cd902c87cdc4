package org.maha.api;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One image's result: immutable, so it can be handed to other threads or kept.
 *
 * @param name the image's name: the file path as given, or {@code frame-<i>} for the i-th frame in memory
 * @param score the combined anomaly score (sum of the per-level distances; higher is more anomalous)
 * @param levelDistances each level's distance to its fitted Gaussian, by level name, in the backbone's level order
 *     (unmodifiable); shows at which depth of the network the image differs
 * @param threshold the model's calibrated threshold; empty when the model was not calibrated
 * @param pValue the split-conformal p-value of {@code score}: (1 + number of calibration scores &ge; it) / (n + 1).
 *     For a good image it is below α with probability at most α, so rejecting when {@code pValue <= α} has a
 *     false-alarm rate of at most α, for any α chosen after fitting. Empty when the model was not calibrated, or
 *     was saved by a maha that did not keep calibration scores
 */
public record Score(String name, double score, Map<String, Double> levelDistances, Optional<Threshold> threshold,
    OptionalDouble pValue) {

  /**
   * Copies {@code levelDistances} (keeping its order) so the record stays immutable.
   *
   * @param name the image's name
   * @param score the combined score
   * @param levelDistances distance per level name
   * @param threshold the calibrated threshold, or empty
   * @param pValue the conformal p-value, or empty
   */
  public Score {
    levelDistances = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(levelDistances));
    threshold = threshold == null ? Optional.empty() : threshold;
    pValue = pValue == null ? OptionalDouble.empty() : pValue;
  }

  /**
   * The calibrated model's decision; empty when the model was not calibrated (there is no threshold to apply).
   *
   * @return the verdict, if calibrated
   */
  public Optional<Verdict> verdict() {
    return threshold.map(t -> t.verdict(score));
  }
}
