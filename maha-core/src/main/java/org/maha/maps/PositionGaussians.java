package org.maha.maps;

import java.util.stream.IntStream;

/**
 * A Gaussian per position of a {@code channels × height × width} feature grid, held as its mean and the packed
 * Cholesky factor L of its Ledoit–Wolf covariance (Σ = L Lᵀ), so the Mahalanobis distance at a position is one
 * forward substitution, never an inverse. Per position C + C(C+1)/2 float64 values. Immutable: arrays are copied in
 * and out.
 *
 * <p>Packed layout: position p's factor starts at p·C(C+1)/2 and holds the rows of L's lower triangle, row i's
 * i + 1 entries L[i][0..i] after one another.
 */
public final class PositionGaussians {
  private final int channels;
  private final int height;
  private final int width;
  private final long n;
  private final double[] means;
  private final double[] lower;
  private final double[] shrinkage;

  /**
   * @param means     per position, position-major: means[p·C + c]
   * @param lower     packed Cholesky factors (see the class comment); every diagonal entry positive and finite
   * @param shrinkage the Ledoit–Wolf shrinkage per position
   * @param n         training images
   */
  public PositionGaussians(
      int channels, int height, int width, long n, double[] means, double[] lower, double[] shrinkage) {
    if (channels < 1 || height < 1 || width < 1 || n < 1) {
      throw new IllegalArgumentException("sizes and n must be positive, found " + channels + " x " + height + " x "
          + width + ", n = " + n);
    }
    int p = Math.multiplyExact(height, width);
    if (means.length != (long) p * channels || lower.length != (long) p * packedSize(channels)
        || shrinkage.length != p) {
      throw new IllegalArgumentException("array lengths " + means.length + ", " + lower.length + ", "
          + shrinkage.length + " do not match " + p + " positions of " + channels + " channels");
    }
    int packed = packedSize(channels);
    for (int pos = 0; pos < p; pos++) {
      for (int i = 0; i < channels; i++) {
        double d = lower[pos * packed + i * (i + 1) / 2 + i];
        if (!(d > 0) || !Double.isFinite(d)) {
          throw new IllegalArgumentException("Cholesky diagonal " + i + " at position " + pos + " is " + d);
        }
      }
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.n = n;
    this.means = means.clone();
    this.lower = lower.clone();
    this.shrinkage = shrinkage.clone();
  }

  /** Entries of one packed lower triangle: C(C+1)/2. */
  public static int packedSize(int channels) {
    return Math.toIntExact((long) channels * (channels + 1) / 2);
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

  public long n() {
    return n;
  }

  public double[] means() {
    return means.clone();
  }

  public double[] packedLower() {
    return lower.clone();
  }

  public double[] shrinkage() {
    return shrinkage.clone();
  }

  /**
   * The Mahalanobis distance sqrt((x − μ)ᵀ Σ⁻¹ (x − μ)) at every position of one grid (CHW, not modified, finite):
   * a new row-major {@code height × width} map. Positions run in parallel; each result is independent of that.
   */
  public double[] mahalanobisMap(float[] chw) {
    int p = height * width;
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
    double[] out = new double[p];
    int packed = packedSize(channels);
    IntStream.range(0, p).parallel().forEach(pos -> {
      double[] y = new double[channels];
      int o = pos * packed;
      double sum = 0;
      for (int i = 0; i < channels; i++) {
        double s = chw[i * p + pos] - means[pos * channels + i];
        for (int j = 0; j < i; j++) {
          s -= lower[o + j] * y[j];
        }
        y[i] = s / lower[o + i];
        sum += y[i] * y[i];
        o += i + 1;
      }
      out[pos] = Math.sqrt(sum);
    });
    return out;
  }
}
