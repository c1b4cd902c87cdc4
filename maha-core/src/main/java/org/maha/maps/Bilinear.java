package org.maha.maps;

/**
 * Bilinear resizing of a map exactly as PyTorch's {@code F.interpolate(x, size=(outHeight, outWidth),
 * mode='bilinear', align_corners=False)} (what PaDiM uses to bring the distance map to the image), computed in
 * float64 (PyTorch computes float32 maps in float32). Per axis, output index o reads source coordinate
 * s = max(0, (o + ½)·in/out − ½), i.e. pixel centres aligned, clamped at the first pixel; i0 = ⌊s⌋,
 * i1 = min(i0 + 1, in − 1), weight of i1 = s − i0. Up- and downsampling use the same rule (no antialiasing).
 */
public final class Bilinear {
  private Bilinear() {}

  /**
   * {@code map} (row-major {@code height × width}, not modified) resized to {@code outHeight × outWidth}; a new
   * array.
   */
  public static double[] resize(double[] map, int height, int width, int outHeight, int outWidth) {
    if (height < 1 || width < 1 || outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException("sizes must be positive, found " + height + " x " + width + " -> "
          + outHeight + " x " + outWidth);
    }
    if ((long) height * width != map.length) {
      throw new IllegalArgumentException("map has " + map.length + " values, expected " + height + " x " + width);
    }
    Axis ys = Axis.of(height, outHeight);
    Axis xs = Axis.of(width, outWidth);
    double[] out = new double[Math.multiplyExact(outHeight, outWidth)];
    for (int oy = 0; oy < outHeight; oy++) {
      int r0 = ys.i0[oy] * width;
      int r1 = ys.i1[oy] * width;
      double wy1 = ys.w1[oy];
      double wy0 = 1 - wy1;
      int o = oy * outWidth;
      for (int ox = 0; ox < outWidth; ox++) {
        int c0 = xs.i0[ox];
        int c1 = xs.i1[ox];
        double wx1 = xs.w1[ox];
        double wx0 = 1 - wx1;
        // PyTorch's order: h0lambda * (w0lambda * v00 + w1lambda * v01) + h1lambda * (w0lambda * v10 + ...)
        out[o + ox] = wy0 * (wx0 * map[r0 + c0] + wx1 * map[r0 + c1]) + wy1 * (wx0 * map[r1 + c0] + wx1 * map[r1 + c1]);
      }
    }
    return out;
  }

  /** Source indices and weights along one axis. */
  private record Axis(int[] i0, int[] i1, double[] w1) {
    static Axis of(int in, int out) {
      double scale = (double) in / out;
      int[] i0 = new int[out];
      int[] i1 = new int[out];
      double[] w1 = new double[out];
      for (int o = 0; o < out; o++) {
        double s = Math.max(0.0, scale * (o + 0.5) - 0.5);
        int lo = Math.min((int) s, in - 1);
        i0[o] = lo;
        i1[o] = lo < in - 1 ? lo + 1 : lo;
        w1[o] = s - lo;
      }
      return new Axis(i0, i1, w1);
    }
  }
}
