package org.maha.imagenet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in index order (resource written by {@code make_imagenet_classes.py} from
 * Debian's torchvision 0.14), and the rule that maps a classifier's output index to one of them.
 */
public final class ImageNetClasses {
  /** The class names, index order. */
  public static final List<String> NAMES = load();

  private ImageNetClasses() {}

  /**
   * The ImageNet name of output {@code index} of a {@code classes}-way classifier: 1000 classes are ImageNet's in
   * order; 1001 have "background" at 0 and ImageNet class k at k + 1 (TensorFlow's slim/Coral models); any other
   * count gives "class N".
   */
  public static String className(int index, int classes) {
    if (classes == NAMES.size()) {
      return NAMES.get(index);
    }
    if (classes == NAMES.size() + 1) {
      return index == 0 ? "background" : NAMES.get(index - 1);
    }
    return "class " + index;
  }

  private static List<String> load() {
    try (InputStream in = ImageNetClasses.class.getResourceAsStream("imagenet_classes.txt")) {
      if (in == null) {
        throw new IllegalStateException("resource org/maha/imagenet/imagenet_classes.txt is missing from the jar");
      }
      List<String> out = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.add(line);
        }
      }
      if (out.size() != 1000) {
        throw new IllegalStateException("imagenet_classes.txt: expected 1000 lines, found " + out.size());
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
