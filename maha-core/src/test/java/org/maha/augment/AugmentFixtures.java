package org.maha.augment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.maha.image.RgbImage;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/** Reads this package's test resources, written by {@code make_fixtures.py}. */
final class AugmentFixtures {
  private AugmentFixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = AugmentFixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource org/maha/augment/" + name + " not found; run make_fixtures.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NpyArray npy(String name) {
    try {
      return Npy.read(bytes(name));
    } catch (NpyFormatException e) {
      throw new IllegalStateException(name + ": " + e.getMessage(), e);
    }
  }

  /** An H x W x 3 uint8 .npy as an image. */
  static RgbImage image(String name) {
    NpyArray a = npy(name);
    if (a.rank() != 3 || a.dim(2) != 3) {
      throw new IllegalArgumentException(name + ": expected H x W x 3, got " + Arrays.toString(a.shape()));
    }
    double[] d = a.data();
    byte[] rgb = new byte[d.length];
    for (int i = 0; i < d.length; i++) {
      rgb[i] = (byte) (int) d[i];
    }
    return new RgbImage(a.dim(1), a.dim(0), rgb);
  }

  static JsonNode cases() {
    try {
      return new ObjectMapper().readTree(bytes("cases.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Per-pixel-channel absolute differences of two same-shaped images: [max, count > 0, count > 1, total]. */
  static int[] diff(RgbImage expected, RgbImage actual) {
    if (expected.width() != actual.width() || expected.height() != actual.height()) {
      throw new AssertionError("size " + actual + " != expected " + expected);
    }
    byte[] e = expected.rgb();
    byte[] a = actual.rgb();
    int max = 0;
    int off = 0;
    int offMore = 0;
    for (int i = 0; i < e.length; i++) {
      int d = Math.abs((e[i] & 0xff) - (a[i] & 0xff));
      max = Math.max(max, d);
      off += d > 0 ? 1 : 0;
      offMore += d > 1 ? 1 : 0;
    }
    return new int[] {max, off, offMore, e.length};
  }
}
