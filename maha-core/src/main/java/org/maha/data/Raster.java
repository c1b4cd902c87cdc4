package org.maha.data;

/**
 * A square float64 image in [0, 1] (values may leave the range while drawing; {@link #toBytes} clamps), one plane
 * per channel (1 = gray, 3 = RGB). Mutable on purpose: the generator draws defects into it in place.
 */
final class Raster {
  final int size;
  final int channels;
  /** planes[c][y * size + x]. */
  final double[][] planes;

  Raster(int size, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
    }
    this.size = size;
    this.channels = channels;
    this.planes = new double[channels][size * size];
  }

  /** Interleaved 8-bit samples (row-major, channels last), rounded half up after clamping to [0, 1]. */
  byte[] toBytes() {
    byte[] out = new byte[size * size * channels];
    for (int i = 0, n = size * size; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        double v = planes[c][i];
        int q = v <= 0 ? 0 : v >= 1 ? 255 : (int) StrictMath.floor(v * 255.0 + 0.5);
        out[i * channels + c] = (byte) q;
      }
    }
    return out;
  }
}
