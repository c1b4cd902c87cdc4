package org.maha.augment;

import org.maha.image.RgbImage;

/**
 * OpenCV 4.6's {@code cv::warpAffine} for 8-bit 3-channel images with INTER_LINEAR and BORDER_REFLECT_101
 * ({@code modules/imgproc/src/imgwarp.cpp}): the forward matrix is inverted in double; source coordinates are
 * stepped in 10-bit fixed point ({@code AB_BITS}), rounded to the 1/32-pixel grid ({@code INTER_BITS = 5});
 * the four neighbours are weighted by the exact integers {@code (32 - fx)(32 - fy) * 32} ... (sum 2<sup>15</sup>)
 * and the sum is rounded with {@code (s + 2^14) >> 15}.
 */
final class Warp {
  private static final int AB_BITS = 10;
  private static final int AB_SCALE = 1 << AB_BITS;
  private static final int INTER_BITS = 5;
  private static final int INTER_TAB_SIZE = 1 << INTER_BITS;
  private static final int ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;

  private Warp() {}

  private static int roundToInt(double v) {
    return (int) Math.rint(v);
  }

  /** @param forward 2 &times; 3 row-major matrix mapping source to destination pixels; not modified */
  static RgbImage affine(RgbImage image, double[] forward) {
    int w = image.width();
    int h = image.height();
    double[] m = forward.clone();
    double d = m[0] * m[4] - m[1] * m[3];
    d = d != 0 ? 1. / d : 0;
    double a11 = m[4] * d;
    double a22 = m[0] * d;
    m[0] = a11;
    m[1] *= -d;
    m[3] *= -d;
    m[4] = a22;
    double b1 = -m[0] * m[2] - m[1] * m[5];
    double b2 = -m[3] * m[2] - m[4] * m[5];
    m[2] = b1;
    m[5] = b2;

    int[] adelta = new int[w];
    int[] bdelta = new int[w];
    for (int x = 0; x < w; x++) {
      adelta[x] = roundToInt(m[0] * x * AB_SCALE);
      bdelta[x] = roundToInt(m[3] * x * AB_SCALE);
    }
    byte[] src = image.rgb();
    byte[] dst = new byte[src.length];
    for (int y = 0; y < h; y++) {
      int x0 = roundToInt((m[1] * y + m[2]) * AB_SCALE) + ROUND_DELTA;
      int y0 = roundToInt((m[4] * y + m[5]) * AB_SCALE) + ROUND_DELTA;
      for (int x = 0; x < w; x++) {
        int xf = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
        int yf = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
        int sx = xf >> INTER_BITS;
        int sy = yf >> INTER_BITS;
        int fx = xf & (INTER_TAB_SIZE - 1);
        int fy = yf & (INTER_TAB_SIZE - 1);
        int w00 = (INTER_TAB_SIZE - fx) * (INTER_TAB_SIZE - fy) * INTER_TAB_SIZE;
        int w01 = fx * (INTER_TAB_SIZE - fy) * INTER_TAB_SIZE;
        int w10 = (INTER_TAB_SIZE - fx) * fy * INTER_TAB_SIZE;
        int w11 = fx * fy * INTER_TAB_SIZE;
        int sx0 = Ops.reflect101(sx, w);
        int sx1 = Ops.reflect101(sx + 1, w);
        int sy0 = Ops.reflect101(sy, h);
        int sy1 = Ops.reflect101(sy + 1, h);
        int p00 = (sy0 * w + sx0) * 3;
        int p01 = (sy0 * w + sx1) * 3;
        int p10 = (sy1 * w + sx0) * 3;
        int p11 = (sy1 * w + sx1) * 3;
        int o = (y * w + x) * 3;
        for (int c = 0; c < 3; c++) {
          int s = (src[p00 + c] & 0xff) * w00 + (src[p01 + c] & 0xff) * w01
              + (src[p10 + c] & 0xff) * w10 + (src[p11 + c] & 0xff) * w11;
          dst[o + c] = Ops.saturate((s + (1 << 14)) >> 15);
        }
      }
    }
    return new RgbImage(w, h, dst);
  }
}
