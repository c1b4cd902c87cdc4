package org.maha.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Seeded procedural background textures for {@link SyntheticInspectionSet}, evaluated at continuous coordinates
 * so each image can be a shifted, slightly rotated view of the same endless surface. Only integer hashing and
 * {@link StrictMath} are used, so values are identical on every JVM.
 */
final class ProceduralTexture {
  /** The texture kinds; a category name must be one of these (lower case). */
  enum Kind {
    /** Colour basket weave: alternating over/under threads along two axes, slight colour noise. */
    WEAVE(3),
    /** Gray multi-octave value noise with dark and bright speckles, like polished stone. */
    GRANITE(1),
    /** Colour fine diagonal twill modulated by cloudy noise. */
    FABRIC(3),
    /** Colour growth rings distorted by low-frequency noise. */
    WOOD(3);

    final int channels;

    Kind(int channels) {
      this.channels = channels;
    }

    String folderName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind of(String name) {
      for (Kind k : values()) {
        if (k.folderName().equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown synthetic texture '" + name + "', expected one of " + names());
    }

    static List<String> names() {
      return Arrays.stream(values()).map(Kind::folderName).sorted().toList();
    }
  }

  private static final double TWO_PI = 2 * StrictMath.PI;

  final Kind kind;
  private final long salt;
  /** Pattern period in pixels (threads, stripes, rings). */
  private final double period;
  /** Base colour, one value per output channel. */
  private final double[] colour;
  /** Cosine and sine of the pattern's random orientation. */
  private final double cos;
  private final double sin;

  ProceduralTexture(Kind kind, long seed) {
    this.kind = kind;
    SplitMix64 rng = new SplitMix64(seed);
    this.salt = rng.nextLong();
    double angle = rng.uniform(0, StrictMath.PI);
    this.cos = StrictMath.cos(angle);
    this.sin = StrictMath.sin(angle);
    this.period =
        switch (kind) {
          case WEAVE -> rng.uniform(9, 14);
          case GRANITE -> rng.uniform(24, 40);
          case FABRIC -> rng.uniform(4, 6);
          case WOOD -> rng.uniform(10, 16);
        };
    this.colour =
        switch (kind) {
          case WEAVE -> new double[] {rng.uniform(0.55, 0.8), rng.uniform(0.45, 0.7), rng.uniform(0.3, 0.5)};
          case GRANITE -> new double[] {rng.uniform(0.45, 0.6)};
          case FABRIC -> new double[] {rng.uniform(0.25, 0.4), rng.uniform(0.35, 0.5), rng.uniform(0.55, 0.75)};
          case WOOD -> new double[] {rng.uniform(0.6, 0.75), rng.uniform(0.4, 0.5), rng.uniform(0.2, 0.3)};
        };
  }

  /** Writes the texture's colour at (u, v) into {@code out} ({@link Kind#channels} values near [0, 1]). */
  void sample(double u, double v, double[] out) {
    double s = cos * u - sin * v;
    double t = sin * u + cos * v;
    switch (kind) {
      case WEAVE -> {
        double cs = s / period;
        double ct = t / period;
        boolean warpOnTop = (((long) StrictMath.floor(cs) + (long) StrictMath.floor(ct)) & 1L) == 0;
        // Thread profile: bright in the middle of a thread, dark in the gaps between threads.
        double across = warpOnTop ? cs - StrictMath.floor(cs) : ct - StrictMath.floor(ct);
        double profile = StrictMath.sin(StrictMath.PI * across);
        double shade = 0.45 + 0.55 * StrictMath.sqrt(profile) + 0.12 * (fbm(u / 6, v / 6, 2) - 0.5);
        double tint = warpOnTop ? 1.0 : 0.88;
        for (int c = 0; c < 3; c++) {
          out[c] = colour[c] * shade * tint;
        }
      }
      case GRANITE -> {
        double n = fbm(u / period, v / period, 5);
        double speck = valueNoise(u / 2.2, v / 2.2, salt ^ 0x5bd1e995L);
        double g = colour[0] + 0.55 * (n - 0.5);
        if (speck > 0.9) {
          g -= 0.25 * (speck - 0.9) / 0.1;
        } else if (speck < 0.06) {
          g += 0.18 * (0.06 - speck) / 0.06;
        }
        out[0] = g;
      }
      case FABRIC -> {
        double stripes = 0.5 + 0.5 * StrictMath.sin(TWO_PI * (s + t) / period);
        double cross = 0.5 + 0.5 * StrictMath.sin(TWO_PI * (s - t) / (period * 3.1));
        double cloud = fbm(u / 40, v / 40, 3);
        double shade = 0.7 + 0.22 * stripes + 0.08 * cross + 0.25 * (cloud - 0.5);
        for (int c = 0; c < 3; c++) {
          out[c] = colour[c] * shade;
        }
      }
      case WOOD -> {
        double warp = fbm(s / 90, t / 30, 3);
        double r = t / period + 3.0 * warp;
        double ring = 0.5 + 0.5 * StrictMath.sin(TWO_PI * r);
        double grain = fbm(s / 40, t / 1.5, 2);
        double shade = 0.72 + 0.2 * ring * ring + 0.12 * (grain - 0.5);
        for (int c = 0; c < 3; c++) {
          out[c] = colour[c] * shade;
        }
      }
      default -> throw new IllegalStateException("unhandled texture kind " + kind);
    }
  }

  /** Fractal sum of {@code octaves} value-noise octaves, each twice the frequency at half the weight; in [0, 1]. */
  private double fbm(double x, double y, int octaves) {
    double sum = 0;
    double weight = 0.5;
    double total = 0;
    for (int o = 0; o < octaves; o++) {
      sum += weight * valueNoise(x, y, salt + o);
      total += weight;
      x *= 2.03; // not exactly 2, so lattice points of successive octaves do not line up
      y *= 2.03;
      weight *= 0.5;
    }
    return sum / total;
  }

  /** Smoothly interpolated lattice noise in [0, 1]: hashed corner values, smoothstep weights. */
  static double valueNoise(double x, double y, long salt) {
    double fx = StrictMath.floor(x);
    double fy = StrictMath.floor(y);
    long ix = (long) fx;
    long iy = (long) fy;
    double tx = smooth(x - fx);
    double ty = smooth(y - fy);
    double a = lattice(ix, iy, salt);
    double b = lattice(ix + 1, iy, salt);
    double c = lattice(ix, iy + 1, salt);
    double d = lattice(ix + 1, iy + 1, salt);
    double top = a + (b - a) * tx;
    double bottom = c + (d - c) * tx;
    return top + (bottom - top) * ty;
  }

  private static double smooth(double t) {
    return t * t * (3 - 2 * t);
  }

  private static double lattice(long ix, long iy, long salt) {
    long h = SplitMix64.mix(ix * 0x9e3779b97f4a7c15L ^ iy * 0xc2b2ae3d27d4eb4fL ^ salt);
    return (h >>> 11) * 0x1.0p-53;
  }
}
