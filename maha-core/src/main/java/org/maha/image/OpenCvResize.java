package org.maha.image;

/**
 * OpenCV's {@code cv::resize(src, dst, Size(w, h))} with {@code INTER_LINEAR} on 8-bit 3-channel images,
 * ported bit-exactly from OpenCV 4.x ({@code modules/imgproc/src/resize.cpp}, {@code hal::resize} and
 * {@code resizeGeneric_}) as Debian's python3-opencv 4.6.0 runs it on x86-64.
 *
 * <p>Why a port: the reference code resizes the {@code uint8} image with this fixed-point path; a float
 * bilinear followed by rounding differs by one level on ~11 % of pixels and moves AUROCs (PAPER.md &sect;5.3).
 * What is reproduced:
 *
 * <ul>
 *   <li>half-pixel centres: {@code fx = (float)((dx + 0.5) * scale - 0.5)}, {@code scale = 1 / (dst / src)}
 *       in double, then floor; 11-bit coefficients {@code rint(c * 2048)} (INTER_RESIZE_COEF_BITS = 11);
 *   <li>no antialiasing: each output samples a 2 &times; 2 neighbourhood even when shrinking 1024 &rarr; 224;
 *   <li>borders: columns are clamped in the coefficient table (weight (2048, 0) at the clamped pixel); rows keep
 *       their unclamped weights and only the row index is clamped, as OpenCV does, so their two weights may
 *       sum to 2047 or 2049;
 *   <li>the vertical pass as OpenCV's SIMD kernel {@code VResizeLinearVec_32s8u} computes it,
 *       {@code ((((r0 >> 4) * b0) >> 16) + (((r1 >> 4) * b1) >> 16) + 2) >> 2}, saturated to [0, 255]. On the
 *       reference build this formula gave every output value, including the last {@code width*3 mod 8} of a
 *       row that the scalar tail {@code (b0*r0 + b1*r1 + (1 << 21)) >> 22} would handle in the source (measured:
 *       the scalar formula mismatches cv2 in 15 of 18 size pairs, the SIMD one in none of 630);
 *   <li>an exact 2&times; reduction in both directions, which OpenCV turns into INTER_AREA: the rounded mean
 *       {@code (a + b + c + d + 2) >> 2} of each 2 &times; 2 block;
 *   <li>same size: a copy (here the same immutable image).
 * </ul>
 *
 * <p>Allocation per call: the coefficient tables (O(dstWidth + dstHeight)), two int rows and the output.
 */
public final class OpenCvResize {

  /** OpenCV's INTER_RESIZE_COEF_BITS = 11: interpolation weights are integers summing to 2048. */
  private static final int COEF_SCALE = 1 << 11;

  private static final int CN = 3;

  private OpenCvResize() {}

  /**
   * Resizes {@code src} to {@code dstWidth} &times; {@code dstHeight} exactly like
   * {@code cv2.resize(src, (dstWidth, dstHeight))} (INTER_LINEAR, uint8).
   *
   * @param src the image; not modified
   * @return a new image, or {@code src} itself when the size is unchanged
   */
  public static RgbImage linear(RgbImage src, int dstWidth, int dstHeight) {
    if (dstWidth < 1 || dstHeight < 1) {
      throw new IllegalArgumentException(
          "target size must be at least 1 x 1, got " + dstWidth + " x " + dstHeight);
    }
    int sw = src.width();
    int sh = src.height();
    if (sw == dstWidth && sh == dstHeight) {
      return src;
    }
    // hal::resize works with inverse scales computed exactly like this (double), then 1/inv.
    double scaleX = 1.0 / ((double) dstWidth / sw);
    double scaleY = 1.0 / ((double) dstHeight / sh);
    long iscaleX = Math.round(Math.rint(scaleX));
    long iscaleY = Math.round(Math.rint(scaleY));
    double eps = Math.ulp(1.0); // DBL_EPSILON
    boolean areaFast = Math.abs(scaleX - iscaleX) < eps && Math.abs(scaleY - iscaleY) < eps;
    if (areaFast && iscaleX == 2 && iscaleY == 2) {
      return new RgbImage(dstWidth, dstHeight, halve(src.pixels(), sw, dstWidth, dstHeight));
    }
    return new RgbImage(dstWidth, dstHeight, bilinear(src.pixels(), sw, sh, dstWidth, dstHeight, scaleX, scaleY));
  }

  /** INTER_AREA for an exact factor 2 ({@code resizeAreaFast}): rounded mean of each 2 x 2 block. */
  private static byte[] halve(byte[] s, int sw, int dw, int dh) {
    byte[] out = new byte[dw * dh * CN];
    int rowBytes = sw * CN;
    int o = 0;
    for (int dy = 0; dy < dh; dy++) {
      int r0 = 2 * dy * rowBytes;
      int r1 = r0 + rowBytes;
      for (int dx = 0; dx < dw; dx++) {
        int p = 2 * dx * CN;
        for (int c = 0; c < CN; c++, o++) {
          int sum = (s[r0 + p + c] & 0xff) + (s[r0 + p + CN + c] & 0xff)
              + (s[r1 + p + c] & 0xff) + (s[r1 + p + CN + c] & 0xff);
          out[o] = (byte) ((sum + 2) >> 2);
        }
      }
    }
    return out;
  }

