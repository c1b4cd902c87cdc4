package org.maha.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads the MVTec AD folder layout {@code ROOT/CATEGORY/train/good/*} and {@code ROOT/CATEGORY/test/<class>/*}
 * in the order of the official code (PAPER §1.2): class folders sorted by name, files sorted by name, folder
 * {@code good} normal and every other class anomalous. Other folders ({@code ground_truth}, hidden ones) are
 * ignored when listing; {@link #maskPath} names a test image's ground-truth mask,
 * {@code CATEGORY/ground_truth/<class>/<name>_mask.png} as in MVTec AD.
 */
public final class MvtecLayout {
  /** The class folder of normal images, in train and test. */
  public static final String GOOD = "good";

  /** The folder of ground-truth masks, beside {@code train/} and {@code test/}. */
  public static final String GROUND_TRUTH = "ground_truth";

  /** A mask's file name is the test image's name without its extension, then this. */
  public static final String MASK_SUFFIX = "_mask.png";

  static final String LAYOUT_HINT =
      "expected ROOT/CATEGORY/train/good/<images> and ROOT/CATEGORY/test/<good|defect type>/<images>";

  private MvtecLayout() {}

  /** The category {@code root/name}; see the class comment for the layout and ordering. */
  public static MvtecCategory category(Path root, String name) throws DataException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
      throw new DataException(root, "category must be a single folder name, found '" + name + "'");
    }
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      String hint = Files.isDirectory(root) ? availableHint(root) : " (no folder " + root + ")";
      throw new DataException(dir, "category folder not found" + hint);
    }
    return read(dir, name);
  }

  /** Every category under {@code root} (sub-folders having {@code train/good}), sorted by name. */
  public static List<MvtecCategory> all(Path root) throws DataException {
    List<String> names = categoryNames(root);
    if (names.isEmpty()) {
      throw new DataException(root, "no categories found (no sub-folder has train/good); " + LAYOUT_HINT);
    }
    List<MvtecCategory> out = new ArrayList<>(names.size());
    for (String name : names) {
      out.add(read(root.resolve(name), name));
    }
    return List.copyOf(out);
  }

  /**
   * The categories to work on: {@code root/category} if a category is given, else {@code root} itself when it
   * is a category folder (has {@code train/} and {@code test/}), else every category under {@code root}. A given
   * category that equals the name of a category folder passed as {@code root} is accepted too.
   */
  public static List<MvtecCategory> resolve(Path root, Optional<String> category) throws DataException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(category, "category");
    if (!Files.exists(root)) {
      throw new DataException(root, "folder not found");
    }
    if (!Files.isDirectory(root)) {
      throw new DataException(root, "not a folder");
    }
    boolean rootIsCategory = isCategoryFolder(root);
    String rootName = folderName(root);
    if (category.isPresent()) {
      String name = category.get();
      if (rootIsCategory && name.equals(rootName) && !Files.isDirectory(root.resolve(name))) {
        return List.of(read(root, name));
      }
      return List.of(category(root, name));
    }
    if (rootIsCategory) {
      return List.of(read(root, rootName));
    }
    return all(root);
  }

  /**
   * Where the ground-truth mask of {@code image}, a test image of the category folder {@code categoryRoot}, is in
   * the MVTec layout ({@code categoryRoot/ground_truth/<defect type>/<name>_mask.png}); empty for a {@code good}
   * image, which has none (all its pixels are normal). Does not look at the file system.
   */
  public static Optional<Path> maskPath(Path categoryRoot, LabeledImage image) {
    if (!image.anomalous()) {
      return Optional.empty();
    }
    String name = image.path().getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return Optional.of(categoryRoot.resolve(GROUND_TRUTH).resolve(image.defectType()).resolve(stem + MASK_SUFFIX));
  }

  /** Reads one category folder; the name is given because {@code dir} may be "." or relative. */
  private static MvtecCategory read(Path dir, String name) throws DataException {
    Path train = dir.resolve("train");
    if (!Files.isDirectory(train)) {
      throw new DataException(dir, "no train/ folder; " + LAYOUT_HINT);
    }
    Path trainGood = train.resolve(GOOD);
    if (!Files.isDirectory(trainGood)) {
      throw new DataException(
          train, "no good/ folder (found " + subfolders(train) + "); only normal images belong in train/good");
    }
    List<Path> trainImages = ImageFolder.list(trainGood);
    Path test = dir.resolve("test");
    if (!Files.isDirectory(test)) {
      throw new DataException(dir, "no test/ folder; " + LAYOUT_HINT);
    }
    List<String> classes = subfolders(test);
    if (classes.isEmpty()) {
      throw new DataException(test, "no class folders (expected good/ and one folder per defect type)");
    }
    List<LabeledImage> testImages = new ArrayList<>();
    for (String cls : classes) {
      for (Path p : ImageFolder.list(test.resolve(cls))) {
        testImages.add(LabeledImage.of(p, cls));
      }
    }
    return new MvtecCategory(name, dir, trainImages, testImages);
  }

  private static boolean isCategoryFolder(Path dir) {
    return Files.isDirectory(dir.resolve("train")) && Files.isDirectory(dir.resolve("test"));
  }

  /** The folder's own name, also for "." or a trailing "..". */
  private static String folderName(Path dir) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? dir.toString() : name.toString();
  }

  /** Names of sub-folders having train/good, sorted. */
  private static List<String> categoryNames(Path root) throws DataException {
    List<String> names = new ArrayList<>();
    for (String sub : subfolders(root)) {
      if (Files.isDirectory(root.resolve(sub).resolve("train").resolve(GOOD))) {
        names.add(sub);
      }
    }
    return names;
  }

  private static String availableHint(Path root) {
    try {
      List<String> names = categoryNames(root);
      return names.isEmpty()
          ? " (" + root + " holds no category folders)"
          : " (available: " + String.join(", ", names) + ")";
    } catch (DataException e) {
      return "";
    }
  }

  /** Visible sub-folder names of {@code dir}, sorted like Python. */
  static List<String> subfolders(Path dir) throws DataException {
    if (!Files.exists(dir)) {
      throw new DataException(dir, "folder not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "not a folder");
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .forEach(names::add);
    } catch (IOException | SecurityException e) {
      throw new DataException(dir, "cannot list folder (" + e + ")", e);
    }
    names.sort(ImageFolder.PYTHON_ORDER);
    return names;
  }
}
