package org.maha.augment;

/**
 * OpenCV 4.6's 8-bit {@code cvtColor} conversions that albumentations 0.4.3 goes through: RGB&harr;HSV (for
 * {@code HueSaturationValue}) and RGB&harr;LAB (for {@code CLAHE}, which equalises L only). Pixels are
 * interleaved HWC bytes, read unsigned.
 *
 * <p>RGB&rarr;HSV and RGB&rarr;LAB follow OpenCV's fixed-point code ({@code RGB2HSV_b}, {@code RGB2Lab_b}: 12-bit
 * division tables, sRGB gamma and cube-root look-up tables); HSV&rarr;RGB follows its float code
 * ({@code HSV2RGB_b}) including the AVX2 kernel's truncation. LAB&rarr;RGB uses the float formulas of {@code Lab2RGB_f} with an exact inverse-gamma
 * threshold search instead of OpenCV's integer tables, so it may differ from OpenCV by one grey level on a
 * few pixels (measured in {@code OpsOpenCvParityTest}).
 */
final class ColorConversions {
  private ColorConversions() {}

  // ---------------------------------------------------------------------------------------------- HSV

  /** OpenCV's {@code hsv_shift}: the division tables hold 12-bit fixed-point reciprocals. */
  private static final int HSV_SHIFT = 12;

  private static final int[] SDIV = new int[256];
  private static final int[] HDIV180 = new int[256];

  static {
    for (int i = 1; i < 256; i++) {
      SDIV[i] = (int) Math.rint((255 << HSV_SHIFT) / (1.0 * i));
      HDIV180[i] = (int) Math.rint((180 << HSV_SHIFT) / (6.0 * i));
    }
  }

