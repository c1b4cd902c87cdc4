package org.maha.data;

import java.util.Locale;

/**
 * Synthetic surface defects drawn into a {@link Raster}: visible to a person, but small, soft-edged and of
 * moderate contrast so they are not trivially separable by global brightness. Each modifies the raster in place
 * and returns the pixels it touched (its ground-truth mask); all randomness comes from the given generator.
 */
enum Defect {
  /** Soft ellipse of a different colour or brightness with a noisy outline (stain, dent). */
  BLOB,
  /** Dark random-walk polyline, 1–2 px wide (crack). */
  CRACK,
  /** Flat dark or pale patch replacing the texture (missing material, hole). */
  HOLE,
  /** Straight anti-aliased dark or bright line of random angle, length and width (scratch). */
  SCRATCH;

  /** The test folder name, as in MVTec AD (lower case). */
  String folderName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Draws one defect of this type into {@code r} (modified) and returns its mask, row-major {@code size × size}:
   * true exactly where the defect has a non-zero weight (coverage or opacity), so every pixel outside it is
   * untouched. A pixel inside may still keep its 8-bit value (a faint edge, or a change clamped away at 0 or 1).
   */
  boolean[] draw(Raster r, SplitMix64 rng) {
    return switch (this) {
      case BLOB -> blob(r, rng);
      case CRACK -> crack(r, rng);
      case HOLE -> hole(r, rng);
      case SCRATCH -> scratch(r, rng);
    };
  }

  private static boolean[] scratch(Raster r, SplitMix64 rng) {
    int n = r.size;
    double cx = rng.uniform(0.25, 0.75) * n;
    double cy = rng.uniform(0.25, 0.75) * n;
    double angle = rng.uniform(0, StrictMath.PI);
    double half = rng.uniform(0.08, 0.22) * n;
    double width = rng.uniform(1.0, 2.5);
    double delta = (rng.nextDouble() < 0.65 ? -1 : 1) * rng.uniform(0.22, 0.35);
    double dx = StrictMath.cos(angle) * half;
    double dy = StrictMath.sin(angle) * half;
    double[] coverage = new double[n * n];
    stroke(coverage, n, cx - dx, cy - dy, cx + dx, cy + dy, width);
    return shift(r, coverage, uniformShift(r.channels, delta));
  }

  private static boolean[] crack(Raster r, SplitMix64 rng) {
    int n = r.size;
    double x = rng.uniform(0.25, 0.75) * n;
    double y = rng.uniform(0.25, 0.75) * n;
    double heading = rng.uniform(0, 2 * StrictMath.PI);
    int segments = 10 + rng.nextInt(14);
    double step = rng.uniform(0.015, 0.03) * n;
    double width = rng.uniform(0.9, 1.7);
    double[] coverage = new double[n * n];
    for (int s = 0; s < segments; s++) {
      heading += 0.45 * rng.nextGaussianish();
      double nx = x + StrictMath.cos(heading) * step;
      double ny = y + StrictMath.sin(heading) * step;
      stroke(coverage, n, x, y, nx, ny, width * (1.0 - 0.4 * s / segments));
      x = nx;
      y = ny;
    }
    return shift(r, coverage, uniformShift(r.channels, -rng.uniform(0.3, 0.45)));
  }

