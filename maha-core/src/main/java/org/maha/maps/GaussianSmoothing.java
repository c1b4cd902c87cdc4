package org.maha.maps;

/**
 * Gaussian smoothing of a map exactly as SciPy's {@code scipy.ndimage.gaussian_filter(map, sigma)} with its defaults
 * {@code truncate=4.0, mode='reflect'} (PaDiM smooths its upsampled score maps with σ = 4 px,
 * {@link #PADIM_SIGMA_PX}): separable, rows axis first then columns; kernel radius ⌊4σ + ½⌋, weights
 * exp(−x²/(2σ²)) normalised to sum 1; borders extended by half-sample reflection (d c b a | a b c d | d c b a),
 * repeated as often as the radius needs when the map is smaller than it. Float64 throughout.
 */
public final class GaussianSmoothing {
  /** PaDiM's smoothing of the score map, in pixels of the image. */
  public static final double PADIM_SIGMA_PX = 4.0;

  /** SciPy's default: the kernel reaches this many σ. */
  public static final double TRUNCATE = 4.0;

  private GaussianSmoothing() {}

  /** {@code map} (row-major {@code height × width}, not modified) smoothed with σ = {@code sigma} > 0; a new array. */
  public static double[] smooth(double[] map, int height, int width, double sigma) {
    if (!(sigma > 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("sigma must be positive and finite, found " + sigma);
    }
    if (height < 1 || width < 1 || (long) height * width != map.length) {
      throw new IllegalArgumentException("map has " + map.length + " values, expected " + height + " x " + width);
    }
    double[] half = kernel(sigma);
    double[] out = new double[map.length];
    // axis 0 (down the columns), then axis 1 (along the rows), as gaussian_filter loops over axes
    double[] line = new double[height];
    double[] ext = new double[height + 2 * (half.length - 1)];
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        line[y] = map[y * width + x];
      }
      double[] smoothed = filterLine(line, half, ext);
      for (int y = 0; y < height; y++) {
        out[y * width + x] = smoothed[y];
      }
    }
    line = new double[width];
    ext = new double[width + 2 * (half.length - 1)];
    for (int y = 0; y < height; y++) {
      System.arraycopy(out, y * width, line, 0, width);
      System.arraycopy(filterLine(line, half, ext), 0, out, y * width, width);
    }
    return out;
  }

  /** Weights for offsets 0..radius of the normalised Gaussian (SciPy's {@code _gaussian_kernel1d}). */
  static double[] kernel(double sigma) {
    int radius = (int) (TRUNCATE * sigma + 0.5);
    double[] full = new double[2 * radius + 1];
    double sum = 0;
    for (int k = -radius; k <= radius; k++) {
      double v = Math.exp(-0.5 / (sigma * sigma) * ((double) k * k));
      full[k + radius] = v;
      sum += v;
    }
    double[] half = new double[radius + 1];
    for (int k = 0; k <= radius; k++) {
      half[k] = full[k + radius] / sum;
    }
    return half;
  }

  /** One line correlated with the symmetric kernel; {@code ext} is scratch of length n + 2·radius. */
  private static double[] filterLine(double[] line, double[] half, double[] ext) {
    int n = line.length;
    int r = half.length - 1;
    for (int i = -r; i < n + r; i++) {
      ext[i + r] = line[reflect(i, n)];
    }
    double[] out = new double[n];
    for (int j = 0; j < n; j++) {
      int c = j + r;
      double s = half[0] * ext[c];
      for (int k = 1; k <= r; k++) {
        s += (ext[c - k] + ext[c + k]) * half[k];
      }
      out[j] = s;
    }
    return out;
  }

  /** SciPy's 'reflect' index for any i: period 2n, mirrored about the edges including the edge pixel. */
  static int reflect(int i, int n) {
    int m = Math.floorMod(i, 2 * n);
    return m < n ? m : 2 * n - 1 - m;
  }
}