  /** Source index and the two 11-bit weights per output coordinate, as hal::resize tabulates them. */
  private record Axis(int[] ofs, int[] w0, int[] w1, int limit) {}

  /**
   * The coefficient table along one axis. With {@code clamp} (columns) an index below 0 or at/after the
   * last pixel is clamped with weights (2048, 0), and {@code limit} is the first output index whose right
   * neighbour would fall outside (OpenCV's {@code xmax}); rows ({@code clamp} false) keep raw indices and
   * weights and are clamped later.
   */
  private static Axis axis(int srcLen, int dstLen, double scale, boolean clamp) {
    int[] ofs = new int[dstLen];
    int[] w0 = new int[dstLen];
    int[] w1 = new int[dstLen];
    int limit = dstLen;
    for (int d = 0; d < dstLen; d++) {
      float f = (float) ((d + 0.5) * scale - 0.5);
      int s = (int) Math.floor(f);
      f -= s;
      if (clamp) {
        if (s < 0) {
          f = 0f;
          s = 0;
        }
        if (s + 1 >= srcLen) {
          limit = Math.min(limit, d);
          if (s >= srcLen - 1) {
            f = 0f;
            s = srcLen - 1;
          }
        }
      }
      ofs[d] = s;
      w0[d] = saturateShort(Math.rint((1f - f) * COEF_SCALE));
      w1[d] = saturateShort(Math.rint(f * COEF_SCALE));
    }
    return new Axis(ofs, w0, w1, limit);
  }

  private static int saturateShort(double v) {
    return (int) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
  }

  private static byte[] bilinear(byte[] s, int sw, int sh, int dw, int dh, double scaleX, double scaleY) {
    Axis ax = axis(sw, dw, scaleX, true);
    Axis ay = axis(sh, dh, scaleY, false);
    int rowLen = dw * CN;
    int[] rowA = new int[rowLen];
    int[] rowB = new int[rowLen];
    int idxA = -1;
    int idxB = -1;
    byte[] out = new byte[dh * rowLen];
    for (int dy = 0; dy < dh; dy++) {
      int y0 = clip(ay.ofs[dy], sh);
      int y1 = clip(ay.ofs[dy] + 1, sh);
      // rows only move forward, so a two-slot cache computes each source row at most once (as prev_sy does)
      if (y0 != idxA) {
        if (y0 == idxB) {
          int[] t = rowA;
          rowA = rowB;
          rowB = t;
          idxA = idxB;
          idxB = -1;
        } else {
          horizontal(s, y0 * sw * CN, ax, rowA);
          idxA = y0;
        }
      }
      int[] r1;
      if (y1 == y0) {
        r1 = rowA;
      } else {
        if (y1 != idxB) {
          horizontal(s, y1 * sw * CN, ax, rowB);
          idxB = y1;
        }
        r1 = rowB;
      }
      vertical(rowA, r1, ay.w0[dy], ay.w1[dy], out, dy * rowLen);
    }
    return out;
  }

  /** OpenCV's {@code clip(y, 0, n)}: clamps a row index into [0, n-1]. */
  private static int clip(int y, int n) {
    return y < 0 ? 0 : (y >= n ? n - 1 : y);
  }

  /** HResizeLinear (fixed point): one source row to dw*3 ints scaled by 2048. Writes {@code dst}. */
  private static void horizontal(byte[] s, int rowStart, Axis ax, int[] dst) {
    int[] ofs = ax.ofs;
    int[] w0 = ax.w0;
    int[] w1 = ax.w1;
    int dw = ofs.length;
    int limit = ax.limit;
    int o = 0;
    for (int dx = 0; dx < limit; dx++) {
      int p = rowStart + ofs[dx] * CN;
      int a0 = w0[dx];
      int a1 = w1[dx];
      dst[o++] = (s[p] & 0xff) * a0 + (s[p + CN] & 0xff) * a1;
      dst[o++] = (s[p + 1] & 0xff) * a0 + (s[p + CN + 1] & 0xff) * a1;
      dst[o++] = (s[p + 2] & 0xff) * a0 + (s[p + CN + 2] & 0xff) * a1;
    }
    for (int dx = limit; dx < dw; dx++) {
      int p = rowStart + ofs[dx] * CN;
      dst[o++] = (s[p] & 0xff) * COEF_SCALE;
      dst[o++] = (s[p + 1] & 0xff) * COEF_SCALE;
      dst[o++] = (s[p + 2] & 0xff) * COEF_SCALE;
    }
  }

  /** VResizeLinearVec_32s8u lane arithmetic (see class comment) for one output row. Writes {@code out}. */
  private static void vertical(int[] r0, int[] r1, int b0, int b1, byte[] out, int outStart) {
    for (int x = 0; x < r0.length; x++) {
      int v = ((((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16) + 2) >> 2;
      out[outStart + x] = (byte) (v < 0 ? 0 : (v > 255 ? 255 : v));
    }
  }
}