  private static boolean[] blob(Raster r, SplitMix64 rng) {
    int n = r.size;
    double cx = rng.uniform(0.2, 0.8) * n;
    double cy = rng.uniform(0.2, 0.8) * n;
    double a = rng.uniform(0.035, 0.09) * n;
    double b = a * rng.uniform(0.5, 1.0);
    double phi = rng.uniform(0, StrictMath.PI);
    long salt = rng.nextLong();
    double[] delta = new double[r.channels];
    double sign = rng.nextDouble() < 0.5 ? -1 : 1;
    for (int c = 0; c < r.channels; c++) {
      // Mostly a brightness change, plus a per-channel tint in colour images.
      delta[c] = sign * rng.uniform(0.12, 0.22) + (r.channels == 3 ? rng.uniform(-0.12, 0.12) : 0);
    }
    double cos = StrictMath.cos(phi);
    double sin = StrictMath.sin(phi);
    double[] coverage = new double[n * n];
    int x0 = Math.max(0, (int) (cx - 1.5 * a));
    int x1 = Math.min(n - 1, (int) (cx + 1.5 * a) + 1);
    int y0 = Math.max(0, (int) (cy - 1.5 * a));
    int y1 = Math.min(n - 1, (int) (cy + 1.5 * a) + 1);
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double px = x + 0.5 - cx;
        double py = y + 0.5 - cy;
        double u = (cos * px + sin * py) / a;
        double v = (-sin * px + cos * py) / b;
        double rho = StrictMath.sqrt(u * u + v * v);
        rho *= 1 + 0.35 * (ProceduralTexture.valueNoise(x / 6.0, y / 6.0, salt) - 0.5);
        coverage[y * n + x] = 1 - smoothstep(0.55, 1.0, rho);
      }
    }
    return shift(r, coverage, delta);
  }

  private static boolean[] hole(Raster r, SplitMix64 rng) {
    int n = r.size;
    double cx = rng.uniform(0.2, 0.8) * n;
    double cy = rng.uniform(0.2, 0.8) * n;
    double hw = rng.uniform(0.025, 0.07) * n;
    double hh = hw * rng.uniform(0.6, 1.4);
    double fill = rng.nextDouble() < 0.7 ? rng.uniform(0.05, 0.18) : rng.uniform(0.8, 0.92);
    double corner = 0.3 * Math.min(hw, hh);
    boolean[] mask = new boolean[n * n];
    for (int y = Math.max(0, (int) (cy - hh - 2)); y <= Math.min(n - 1, (int) (cy + hh + 2)); y++) {
      for (int x = Math.max(0, (int) (cx - hw - 2)); x <= Math.min(n - 1, (int) (cx + hw + 2)); x++) {
        // Signed distance to a rounded rectangle; one-pixel soft edge.
        double qx = Math.abs(x + 0.5 - cx) - (hw - corner);
        double qy = Math.abs(y + 0.5 - cy) - (hh - corner);
        double outside = StrictMath.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
        double alpha = clamp(0.5 - (outside - corner), 0, 1);
        if (alpha > 0) {
          mask[y * n + x] = true;
          for (int c = 0; c < r.channels; c++) {
            double[] p = r.planes[c];
            int i = y * n + x;
            p[i] = p[i] * (1 - alpha) + fill * alpha;
          }
        }
      }
    }
    return mask;
  }

  /** Accumulates (max) the anti-aliased coverage of a segment of the given width. Modifies {@code coverage}. */
  private static void stroke(double[] coverage, int n, double ax, double ay, double bx, double by, double width) {
    double reach = width / 2 + 1;
    int x0 = Math.max(0, (int) StrictMath.floor(Math.min(ax, bx) - reach));
    int x1 = Math.min(n - 1, (int) StrictMath.ceil(Math.max(ax, bx) + reach));
    int y0 = Math.max(0, (int) StrictMath.floor(Math.min(ay, by) - reach));
    int y1 = Math.min(n - 1, (int) StrictMath.ceil(Math.max(ay, by) + reach));
    double ex = bx - ax;
    double ey = by - ay;
    double len2 = ex * ex + ey * ey;
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double px = x + 0.5 - ax;
        double py = y + 0.5 - ay;
        double t = len2 == 0 ? 0 : clamp((px * ex + py * ey) / len2, 0, 1);
        double dx = px - t * ex;
        double dy = py - t * ey;
        double dist = StrictMath.sqrt(dx * dx + dy * dy);
        double cov = clamp(width / 2 + 0.5 - dist, 0, 1);
        int i = y * n + x;
        if (cov > coverage[i]) {
          coverage[i] = cov;
        }
      }
    }
  }

  private static double[] uniformShift(int channels, double delta) {
    double[] d = new double[channels];
    java.util.Arrays.fill(d, delta);
    return d;
  }

  /** Adds coverage × delta[c] to every channel (modifies {@code r}); returns where the coverage is non-zero. */
  private static boolean[] shift(Raster r, double[] coverage, double[] delta) {
    boolean[] mask = new boolean[coverage.length];
    for (int i = 0; i < coverage.length; i++) {
      mask[i] = coverage[i] != 0;
    }
    for (int c = 0; c < r.channels; c++) {
      double[] p = r.planes[c];
      for (int i = 0; i < p.length; i++) {
        if (coverage[i] != 0) {
          p[i] += coverage[i] * delta[c];
        }
      }
    }
    return mask;
  }

  private static double smoothstep(double edge0, double edge1, double x) {
    double t = clamp((x - edge0) / (edge1 - edge0), 0, 1);
    return t * t * (3 - 2 * t);
  }

  private static double clamp(double v, double lo, double hi) {
    return v < lo ? lo : v > hi ? hi : v;
  }
}
