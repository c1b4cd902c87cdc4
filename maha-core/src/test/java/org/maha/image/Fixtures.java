package org.maha.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/** Reads this package's test resources (written by {@code make_fixtures.py}). */
final class Fixtures {
  private Fixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource org/maha/image/" + name + " not found; run make_fixtures.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NpyArray npy(byte[] bytes) {
    try {
      return Npy.read(bytes);
    } catch (NpyFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The k-th block along the first axis of an array of any rank, flattened in C order. */
  static double[] slice(NpyArray a, int k) {
    int block = a.data().length / a.dim(0);
    return java.util.Arrays.copyOfRange(a.data(), k * block, (k + 1) * block);
  }

  /** An H x W x 3 uint8 .npy as an image. */
  static RgbImage image(NpyArray a) {
    if (a.rank() != 3 || a.dim(2) != 3) {
      throw new IllegalArgumentException("expected H x W x 3, got " + java.util.Arrays.toString(a.shape()));
    }
    double[] d = a.data();
    byte[] rgb = new byte[d.length];
    for (int i = 0; i < d.length; i++) {
      rgb[i] = (byte) (int) d[i];
    }
    return new RgbImage(a.dim(1), a.dim(0), rgb);
  }
}
