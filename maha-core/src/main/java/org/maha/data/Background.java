package org.maha.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a synthetic image's defect-free content comes from: a procedural texture or a real texture photo. Each
 * call draws a new random view, so normal images differ from each other (position, orientation, brightness,
 * sensor noise) while staying the same kind of surface.
 */
sealed interface Background {
  /** Sensor noise standard deviation on the [0, 1] scale (about 3 grey levels). */
  double NOISE_SIGMA = 0.012;

  /** 1 (gray) or 3 (RGB). */
  int channels();

  /** A fresh {@code px × px} view; all randomness from {@code rng}. */
  Raster render(int px, SplitMix64 rng);

  /** An endless procedural surface seen through a randomly shifted, rotated (±4°) and scaled (±3 %) window. */
  record Procedural(ProceduralTexture texture) implements Background {
    public Procedural {
      Objects.requireNonNull(texture, "texture");
    }

    @Override
    public int channels() {
      return texture.kind.channels;
    }

    @Override
    public Raster render(int px, SplitMix64 rng) {
      double dx = rng.uniform(0, 4096);
      double dy = rng.uniform(0, 4096);
      double rot = StrictMath.toRadians(rng.uniform(-4, 4));
      double scale = rng.uniform(0.97, 1.03);
      double gain = rng.uniform(0.93, 1.07);
      double offset = rng.uniform(-0.03, 0.03);
      double cos = StrictMath.cos(rot) * scale;
      double sin = StrictMath.sin(rot) * scale;
      int channels = channels();
      Raster r = new Raster(px, channels);
      double[] rgb = new double[channels];
      double centre = px / 2.0;
      for (int y = 0; y < px; y++) {
        for (int x = 0; x < px; x++) {
          double cx = x + 0.5 - centre;
          double cy = y + 0.5 - centre;
          texture.sample(cos * cx - sin * cy + dx, sin * cx + cos * cy + dy, rgb);
          int i = y * px + x;
          for (int c = 0; c < channels; c++) {
            r.planes[c][i] = rgb[c] * gain + offset + NOISE_SIGMA * rng.nextGaussianish();
          }
        }
      }
      return r;
    }
  }

  /**
   * Random {@code px × px} crops of a gray texture photo, under one of the 8 flips/quarter-turns, with brightness
   * jitter and sensor noise. {@code gray} is row-major in [0, 1].
   */
  record Photo(Path source, int width, int height, double[] gray) implements Background {
    public Photo {
      Objects.requireNonNull(source, "source");
      if (gray.length != width * height) {
        throw new IllegalArgumentException(
            "expected " + width * height + " gray values for " + width + "x" + height + ", found " + gray.length);
      }
    }

    @Override
    public int channels() {
      return 1;
    }

    @Override
    public Raster render(int px, SplitMix64 rng) {
      if (px > width || px > height) {
        throw new IllegalArgumentException(
            source + ": texture is " + width + "x" + height + ", too small for " + px + "x" + px + " crops");
      }
      int ox = rng.nextInt(width - px + 1);
      int oy = rng.nextInt(height - px + 1);
      int symmetry = rng.nextInt(8);
      double gain = rng.uniform(0.93, 1.07);
      double offset = rng.uniform(-0.03, 0.03);
      Raster r = new Raster(px, 1);
      double[] plane = r.planes[0];
      for (int y = 0; y < px; y++) {
        for (int x = 0; x < px; x++) {
          // Dihedral transform of the crop coordinates: bit 0 mirrors, bits 1-2 pick the quarter turn.
          int a = (symmetry & 1) == 0 ? x : px - 1 - x;
          int b = y;
          int sx;
          int sy;
          switch (symmetry >> 1) {
            case 0 -> {
              sx = a;
              sy = b;
            }
            case 1 -> {
              sx = px - 1 - b;
              sy = a;
            }
            case 2 -> {
              sx = px - 1 - a;
              sy = px - 1 - b;
            }
            default -> {
              sx = b;
              sy = px - 1 - a;
            }
          }
          double g = gray[(oy + sy) * width + ox + sx];
          plane[y * px + x] = g * gain + offset + NOISE_SIGMA * rng.nextGaussianish();
        }
      }
      return r;
    }
  }
}
