package org.maha.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/** The tiny CNN fixtures written by {@code make_tiny_cnn.py} (same resource folder). */
final class TinyCnn {
  static final int SIZE_PX = 32;
  static final int IMAGES = 5;
  static final String[] LEVELS = {"s1", "s2", "pooled"};

  private TinyCnn() {}

  /** A resource of this package as a file path. */
  static Path resource(String name) {
    URL url = TinyCnn.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("test resource org/maha/backbone/" + name + " is missing; run make_tiny_cnn.py");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fixed input batch, [5, 3, 32, 32] float32, as one NCHW array. */
  static float[] input() {
    try {
      NpyArray a = Npy.read(Files.readAllBytes(resource("tiny_cnn_input.npy")));
      float[] x = new float[a.data().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) a.data()[i];
      }
      return x;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NpyFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Images {@code from .. from+n-1} of the fixed batch. */
  static float[] images(int from, int n) {
    float[] all = input();
    int per = 3 * SIZE_PX * SIZE_PX;
    float[] x = new float[n * per];
    System.arraycopy(all, from * per, x, 0, x.length);
    return x;
  }

  /** numpy float64 reference: {@code [level][image][feature]} for {@link #LEVELS}. */
  static double[][][] expectedFeatures() {
    try (InputStream in = Files.newInputStream(resource("tiny_cnn_expected.json"))) {
      JsonNode features = new ObjectMapper().readTree(in).get("features");
      double[][][] out = new double[LEVELS.length][][];
      for (int l = 0; l < LEVELS.length; l++) {
        JsonNode level = features.get(LEVELS[l]);
        out[l] = new double[level.size()][];
        for (int i = 0; i < level.size(); i++) {
          out[l][i] = new double[level.get(i).size()];
          for (int k = 0; k < out[l][i].length; k++) {
            out[l][i][k] = level.get(i).get(k).asDouble();
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
