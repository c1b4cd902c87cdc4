package org.maha.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/** Locates the fixtures written by {@code make_fixtures.py} in this package's test resources. */
final class WeightFixtures {
  private WeightFixtures() {}

  static Path path(String name) {
    URL url = WeightFixtures.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("missing test fixture " + name + " (run make_fixtures.py)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The state dict's keys in file order, as the script saved them. */
  static List<String> expectedKeys() {
    try {
      return Files.readAllLines(path("expected/keys.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The float32 values (and shape) a reader must return for {@code key}. */
  static NpyArray expected(String key) {
    try {
      return Npy.read(Files.readAllBytes(path("expected/" + key + ".npy")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NpyFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  static String text(String name) {
    try {
      return Files.readString(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
