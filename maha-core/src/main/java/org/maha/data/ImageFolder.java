package org.maha.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Lists the image files of one folder in the order the official code uses (Python {@code sorted()} by name). */
public final class ImageFolder {
  /** Lower-case extensions accepted as images, in the order error messages list them. */
  static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

  private static final Set<String> EXTENSION_SET = Set.copyOf(EXTENSIONS);
  private static final String EXTENSION_LIST = "(." + String.join(", .", EXTENSIONS) + ")";

  /**
   * Python compares {@code str} by code point; {@link String#compareTo} compares UTF-16 units, which differs
   * only for characters beyond the BMP. Code points keep the index order equal to the official code's.
   */
  static final Comparator<String> PYTHON_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
      };

  private ImageFolder() {}

  /**
   * Image files directly in {@code dir} (extensions png, jpg, jpeg, bmp, tif, tiff, case-insensitive; names
   * starting with '.' are ignored; sub-folders are not entered), sorted by file name like Python's
   * {@code sorted()}.
   *
   * @throws DataException if {@code dir} is missing, is not a folder, cannot be read or holds no image
   */
  public static List<Path> list(Path dir) throws DataException {
    if (!Files.exists(dir)) {
      throw new DataException(dir, "folder not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "not a folder");
    }
    List<Path> images = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.filter(p -> isImageName(p.getFileName().toString()) && Files.isRegularFile(p)).forEach(images::add);
    } catch (IOException | SecurityException e) {
      throw new DataException(dir, "cannot list folder (" + e + ")", e);
    }
    if (images.isEmpty()) {
      throw new DataException(dir, "no images " + EXTENSION_LIST);
    }
    images.sort(Comparator.comparing(p -> p.getFileName().toString(), PYTHON_ORDER));
    return List.copyOf(images);
  }

  /** Whether a file name looks like a visible image file (not hidden, known extension). */
  static boolean isImageName(String fileName) {
    if (fileName.startsWith(".")) {
      return false;
    }
    int dot = fileName.lastIndexOf('.');
    return dot > 0 && EXTENSION_SET.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
