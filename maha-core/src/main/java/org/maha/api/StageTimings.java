package org.maha.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the time of one {@link Detector#scoreAll} call went, so that an application can tell which stage is slow.
 *
 * @param decode decoding and preprocessing the images, summed over the decode threads: they run in parallel with
 *     each other and with inference, so this may exceed the call's wall time
 * @param backbone the backbone's inference calls (wall time)
 * @param statistics the per-level Mahalanobis distances of the features (wall time)
 */
public record StageTimings(Duration decode, Duration backbone, Duration statistics) {
  /** No time: for results made without a detector. */
  static final StageTimings NONE = new StageTimings(Duration.ZERO, Duration.ZERO, Duration.ZERO);

  /**
   * Checks that no stage is null.
   *
   * @param decode decoding time
   * @param backbone inference time
   * @param statistics statistics time
   */
  public StageTimings {
    Objects.requireNonNull(decode, "decode");
    Objects.requireNonNull(backbone, "backbone");
    Objects.requireNonNull(statistics, "statistics");
  }
}