  /** {@code cv2.cvtColor(rgb, COLOR_RGB2HSV)} on bytes: H in 0..180 (half degrees), S and V in 0..255. */
  static byte[] rgbToHsv(byte[] rgb) {
    byte[] out = new byte[rgb.length];
    for (int i = 0; i < rgb.length; i += 3) {
      int r = rgb[i] & 0xff;
      int g = rgb[i + 1] & 0xff;
      int b = rgb[i + 2] & 0xff;
      int v = Math.max(b, Math.max(g, r));
      int vmin = Math.min(b, Math.min(g, r));
      int diff = v - vmin;
      int s = (diff * SDIV[v] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
      int h;
      if (v == r) {
        h = g - b;
      } else if (v == g) {
        h = b - r + 2 * diff;
      } else {
        h = r - g + 4 * diff;
      }
      h = (h * HDIV180[diff] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
      if (h < 0) {
        h += 180;
      }
      out[i] = (byte) Math.min(h, 255);
      out[i + 1] = (byte) s;
      out[i + 2] = (byte) v;
    }
    return out;
  }

  /**
   * Pixels per row that OpenCV 4.6's AVX2 kernel for {@code HSV2RGB_b} handles at a time (4 vectors of 8
   * floats); that kernel truncates, the scalar tail for the last {@code width mod 32} pixels of a row rounds.
   */
  static final int HSV_SIMD_BLOCK = 32;

  /**
   * {@code cv2.cvtColor(hsv, COLOR_HSV2RGB)} on bytes (H in half degrees), as OpenCV 4.6 computes it on an
   * AVX2 machine: float sector formula with {@code 1 - s*h} fused, times 255, truncated for the first
   * {@code floor(width / 32) * 32} pixels of each row and rounded for the rest (measured: identical to cv2 on
   * all 180 &times; 256 &times; 256 inputs in a 256-wide image, and on the fixtures' 37- and 48-wide rows).
   */
  static byte[] hsvToRgb(byte[] hsv, int width) {
    final float hscale = 6.0f / 180;
    final float inv255 = 1.0f / 255.0f;
    int simdEnd = width / HSV_SIMD_BLOCK * HSV_SIMD_BLOCK;
    byte[] out = new byte[hsv.length];
    for (int i = 0, x = 0; i < hsv.length; i += 3, x = x + 1 == width ? 0 : x + 1) {
      float h = hsv[i] & 0xff;
      float s = (hsv[i + 1] & 0xff) * inv255;
      float v = (hsv[i + 2] & 0xff) * inv255;
      h *= hscale;
      int sector = (int) h;
      h -= sector;
      sector %= 6;
      float t0 = v;
      float t1 = v * (1.f - s);
      float t2 = v * Math.fma(-s, h, 1.f);
      float t3 = v * Math.fma(-s, 1.f - h, 1.f);
      float r;
      float g;
      float b;
      // OpenCV's sector_data gives (b, g, r) table indices per sector; s == 0 gives t1 = t2 = t3 = v anyway.
      switch (sector) {
        case 0 -> { b = t1; g = t3; r = t0; }
        case 1 -> { b = t1; g = t0; r = t2; }
        case 2 -> { b = t3; g = t0; r = t1; }
        case 3 -> { b = t0; g = t2; r = t1; }
        case 4 -> { b = t0; g = t1; r = t3; }
        default -> { b = t2; g = t1; r = t0; }
      }
      boolean truncate = x < simdEnd;
      out[i] = toByte(r * 255.0f, truncate);
      out[i + 1] = toByte(g * 255.0f, truncate);
      out[i + 2] = toByte(b * 255.0f, truncate);
    }
    return out;
  }

  private static byte toByte(float v, boolean truncate) {
    return Ops.saturate(truncate ? (int) v : (int) Math.rint(v));
  }

  // ---------------------------------------------------------------------------------------------- LAB

  private static final int LAB_SHIFT = 12;
  private static final int GAMMA_SHIFT = 3;
  private static final int LAB_SHIFT2 = LAB_SHIFT + GAMMA_SHIFT;
  private static final int CBRT_TAB_SIZE = 256 * 3 / 2 * (1 << GAMMA_SHIFT);

  /** sRGB &rarr; XYZ (D65), the matrix OpenCV uses, rows X, Y, Z. */
  private static final double[] RGB_TO_XYZ = {
    0.412453, 0.357580, 0.180423,
    0.212671, 0.715160, 0.072169,
    0.019334, 0.119193, 0.950227
  };
  private static final double[] WHITE_D65 = {0.950456, 1.0, 1.088754};
  /** XYZ (D65) &rarr; sRGB, OpenCV's float inverse, rows R, G, B. */
  private static final float[] XYZ_TO_RGB = {
    3.240479f, -1.53715f, -0.498535f,
    -0.969256f, 1.875991f, 0.041556f,
    0.055648f, -0.204043f, 1.057311f
  };

  private static final int[] SRGB_GAMMA_B = new int[256];
  private static final int[] CBRT_B = new int[CBRT_TAB_SIZE];
  private static final int[] LAB_COEFFS = new int[9];
  private static final float[] LAB_INV_COEFFS = new float[9];
  /** {@code GAMMA_THRESHOLDS[k]}: the linear value above which the sRGB byte is &ge; k + 1. */
  private static final double[] GAMMA_THRESHOLDS = new double[255];

  static {
    for (int i = 0; i < 256; i++) {
      double x = i / 255.0;
      double lin = x <= 0.04045 ? x / 12.92 : StrictMath.pow((x + 0.055) / 1.055, 2.4);
      SRGB_GAMMA_B[i] = (int) Math.rint(255.0 * (1 << GAMMA_SHIFT) * lin);
    }
    for (int i = 0; i < CBRT_TAB_SIZE; i++) {
      double x = i / (255.0 * (1 << GAMMA_SHIFT));
      double f = x < 0.008856 ? x * 7.787 + 16.0 / 116.0 : StrictMath.cbrt(x);
      CBRT_B[i] = (int) Math.rint((1 << LAB_SHIFT2) * f);
    }
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 3; col++) {
        LAB_COEFFS[row * 3 + col] = (int) Math.rint((1 << LAB_SHIFT) * RGB_TO_XYZ[row * 3 + col] / WHITE_D65[row]);
        LAB_INV_COEFFS[row * 3 + col] = XYZ_TO_RGB[row * 3 + col] * (float) WHITE_D65[col];
      }
    }
    for (int k = 0; k < 255; k++) {
      double encoded = (k + 0.5) / 255.0;
      GAMMA_THRESHOLDS[k] =
          encoded <= 0.04045 ? encoded / 12.92 : StrictMath.pow((encoded + 0.055) / 1.055, 2.4);
    }
  }

