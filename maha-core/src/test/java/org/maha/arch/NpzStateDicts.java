package org.maha.arch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;
import org.maha.weights.Tensor;

/**
 * Test-side loading of state dicts saved by numpy ({@code np.savez(file, **state_dict)}): one {@code KEY.npy} per
 * tensor. This stands in for the checkpoint readers of {@code org.maha.weights}, so the architecture tests depend
 * only on fixtures written by {@code make_fixtures.py}.
 */
final class NpzStateDicts {
  private NpzStateDicts() {}

  /** A resource of this package, read fully. */
  static byte[] resource(String name) {
    try (InputStream in = NpzStateDicts.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource org/maha/arch/" + name + " is missing; run make_fixtures.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every array of an .npz, keyed by its name without ".npy", in file order. */
  static Map<String, NpyArray> npz(byte[] zip) {
    Map<String, NpyArray> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String name = e.getName();
        String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        out.put(key, Npy.read(in.readAllBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NpyFormatException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** An .npz state dict as tensors (int64 entries such as num_batches_tracked become float values too). */
  static Map<String, Tensor> stateDict(byte[] zip) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NpyArray> e : npz(zip).entrySet()) {
      out.put(e.getKey(), new Tensor(e.getKey(), e.getValue().shape(), floats(e.getValue().data())));
    }
    return out;
  }

  static Map<String, Tensor> stateDict(Path npzFile) {
    try {
      return stateDict(Files.readAllBytes(npzFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static float[] floats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }
}
