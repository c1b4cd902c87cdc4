package org.maha.augment;

import java.util.SplittableRandom;
import org.maha.image.RgbImage;

/**
 * The individual augmentation operations, each a pure function of an 8-bit RGB image and explicit parameters,
 * written to give what albumentations 0.4.3 / imgaug 0.2.6 get from OpenCV 4.6 for the same parameters.
 * Random parameter draws live in {@link Augmenter}; only {@link #gaussianNoise} takes a generator, because its
 * randomness is per pixel.
 *
 * <p>Exactness against OpenCV (see {@code OpsOpenCvParityTest} for the measured differences): flips, rotations,
 * median, box blur, HSV and the affine warp reproduce OpenCV's integer arithmetic; the float filters
 * ({@code filter2D}: motion blur, sharpen, emboss) accumulate with fused multiply-adds as OpenCV's AVX2 kernel
 * does, so a value that lands on a rounding tie may differ by one; CLAHE's LAB&rarr;RGB step is float (see
 * {@link ColorConversions}).
 */
final class Ops {
  private Ops() {}

  static byte saturate(double v) {
    return (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) v);
  }

  static byte saturate(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /** OpenCV's BORDER_REFLECT_101 index: {@code -1 -> 1}, {@code len -> len - 2} (len &ge; 2). */
  static int reflect101(int p, int len) {
    if (len == 1) {
      return 0;
    }
    while (p < 0 || p >= len) {
      p = p < 0 ? -p : 2 * len - 2 - p;
    }
    return p;
  }

  /** OpenCV's BORDER_REPLICATE index. */
  private static int clamp(int p, int len) {
    return p < 0 ? 0 : Math.min(p, len - 1);
  }

  // ------------------------------------------------------------------------------------------ blurs

  /** {@code cv2.medianBlur(img, 3)}: per channel median of the 3 &times; 3 neighbourhood, border replicated. */
  static RgbImage medianBlur3(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    int[] pad = padded(src, w, h, 1, false);
    int pw = w + 2;
    byte[] dst = new byte[src.length];
    int[] p = new int[9];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int base = (y * pw + x) * 3 + c;
          for (int dy = 0, n = 0; dy < 3; dy++) {
            int row = base + dy * pw * 3;
            p[n++] = pad[row];
            p[n++] = pad[row + 3];
            p[n++] = pad[row + 6];
          }
          dst[(y * w + x) * 3 + c] = (byte) median9(p);
        }
      }
    }
    return new RgbImage(w, h, dst);
  }

  /** The median of nine values by Paeth's 19-exchange network; {@code p} is reordered. */
  private static int median9(int[] p) {
    sort2(p, 1, 2); sort2(p, 4, 5); sort2(p, 7, 8); sort2(p, 0, 1); sort2(p, 3, 4); sort2(p, 6, 7);
    sort2(p, 1, 2); sort2(p, 4, 5); sort2(p, 7, 8); sort2(p, 0, 3); sort2(p, 5, 8); sort2(p, 4, 7);
    sort2(p, 3, 6); sort2(p, 1, 4); sort2(p, 2, 5); sort2(p, 4, 7); sort2(p, 4, 2); sort2(p, 6, 4);
    sort2(p, 4, 2);
    return p[4];
  }

  private static void sort2(int[] p, int i, int j) {
    if (p[i] > p[j]) {
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }

  /**
   * The image as unsigned ints with an {@code r}-pixel border on every side, reflected (101) or replicated,
   * row stride {@code (w + 2r) * 3}.
   */
  private static int[] padded(byte[] src, int w, int h, int r, boolean reflect) {
    int pw = w + 2 * r;
    int[] pad = new int[pw * (h + 2 * r) * 3];
    for (int y = -r; y < h + r; y++) {
      int sy = reflect ? reflect101(y, h) : clamp(y, h);
      for (int x = -r; x < w + r; x++) {
        int sx = reflect ? reflect101(x, w) : clamp(x, w);
        int s = (sy * w + sx) * 3;
        int d = ((y + r) * pw + x + r) * 3;
        pad[d] = src[s] & 0xff;
        pad[d + 1] = src[s + 1] & 0xff;
        pad[d + 2] = src[s + 2] & 0xff;
      }
    }
    return pad;
  }

  /**
   * {@code cv2.blur(img, (k, k))}: the k &times; k mean, border reflected (101). OpenCV sums in 16 bits and
   * divides by the fixed-point reciprocal {@code ((s + divDelta) * divScale) >> 16}; reproduced here.
   *
   * @param k odd kernel size, 1..15
   */
  static RgbImage boxBlur(RgbImage image, int k) {
    if (k < 1 || k > 15 || k % 2 == 0) {
      throw new IllegalArgumentException("box blur size must be odd in 1..15, got " + k);
    }
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    int d = k * k;
    double scalef = (double) (1 << 16) / d;
    int divScale = (int) Math.floor(scalef);
    scalef -= divScale;
    int divDelta = d / 2;
    if (scalef < 0.5) {
      divDelta++;
    } else {
      divScale++;
    }
    int r = k / 2;
    int[] rowSums = new int[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int s = 0;
          for (int dx = -r; dx <= r; dx++) {
            s += src[(y * w + reflect101(x + dx, w)) * 3 + c] & 0xff;
          }
          rowSums[(y * w + x) * 3 + c] = s;
        }
      }
    }
    byte[] dst = new byte[src.length];
    for (int y = 0; y < h; y++) {
      for (int i = 0; i < w * 3; i++) {
        int s = 0;
        for (int dy = -r; dy <= r; dy++) {
          s += rowSums[reflect101(y + dy, h) * w * 3 + i];
        }
        dst[y * w * 3 + i] = (byte) (k == 1 ? s : ((s + divDelta) * divScale) >>> 16);
      }
    }
    return new RgbImage(w, h, dst);
  }

  /**
   * The line kernel albumentations' {@code MotionBlur} draws: {@code cv2.line(zeros(k, k), (x0, y0), (x1, y1),
   * 1, thickness=1)} (8-connected Bresenham as OpenCV's {@code LineIterator} walks it).
   *
   * @return k &times; k row-major 0/1 mask
   */
  static boolean[] motionKernel(int k, int x0, int y0, int x1, int y1) {
    if (k < 1 || x0 < 0 || x0 >= k || x1 < 0 || x1 >= k || y0 < 0 || y0 >= k || y1 < 0 || y1 >= k) {
      throw new IllegalArgumentException("line endpoints must lie inside the " + k + " x " + k + " kernel");
    }
    boolean[] mask = new boolean[k * k];
    // OpenCV draws left to right: swap the endpoints when the line runs right to left.
    if (x0 > x1) {
      int t = x0;
      x0 = x1;
      x1 = t;
      t = y0;
      y0 = y1;
      y1 = t;
    }
    int dx = x1 - x0;
    int dy = y1 - y0;
    int stepY = dy < 0 ? -1 : 1;
    dy = Math.abs(dy);
    boolean steep = dy > dx;
    int major = steep ? dy : dx;
    int minor = steep ? dx : dy;
    int err = major - (minor + minor);
    int plusDelta = major + major;
    int minusDelta = -(minor + minor);
    int x = x0;
    int y = y0;
    for (int i = 0; i <= major; i++) {
      mask[y * k + x] = true;
      int m = err < 0 ? -1 : 0;
      err += minusDelta + (plusDelta & m);
      // step along the major axis always, along the minor axis when the error wrapped
      if (steep) {
        y += stepY;
        x += m != 0 ? 1 : 0;
      } else {
        x += 1;
        y += m != 0 ? stepY : 0;
      }
    }
    return mask;
  }

  /** albumentations' {@code MotionBlur}: the mask divided by its count (float32), through {@link #filter2D}. */
  static RgbImage motionBlur(RgbImage image, boolean[] mask, int k) {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    if (mask.length != k * k || n == 0) {
      throw new IllegalArgumentException("motion kernel must be a non-empty " + k + " x " + k + " mask");
    }
    float[] kernel = new float[k * k];
    float weight = 1.0f / n;
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = mask[i] ? weight : 0f;
    }
    return filter2D(image, kernel, k);
  }

  /**
   * {@code cv2.filter2D(img, -1, kernel)} on 8-bit images with a float32 kernel: correlation (not flipped),
   * anchor at the centre, BORDER_REFLECT_101, each channel separately; the non-zero taps accumulate in
   * row-major order with fused multiply-adds, then round half to even and saturate.
   *
   * @param kernel k &times; k row-major float32 taps; not modified
   */
  static RgbImage filter2D(RgbImage image, float[] kernel, int k) {
    if (k < 1 || k % 2 == 0 || kernel.length != k * k) {
      throw new IllegalArgumentException("kernel must be k x k with odd k, got " + kernel.length + " taps, k = " + k);
    }
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    int nz = 0;
    for (float f : kernel) {
      nz += f != 0f ? 1 : 0;
    }
    int[] ox = new int[nz];
    int[] oy = new int[nz];
    float[] coef = new float[nz];
    int r = k / 2;
    for (int i = 0, j = 0; i < kernel.length; i++) {
      if (kernel[i] != 0f) {
        oy[j] = i / k - r;
        ox[j] = i % k - r;
        coef[j++] = kernel[i];
      }
    }
    int[] pad = padded(src, w, h, r, true);
    int pw = w + 2 * r;
    int[] offset = new int[nz];
    for (int j = 0; j < nz; j++) {
      offset[j] = ((oy[j] + r) * pw + ox[j] + r) * 3;
    }
    byte[] dst = new byte[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int base = (y * pw + x) * 3;
        for (int c = 0; c < 3; c++) {
          float s = 0f;
          for (int j = 0; j < nz; j++) {
            s = Math.fma((float) pad[base + offset[j] + c], coef[j], s);
          }
          dst[(y * w + x) * 3 + c] = saturate((int) Math.rint(s));
        }
      }
    }
    return new RgbImage(w, h, dst);
  }

  // --------------------------------------------------------------------------------- colour / tone

  /**
   * albumentations' {@code CLAHE}: {@code cv2.createCLAHE(clip, (tiles, tiles)).apply} on the L channel of
   * {@code cv2.cvtColor(img, COLOR_RGB2LAB)}, then back to RGB.
   */
  static RgbImage clahe(RgbImage image, double clipLimit, int tiles) {
    int w = image.width();
    int h = image.height();
    byte[] lab = ColorConversions.rgbToLab(image.rgb());
    byte[] l = new byte[w * h];
    for (int i = 0; i < l.length; i++) {
      l[i] = lab[i * 3];
    }
    byte[] eq = Clahe.apply(l, w, h, clipLimit, tiles, tiles);
    for (int i = 0; i < l.length; i++) {
      lab[i * 3] = eq[i];
    }
    return new RgbImage(w, h, ColorConversions.labToRgb(lab));
  }

  /** imgaug's {@code Sharpen}: {@code (1 - alpha) * identity + alpha * [[-1,-1,-1],[-1,8+L,-1],[-1,-1,-1]]}. */
  static RgbImage sharpen(RgbImage image, double alpha, double lightness) {
    float[] effect = new float[9];
    java.util.Arrays.fill(effect, -1f);
    effect[4] = (float) (8 + lightness);
    return filter2D(image, blend(alpha, effect), 3);
  }

  /** imgaug's {@code Emboss}: {@code (1 - alpha) * identity + alpha * [[-1-s,-s,0],[-s,1,s],[0,s,1+s]]}. */
  static RgbImage emboss(RgbImage image, double alpha, double strength) {
    float[] effect = {
      (float) (-1 - strength), (float) (0 - strength), 0f,
      (float) (0 - strength), 1f, (float) (0 + strength),
      0f, (float) (0 + strength), (float) (1 + strength)
    };
    return filter2D(image, blend(alpha, effect), 3);
  }

  /** The float32 matrix imgaug builds: {@code (1 - alpha) * nochange + alpha * effect}, all in float32. */
  private static float[] blend(double alpha, float[] effect) {
    float keep = (float) (1 - alpha);
    float a = (float) alpha;
    float[] m = new float[9];
    for (int i = 0; i < 9; i++) {
      m[i] = keep * (i == 4 ? 1f : 0f) + a * effect[i];
    }
    return m;
  }

  /**
   * albumentations' {@code RandomBrightnessContrast} on uint8 ({@code brightness_by_max=True}): the float32
   * table {@code i * alpha + beta * 255}, clipped to [0, 255] and truncated.
   */
  static RgbImage brightnessContrast(RgbImage image, double alpha, double beta) {
    byte[] lut = new byte[256];
    for (int i = 0; i < 256; i++) {
      float v = i;
      if (alpha != 1) {
        v *= (float) alpha;
      }
      if (beta != 0) {
        v += (float) (beta * 255);
      }
      lut[i] = saturate((double) v);
    }
    return applyLut(image, lut, lut, lut);
  }

  /**
   * albumentations' {@code HueSaturationValue} on uint8: RGB&rarr;HSV, look-up tables {@code (h + dh) mod 180},
   * {@code clip(s + ds)}, {@code clip(v + dv)} (each truncated to an integer), HSV&rarr;RGB.
   */
  static RgbImage hueSaturationValue(RgbImage image, double dh, double ds, double dv) {
    if (dh == 0 && ds == 0 && dv == 0) {
      return image;
    }
    byte[] hsv = ColorConversions.rgbToHsv(image.rgb());
    byte[] lutH = new byte[256];
    byte[] lutS = new byte[256];
    byte[] lutV = new byte[256];
    for (int i = 0; i < 256; i++) {
      double hh = (i + dh) % 180.0;
      if (hh < 0) {
        hh += 180.0;
      }
      lutH[i] = (byte) (int) hh;
      lutS[i] = saturate(i + ds);
      lutV[i] = saturate(i + dv);
    }
    for (int i = 0; i < hsv.length; i += 3) {
      hsv[i] = lutH[hsv[i] & 0xff];
      hsv[i + 1] = lutS[hsv[i + 1] & 0xff];
      hsv[i + 2] = lutV[hsv[i + 2] & 0xff];
    }
    return new RgbImage(image.width(), image.height(), ColorConversions.hsvToRgb(hsv, image.width()));
  }

  private static RgbImage applyLut(RgbImage image, byte[] lutR, byte[] lutG, byte[] lutB) {
    byte[] px = image.rgb();
    for (int i = 0; i < px.length; i += 3) {
      px[i] = lutR[px[i] & 0xff];
      px[i + 1] = lutG[px[i + 1] & 0xff];
      px[i + 2] = lutB[px[i + 2] & 0xff];
    }
    return new RgbImage(image.width(), image.height(), px);
  }

  /**
   * imgaug's {@code AdditiveGaussianNoise(loc=0, scale)}: adds N(0, scale&sup2;) per pixel (the same value to the
   * three channels unless {@code perChannel}), clips to [0, 255] and truncates as imgaug 0.2.6's uint8
   * round trip does. Normal deviates by the polar method with {@link StrictMath#log}, so they are the same on
   * every JVM.
   *
   * @param rng modified (advanced)
   */
  static RgbImage gaussianNoise(RgbImage image, SplittableRandom rng, double scale, boolean perChannel) {
    byte[] px = image.rgb();
    Normal normal = new Normal(rng);
    for (int i = 0; i < px.length; i += 3) {
      if (perChannel) {
        for (int c = 0; c < 3; c++) {
          px[i + c] = saturate((px[i + c] & 0xff) + scale * normal.next());
        }
      } else {
        double n = scale * normal.next();
        for (int c = 0; c < 3; c++) {
          px[i + c] = saturate((px[i + c] & 0xff) + n);
        }
      }
    }
    return new RgbImage(image.width(), image.height(), px);
  }

  /** Standard normal deviates, two per accepted point of Marsaglia's polar method. */
  private static final class Normal {
    private final SplittableRandom rng;
    private double spare;
    private boolean hasSpare;

    Normal(SplittableRandom rng) {
      this.rng = rng;
    }

    double next() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      double u;
      double v;
      double s;
      do {
        u = 2 * rng.nextDouble() - 1;
        v = 2 * rng.nextDouble() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s == 0);
      double f = Math.sqrt(-2 * StrictMath.log(s) / s);
      spare = v * f;
      hasSpare = true;
      return u * f;
    }
  }

  // ------------------------------------------------------------------------------------------ geometry

  /** {@code cv2.flip(img, 1)}: mirror left-right. */
  static RgbImage hflip(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    byte[] dst = new byte[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        System.arraycopy(src, (y * w + x) * 3, dst, (y * w + w - 1 - x) * 3, 3);
      }
    }
    return new RgbImage(w, h, dst);
  }

  /** {@code np.rot90(img, k)}: k quarter turns counter-clockwise (k taken mod 4); width and height swap for odd k. */
  static RgbImage rot90(RgbImage image, int k) {
    int q = Math.floorMod(k, 4);
    if (q == 0) {
      return image;
    }
    int w = image.width();
    int h = image.height();
    byte[] src = image.rgb();
    byte[] dst = new byte[src.length];
    int ow = q == 2 ? w : h;
    int oh = q == 2 ? h : w;
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int sx;
        int sy;
        if (q == 1) {
          sx = w - 1 - oy;
          sy = ox;
        } else if (q == 2) {
          sx = w - 1 - ox;
          sy = h - 1 - oy;
        } else {
          sx = oy;
          sy = h - 1 - ox;
        }
        System.arraycopy(src, (sy * w + sx) * 3, dst, (oy * ow + ox) * 3, 3);
      }
    }
    return new RgbImage(ow, oh, dst);
  }

  /**
   * albumentations' {@code ShiftScaleRotate}: {@code M = cv2.getRotationMatrix2D((w/2, h/2), angle, scale)},
   * {@code M[0,2] += dx*w}, {@code M[1,2] += dy*h}, then {@code cv2.warpAffine} with INTER_LINEAR and
   * BORDER_REFLECT_101, in OpenCV's fixed point (1/32-pixel grid, 15-bit bilinear weights).
   *
   * @param angleDeg counter-clockwise, degrees
   * @param dx shift as a fraction of the width
   * @param dy shift as a fraction of the height
   */
  static RgbImage shiftScaleRotate(RgbImage image, double angleDeg, double scale, double dx, double dy) {
    int w = image.width();
    int h = image.height();
    double rad = angleDeg * (Math.PI / 180); // OpenCV: angle *= CV_PI/180
    double alpha = StrictMath.cos(rad) * scale;
    double beta = StrictMath.sin(rad) * scale;
    double cx = w / 2.0;
    double cy = h / 2.0;
    double[] m = {
      alpha, beta, (1 - alpha) * cx - beta * cy + dx * w,
      -beta, alpha, beta * cx + (1 - alpha) * cy + dy * h
    };
    return Warp.affine(image, m);
  }
}
