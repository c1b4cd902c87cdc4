package org.maha.maps;

import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.Gaussian;
import org.maha.stats.LedoitWolf;
import org.maha.stats.NotPositiveDefiniteException;
import org.maha.stats.ShrunkCovariance;

/**
 * Streaming, mergeable statistics of a Gaussian per position of a {@code channels × height × width} feature grid
 * (PaDiM's per-patch Gaussians), one {@link CovarianceAccumulator} per position, so memory does not grow with the
 * number of training images: per position C² + 2C + 1 float64 values (C = 100 on a 56 × 56 grid: 256 MB), plus
 * a block of at most {@value #BLOCK_BYTES} bytes of buffered float32 images. Images are buffered in blocks of up to
 * {@value #MAX_BLOCK_IMAGES} (the per-block work of combining statistics is then spread over many images) and
 * folded position by position (the positions in parallel: each owns its accumulator, so the result does not
 * depend on the thread count).
 *
 * <p>Mutable and not thread-safe: one accumulator per thread, then {@link #merge}. {@link #fit} gives the
 * Ledoit–Wolf Gaussians ({@link LedoitWolf}, as {@code sklearn.covariance.LedoitWolf} per position), not PaDiM's
 * fixed {@code + 0.01·I}.
 */
public final class PositionAccumulator {
  /** Most images buffered before folding: {@link CovarianceAccumulator}'s own block size. */
  static final int MAX_BLOCK_IMAGES = 64;
  /** Bound on the buffered block, in bytes (fewer images per block for large grids). */
  static final long BLOCK_BYTES = 64L << 20;

  private final int channels;
  private final int height;
  private final int width;
  private final CovarianceAccumulator[] positions;
  /** Buffered images as given (float32), position-major: block[(p · blockImages + i) · C + c]. Allocated on first add. */
  private float[] block;
  private final int blockImages;
  private int buffered;

  /** An empty accumulator for grids of {@code channels × height × width} (each ≥ 1). */
  public PositionAccumulator(int channels, int height, int width) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "grid must have positive sizes, found " + channels + " x " + height + " x " + width);
    }
    int p = Math.multiplyExact(height, width);
    Math.multiplyExact(p, channels); // one grid must fit an array
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.positions = new CovarianceAccumulator[p];
    for (int i = 0; i < p; i++) {
      positions[i] = new CovarianceAccumulator(channels);
    }
    long perImage = (long) p * channels * Float.BYTES;
    this.blockImages = (int) Math.max(1, Math.min(MAX_BLOCK_IMAGES, BLOCK_BYTES / perImage));
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Images added (directly or by merging). */
  public long count() {
    flush();
    return positions[0].count();
  }

  /** Adds one image's grid, CHW ({@code channels × height × width}; not modified; finite values). */
  public void add(float[] chw) {
    int p = positions.length;
    if (chw.length != (long) p * channels) {
      throw new IllegalArgumentException("expected a grid of " + channels + " x " + height + " x " + width + " = "
          + (long) p * channels + " values, found " + chw.length);
    }
    for (int i = 0; i < chw.length; i++) {
      if (!Float.isFinite(chw[i])) {
        throw new IllegalArgumentException("grid value at channel " + i / p + ", position " + i % p
            + " is not finite: " + chw[i]);
      }
    }
    if (block == null) {
      block = new float[blockImages * p * channels];
    }
    for (int c = 0; c < channels; c++) {
      int src = c * p;
      for (int pos = 0; pos < p; pos++) {
        block[(pos * blockImages + buffered) * channels + c] = chw[src + pos];
      }
    }
    buffered++;
    if (buffered == blockImages) {
      flush();
    }
  }

  /** Folds {@code other}'s images into this accumulator (modified); {@code other} is folded but keeps its statistics. */
  public void merge(PositionAccumulator other) {
    if (other == this) {
      throw new IllegalArgumentException("cannot merge an accumulator into itself");
    }
    if (other.channels != channels || other.height != height || other.width != width) {
      throw new IllegalArgumentException("cannot merge a " + other.channels + " x " + other.height + " x "
          + other.width + " accumulator into " + channels + " x " + height + " x " + width);
    }
    flush();
    other.flush();
    IntStream.range(0, positions.length).parallel().forEach(p -> positions[p].merge(other.positions[p]));
  }

  private void flush() {
    if (buffered == 0) {
      return;
    }
    int rows = buffered;
    buffered = 0;
    int values = rows * channels;
    IntStream.range(0, positions.length).parallel().forEach(p -> {
      double[] rowsOfPosition = new double[values]; // float64 copy of this position's rows (exact)
      int from = p * blockImages * channels;
      for (int i = 0; i < values; i++) {
        rowsOfPosition[i] = block[from + i];
      }
      positions[p].addBlock(rowsOfPosition, 0, rows);
    });
  }

  /**
   * The Ledoit–Wolf Gaussian of every position (needs ≥ 2 images). Does not change the accumulator.
   *
   * @throws NotPositiveDefiniteException naming the first position (row, column) whose shrunk covariance cannot be
   *     factorised (e.g. a channel that is constant at that position in every image)
   */
  public PositionGaussians fit() throws NotPositiveDefiniteException {
    long n = count();
    if (n < 2) {
      throw new IllegalArgumentException("per-position Gaussians need at least 2 images, found " + n);
    }
    int p = positions.length;
    int packed = PositionGaussians.packedSize(channels);
    double[] means = new double[Math.multiplyExact(p, channels)];
    double[] lower = new double[Math.multiplyExact(p, packed)];
    double[] shrinkage = new double[p];
    String[] failure = new String[p];
    IntStream.range(0, p).parallel().forEach(pos -> {
      ShrunkCovariance fit = LedoitWolf.fit(positions[pos]);
      Gaussian g;
      try {
        g = Gaussian.of(fit);
      } catch (NotPositiveDefiniteException e) {
        failure[pos] = e.getMessage();
        return;
      }
      System.arraycopy(fit.mean(), 0, means, pos * channels, channels);
      shrinkage[pos] = fit.shrinkage();
      DMatrixRMaj l = g.choleskyLower();
      int o = pos * packed;
      for (int i = 0; i < channels; i++) {
        System.arraycopy(l.data, i * channels, lower, o, i + 1);
        o += i + 1;
      }
    });
    for (int pos = 0; pos < p; pos++) {
      if (failure[pos] != null) {
        throw new NotPositiveDefiniteException("position (row " + pos / width + ", column " + pos % width + ") of the "
            + height + " x " + width + " grid: " + failure[pos]);
      }
    }
    return new PositionGaussians(channels, height, width, n, means, lower, shrinkage);
  }
}
