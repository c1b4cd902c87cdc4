package org.maha.api;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Detector#accumulateWithReport} returns: the statistics of the images it read, and those it skipped
 * (when the images skip unreadable ones, {@link Images#skippingUnreadable()}).
 *
 * @param statistics the mergeable statistics of the images read
 * @param skipped the images left out, and why, in input order
 */
public record Accumulated(FitStatistics statistics, List<Skipped> skipped) {
  /**
   * Copies the list so the record stays immutable.
   *
   * @param statistics the mergeable statistics of the images read
   * @param skipped the images left out, and why, in input order
   */
  public Accumulated {
    Objects.requireNonNull(statistics, "statistics");
    skipped = List.copyOf(skipped);
  }
}
