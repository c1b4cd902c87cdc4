package org.maha.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.maha.api.FitStatistics;
import org.maha.api.MahaException;

/**
 * What one partition (or a merge of partitions) sends back to the driver: the exact {@link FitStatistics} of its
 * images (shipped as {@link FitStatistics#toBytes()}: D² + 2D + 2 numbers a level, independent of the number of
 * images), and the images it could not read: counted in full, listed up to {@link #MAX_LISTED} so that a lake full
 * of bad files cannot fill the driver. Immutable once built; {@link #merge} is associative and {@link #EMPTY} is its
 * identity (merging with it returns the other side's statistics unchanged, so a single partition's statistics reach
 * the model bit for bit).
 */
final class PartitionStatistics implements Serializable {
  private static final long serialVersionUID = 2L;
  /** Skipped images named in full; beyond this only counted. */
  static final int MAX_LISTED = 1000;
  static final PartitionStatistics EMPTY = new PartitionStatistics(null, List.of(), 0);

  /** An image left out, and why. */
  record SkippedImage(String path, String reason) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Null when no image was read; written and read as its bytes (it is not itself Serializable). */
  private transient FitStatistics stats;
  private final List<SkippedImage> skipped;
  private final long skippedCount;

  private PartitionStatistics(FitStatistics stats, List<SkippedImage> skipped, long skippedCount) {
    this.stats = stats;
    this.skipped = skipped;
    this.skippedCount = skippedCount;
  }

  /** The statistics of some images read, none skipped. */
  static PartitionStatistics of(FitStatistics stats) {
    return new PartitionStatistics(stats.images() == 0 ? null : stats, List.of(), 0);
  }

  /** These statistics with {@code skipped} (the first {@link #MAX_LISTED} kept) of {@code count} skipped images. */
  PartitionStatistics withSkipped(List<SkippedImage> skipped, long count) {
    return new PartitionStatistics(stats, List.copyOf(skipped.subList(0, Math.min(skipped.size(), MAX_LISTED))),
        count);
  }

  /** Both sides' images together. */
  PartitionStatistics merge(PartitionStatistics other) throws MahaException {
    FitStatistics s = stats == null ? other.stats : other.stats == null ? stats : stats.merge(other.stats);
    List<SkippedImage> sk = skipped;
    if (!other.skipped.isEmpty() && skipped.size() < MAX_LISTED) {
      sk = new ArrayList<>(skipped);
      sk.addAll(other.skipped.subList(0, Math.min(other.skipped.size(), MAX_LISTED - skipped.size())));
      sk = Collections.unmodifiableList(sk);
    }
    return new PartitionStatistics(s, sk, Math.addExact(skippedCount, other.skippedCount));
  }

  /** Images read. */
  long count() {
    return stats == null ? 0 : stats.images();
  }

  /** The statistics of the images read; only called when {@link #count()} is positive. */
  FitStatistics statistics() {
    return stats;
  }

  List<SkippedImage> skipped() {
    return skipped;
  }

  long skippedCount() {
    return skippedCount;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeObject(stats == null ? null : stats.toBytes());
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    byte[] bytes = (byte[]) in.readObject();
    try {
      stats = bytes == null ? null : FitStatistics.fromBytes(bytes);
    } catch (MahaException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
