package org.maha.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
   * What a folder holds besides images: the entries left out and why, so that the caller can tell the user (a
   * folder of {@code .gif} files, or one whose images sit in subfolders, must not silently yield nothing).
   *
   * @param images        image files, sorted (recursive: by relative path, component by component)
   * @param otherTypes    files left out for their extension, by lower-case extension ("" for none)
   * @param hidden        names starting with '.', files or folders, left out
   * @param notRegular    entries with an image name that are not regular files (pipes, devices, sockets, broken
   *                      links) or a symbolic link back to a folder already listed
   * @param subfolders    subfolders not entered (not recursive), sorted
   */
  public record Listing(Path dir, List<Path> images, Map<String, Integer> otherTypes, int hidden, int notRegular,
      List<String> subfolders) {
    /** Copies the collections. */
    public Listing {
      images = List.copyOf(images);
      otherTypes = Collections.unmodifiableMap(new TreeMap<>(otherTypes));
      subfolders = List.copyOf(subfolders);
    }

    /** Number of entries left out. */
    public int skippedCount() {
      return otherTypes.values().stream().mapToInt(Integer::intValue).sum() + hidden + notRegular + subfolders.size();
    }

    /** Why entries were left out, e.g. {@code "3 .gif, 1 without extension, 2 hidden, 1 subfolder (a)"}; "" if none. */
    public String skippedSummary() {
      List<String> parts = new ArrayList<>();
      otherTypes.forEach((ext, n) -> parts.add(n + (ext.isEmpty() ? " without extension" : " ." + ext)));
      if (hidden > 0) {
        parts.add(hidden + " hidden");
      }
      if (notRegular > 0) {
        parts.add(notRegular + " not regular file" + (notRegular == 1 ? "" : "s"));
      }
      if (!subfolders.isEmpty()) {
        parts.add(subfolders.size() + " subfolder" + (subfolders.size() == 1 ? "" : "s") + " ("
            + String.join(", ", subfolders.subList(0, Math.min(5, subfolders.size())))
            + (subfolders.size() > 5 ? ", ..." : "") + ")");
      }
      return String.join(", ", parts);
    }
  }

  /** Sub-folder depth at which a recursive listing stops: deeper trees are not image data sets. */
  static final int MAX_DEPTH = 32;

  /**
   * Image files directly in {@code dir} (extensions png, jpg, jpeg, bmp, tif, tiff, case-insensitive; names
   * starting with '.' are ignored; sub-folders are not entered), sorted by file name like Python's
   * {@code sorted()}.
   *
   * @throws DataException if {@code dir} is missing, is not a folder, cannot be read or holds no image
   */
  public static List<Path> list(Path dir) throws DataException {
    Listing l = scan(dir, false);
    if (l.images().isEmpty()) {
      throw new DataException(dir, "no images " + EXTENSION_LIST);
    }
    return l.images();
  }

  /**
   * Lists {@code dir} like {@link #list(Path)}, but returns what was left out instead of failing when there is no
   * image. With {@code recursive}, visible subfolders are entered (symbolic links are followed, but a link back to
   * a folder already listed is not, so loops end), in name order, down to {@link #MAX_DEPTH} levels.
   *
   * @throws DataException if {@code dir} is missing, is not a folder or cannot be read
   */
  public static Listing scan(Path dir, boolean recursive) throws DataException {
    if (!Files.exists(dir)) {
      throw new DataException(dir, "folder not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "not a folder");
    }
    Scan s = new Scan();
    try {
      s.visit(dir, dir, recursive, 0);
    } catch (IOException | SecurityException e) {
      throw new DataException(dir, "cannot list folder (" + e + ")", e);
    }
    return new Listing(dir, s.images, s.otherTypes, s.hidden, s.notRegular, s.subfolders);
  }

  private static final class Scan {
    final List<Path> images = new ArrayList<>();
    final Map<String, Integer> otherTypes = new TreeMap<>();
    final List<String> subfolders = new ArrayList<>();
    final Set<Path> visited = new HashSet<>();
    int hidden;
    int notRegular;

    void visit(Path root, Path dir, boolean recursive, int depth) throws IOException {
      if (!visited.add(dir.toRealPath())) {
        notRegular++; // a link back to a folder already listed
        return;
      }
      List<Path> entries;
      try (Stream<Path> st = Files.list(dir)) {
        entries = new ArrayList<>(st.toList());
      }
      entries.sort(Comparator.comparing(p -> p.getFileName().toString(), PYTHON_ORDER));
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          hidden++;
        } else if (Files.isDirectory(p)) {
          if (recursive && depth < MAX_DEPTH) {
            visit(root, p, true, depth + 1);
          } else {
            subfolders.add(root.relativize(p).toString());
          }
        } else if (!isImageName(name)) {
          int dot = name.lastIndexOf('.');
          otherTypes.merge(dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "", 1, Integer::sum);
        } else if (Files.isRegularFile(p)) {
          images.add(p);
        } else {
          notRegular++;
        }
      }
    }
  }

  /** The accepted extensions, lower case, without dots. */
  public static List<String> extensions() {
    return EXTENSIONS;
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
