package org.maha.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.ScatterStatistics;

/**
 * What one partition (or a merge of partitions) sends back to the driver: the exact {@link ScatterStatistics} of
 * its images' features per level, as plain arrays so that Java serialization carries them (D² + 2D + 2 numbers a
 * level, independent of the number of images), and the images it could not read: counted in full, listed up to
 * {@link #MAX_LISTED} so that a lake full of bad files cannot fill the driver. Immutable; {@link #merge} is
 * associative and {@link #EMPTY} is its identity (merging with it returns the other side unchanged, so a single
 * partition's statistics reach the model bit for bit).
 */
final class PartitionStatistics implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Skipped images named in full; beyond this only counted. */
  static final int MAX_LISTED = 1000;
  static final PartitionStatistics EMPTY = new PartitionStatistics(null, List.of(), 0);

  /** An image left out, and why. */
  record SkippedImage(String path, String reason) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Per level {n, mean, scatter (row-major), u, q}; null when no image was read. */
  private final Level[] levels;
  private final List<SkippedImage> skipped;
  private final long skippedCount;

  private record Level(long n, double[] mean, double[] scatter, double[] u, double q) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Level of(ScatterStatistics s) {
      return new Level(s.n(), s.mean(), s.scatter().data, s.u(), s.q());
    }

    ScatterStatistics statistics() {
      int d = mean.length;
      return new ScatterStatistics(n, mean, DMatrixRMaj.wrap(d, d, scatter), u, q);
    }
  }

  private PartitionStatistics(Level[] levels, List<SkippedImage> skipped, long skippedCount) {
    this.levels = levels;
    this.skipped = skipped;
    this.skippedCount = skippedCount;
  }

  /**
   * The statistics of {@code accumulators} (one per level, all of the same count; null or empty when no image was
   * read) and the skipped images.
   */
  static PartitionStatistics of(List<CovarianceAccumulator> accumulators, List<SkippedImage> skipped,
      long skippedCount) {
    Level[] lv = null;
    if (accumulators != null && !accumulators.isEmpty() && accumulators.get(0).count() > 0) {
      lv = new Level[accumulators.size()];
      for (int i = 0; i < lv.length; i++) {
        lv[i] = Level.of(accumulators.get(i).statistics());
      }
    }
    return new PartitionStatistics(lv, List.copyOf(skipped.subList(0, Math.min(skipped.size(), MAX_LISTED))),
        skippedCount);
  }

  /** Both sides' images together. */
  PartitionStatistics merge(PartitionStatistics other) {
    Level[] lv;
    if (levels == null) {
      lv = other.levels;
    } else if (other.levels == null) {
      lv = levels;
    } else {
      if (levels.length != other.levels.length) {
        throw new IllegalStateException("partitions disagree on the number of levels");
      }
      lv = new Level[levels.length];
      for (int i = 0; i < lv.length; i++) {
        lv[i] = Level.of(levels[i].statistics().merge(other.levels[i].statistics()));
      }
    }
    List<SkippedImage> s = skipped;
    if (!other.skipped.isEmpty() && skipped.size() < MAX_LISTED) {
      s = new ArrayList<>(skipped);
      s.addAll(other.skipped.subList(0, Math.min(other.skipped.size(), MAX_LISTED - skipped.size())));
      s = Collections.unmodifiableList(s);
    }
    return new PartitionStatistics(lv, s, Math.addExact(skippedCount, other.skippedCount));
  }

  /** Images read. */
  long count() {
    return levels == null ? 0 : levels[0].n();
  }

  /** Per level statistics; empty when no image was read. */
  List<ScatterStatistics> statistics() {
    List<ScatterStatistics> out = new ArrayList<>();
    if (levels != null) {
      for (Level l : levels) {
        out.add(l.statistics());
      }
    }
    return out;
  }

  List<SkippedImage> skipped() {
    return skipped;
  }

  long skippedCount() {
    return skippedCount;
  }
}