  private static int descale(int x, int n) {
    return (x + (1 << (n - 1))) >> n;
  }

  /** {@code cv2.cvtColor(rgb, COLOR_RGB2LAB)} on bytes: L scaled to 0..255, a and b offset by 128. */
  static byte[] rgbToLab(byte[] rgb) {
    final int lScale = (116 * 255 + 50) / 100;
    final int lShift = -((16 * 255 * (1 << LAB_SHIFT2) + 50) / 100);
    final int[] c = LAB_COEFFS;
    byte[] out = new byte[rgb.length];
    for (int i = 0; i < rgb.length; i += 3) {
      int r = SRGB_GAMMA_B[rgb[i] & 0xff];
      int g = SRGB_GAMMA_B[rgb[i + 1] & 0xff];
      int b = SRGB_GAMMA_B[rgb[i + 2] & 0xff];
      int fx = CBRT_B[descale(r * c[0] + g * c[1] + b * c[2], LAB_SHIFT)];
      int fy = CBRT_B[descale(r * c[3] + g * c[4] + b * c[5], LAB_SHIFT)];
      int fz = CBRT_B[descale(r * c[6] + g * c[7] + b * c[8], LAB_SHIFT)];
      int l = descale(lScale * fy + lShift, LAB_SHIFT2);
      int a = descale(500 * (fx - fy) + 128 * (1 << LAB_SHIFT2), LAB_SHIFT2);
      int bb = descale(200 * (fy - fz) + 128 * (1 << LAB_SHIFT2), LAB_SHIFT2);
      out[i] = Ops.saturate(l);
      out[i + 1] = Ops.saturate(a);
      out[i + 2] = Ops.saturate(bb);
    }
    return out;
  }

  /** {@code cv2.cvtColor(lab, COLOR_LAB2RGB)} on bytes, by OpenCV's float formulas (see the class comment). */
  static byte[] labToRgb(byte[] lab) {
    final float lThresh = 0.008856f * 903.3f;
    final float fThresh = 7.787f * 0.008856f + 16.0f / 116.0f;
    final float[] c = LAB_INV_COEFFS;
    byte[] out = new byte[lab.length];
    for (int i = 0; i < lab.length; i += 3) {
      float li = (lab[i] & 0xff) * (100.f / 255.f);
      float ai = (lab[i + 1] & 0xff) - 128;
      float bi = (lab[i + 2] & 0xff) - 128;
      float y;
      float fy;
      if (li <= lThresh) {
        y = li / 903.3f;
        fy = 7.787f * y + 16.0f / 116.0f;
      } else {
        fy = (li + 16.0f) / 116.0f;
        y = fy * fy * fy;
      }
      float fx = ai / 500.0f + fy;
      float fz = fy - bi / 200.0f;
      float x = fx <= fThresh ? (fx - 16.0f / 116.0f) / 7.787f : fx * fx * fx;
      float z = fz <= fThresh ? (fz - 16.0f / 116.0f) / 7.787f : fz * fz * fz;
      out[i] = encodeSrgb(c[0] * x + c[1] * y + c[2] * z);
      out[i + 1] = encodeSrgb(c[3] * x + c[4] * y + c[5] * z);
      out[i + 2] = encodeSrgb(c[6] * x + c[7] * y + c[8] * z);
    }
    return out;
  }

  /** round(255 &middot; sRGB(linear)) for linear clipped to [0, 1], by binary search over the 255 thresholds. */
  private static byte encodeSrgb(float linear) {
    double v = linear;
    int lo = 0;
    int hi = 255;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (v >= GAMMA_THRESHOLDS[mid]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return (byte) lo;
  }
}
