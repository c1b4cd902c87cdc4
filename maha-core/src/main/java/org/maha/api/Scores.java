package org.maha.api;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The scores of a {@link Detector#scoreAll} call, in input order, and the images it left out as unreadable: an
 * unmodifiable {@link List} of {@link Score}, so it can be used as one.
 */
public final class Scores extends AbstractList<Score> implements RandomAccess {
  private final List<Score> scores;
  private final List<Skipped> skipped;

  private final StageTimings timings;

  Scores(List<Score> scores, List<Skipped> skipped) {
    this(scores, skipped, StageTimings.NONE);
  }

  Scores(List<Score> scores, List<Skipped> skipped, StageTimings timings) {
    this.scores = List.copyOf(scores);
    this.skipped = List.copyOf(skipped);
    this.timings = timings;
  }

  /**
   * Where the call's time went: decoding, the backbone, the statistics.
   *
   * @return the time of each stage
   */
  public StageTimings timings() {
    return timings;
  }

  /**
   * The images left out because they could not be read, in input order; always empty unless the images were given
   * with {@link Images#skippingUnreadable()} (otherwise the first unreadable image stops the call).
   *
   * @return the skipped images (unmodifiable)
   */
  public List<Skipped> skipped() {
    return skipped;
  }

  /**
   * The score of the {@code index}-th image that was read.
   *
   * @param index 0 to {@code size() - 1}
   * @return its score
   * @throws IndexOutOfBoundsException outside that range
   */
  @Override
  public Score get(int index) {
    return scores.get(index);
  }

  /**
   * How many images were scored (not counting skipped ones).
   *
   * @return the number of scores
   */
  @Override
  public int size() {
    return scores.size();
  }
}
