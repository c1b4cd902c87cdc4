package org.maha.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Writes a small inspection data set in the MVTec AD layout, made by this code alone, so the whole pipeline can
 * be run and tested without MVTec AD (which cannot be downloaded here). Per category: {@code train/good}, {@code
 * test/good} and one {@code test/<defect>} folder per {@link #DEFECT_TYPES} entry, 8-bit PNGs named {@code
 * 000.png, 001.png, …}. Normal images are random views of one seeded surface; defective ones are such views with
 * one drawn defect (PAPER §1.2 labels: {@code good} normal, anything else anomalous). Each defective image has its
 * ground-truth mask in the MVTec layout, {@code ground_truth/<defect>/<name>_mask.png}: 8-bit gray, 255 on every
 * pixel the defect touched and 0 elsewhere, so every pixel outside the mask equals the defect-free view.
 *
 * <p>Deterministic: every image's pixels depend only on (spec seed, category name, folder, index) and are
 * computed with {@link StrictMath} and integer hashing, so they are identical on every run and JVM; the PNG bytes
 * are too, given the same zlib. Output appears atomically: everything is written to a hidden sibling folder that is
 * renamed to {@code root} at the end, and removed if anything fails.
 */
public final class SyntheticInspectionSet {
  /** The test defect folders, in the order MVTec sorting puts them. */
  public static final List<String> DEFECT_TYPES =
      Stream.of(Defect.values()).map(Defect::folderName).sorted().toList();

  /** The procedural surfaces {@link #write} knows; category names must be among these. */
  public static final List<String> TEXTURES = ProceduralTexture.Kind.names();

  private SyntheticInspectionSet() {}

  /**
   * What to generate. {@code categories} name procedural surfaces ({@link #TEXTURES}) for {@link #write}, or
   * override the per-texture names in {@link #writeFromTextures} (empty there: use the file names).
   *
   * @param px image side in pixels, 16..4096
   * @param nTrain images in {@code train/good}, ≥ 1
   * @param nTestGood images in {@code test/good}, ≥ 1
   * @param nPerDefect images in each {@code test/<defect>} folder, ≥ 1
   * @param seed any value; different seeds give different surfaces and views
   */
  public record Spec(List<String> categories, int px, int nTrain, int nTestGood, int nPerDefect, long seed) {
    /** Validates sizes and names; copies the list. */
    public Spec {
      categories = List.copyOf(categories);
      if (new HashSet<>(categories).size() != categories.size()) {
        throw new IllegalArgumentException("category names must be distinct, found " + categories);
      }
      for (String c : categories) {
        if (!isFolderName(c)) {
          throw new IllegalArgumentException("category must be a plain folder name, found '" + c + "'");
        }
      }
      if (px < 16 || px > 4096) {
        throw new IllegalArgumentException("px must be in [16, 4096], found " + px);
      }
      if (nTrain < 1 || nTestGood < 1 || nPerDefect < 1) {
        throw new IllegalArgumentException(
            "nTrain, nTestGood and nPerDefect must each be >= 1, found " + nTrain + ", " + nTestGood + ", "
                + nPerDefect);
      }
    }

    /**
     * The demo set: fabric (RGB), granite (gray) and weave (RGB) at 256 px; per category 60 train, 20 good
     * test and 10 images of each of the 4 defect types (360 images in all).
     */
    public static Spec demo() {
      return new Spec(List.of("fabric", "granite", "weave"), 256, 60, 20, 10, 2020L);
    }

    /** Ground-truth masks this spec writes per category: one per defective test image. */
    public int masksPerCategory() {
      return nPerDefect * DEFECT_TYPES.size();
    }

    /** Total number of images this spec writes per category. */
    public int imagesPerCategory() {
      return nTrain + nTestGood + nPerDefect * DEFECT_TYPES.size();
    }
  }

  /**
   * Writes the procedural data set described by {@code spec} to {@code root}, which must not exist or be an
   * empty folder.
   *
   * @throws FileAlreadyExistsException if {@code root} exists and is not a folder (left untouched)
   * @throws DirectoryNotEmptyException if {@code root} is a non-empty folder (left untouched)
   * @throws IllegalArgumentException if {@code spec} names no category or an unknown texture
   */
  public static void write(Path root, Spec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    if (spec.categories().isEmpty()) {
      throw new IllegalArgumentException("spec names no categories; expected some of " + TEXTURES);
    }
    List<Category> categories = proceduralCategories(spec);
    writeAtomically(root, spec, categories, spec.px());
  }

  /**
   * Same as {@link #write}, but each defect is drawn at the scale of a {@code defectWindowPx}-px image, inside a
   * window of that size at a random place of the {@code spec.px()}-px image: large images with small defects
   * (with a 256-px window, blobs and holes of about 10 to 50 px, scratches and cracks 40 to 180 px long and 1 to
   * 3 px wide, whatever the image size), for tiling. Masks as in {@link #write}. With a window of {@code spec.px()}
   * the output is {@link #write}'s.
   *
   * @throws IllegalArgumentException as {@link #write}, or when the window is not 16 to {@code spec.px()} px
   */
  public static void writeLarge(Path root, Spec spec, int defectWindowPx) throws IOException {
    Objects.requireNonNull(spec, "spec");
    if (defectWindowPx < 16 || defectWindowPx > spec.px()) {
      throw new IllegalArgumentException("defect window must be 16 to " + spec.px() + " px, found " + defectWindowPx);
    }
    if (spec.categories().isEmpty()) {
      throw new IllegalArgumentException("spec names no categories; expected some of " + TEXTURES);
    }
    List<Category> categories = proceduralCategories(spec);
    writeAtomically(root, spec, categories, defectWindowPx);
  }

  /** The spec's categories on their procedural textures, each seeded from the spec's seed and its name. */
  private static List<Category> proceduralCategories(Spec spec) {
    List<Category> categories = new ArrayList<>();
    for (String name : spec.categories()) {
      ProceduralTexture.Kind kind = ProceduralTexture.Kind.of(name);
      long seed = SplitMix64.mix(spec.seed(), name.hashCode(), 0x7e47_0001L);
      categories.add(new Category(name, new Background.Procedural(new ProceduralTexture(kind, seed))));
    }
    return categories;
  }

  /**
   * Same as {@link #write}, but the backgrounds are random crops (with flips and quarter turns, brightness
   * jitter and noise) of the given texture images, converted to gray (e.g. {@code shared/textures/*.png}). One
   * category per texture, named after the file (without extension) unless {@code spec.categories()} gives as
   * many names as there are textures. Output images are gray.
   *
   * @throws IOException if a texture cannot be read or is not an image
   * @throws IllegalArgumentException if a texture is smaller than {@code spec.px()} or names collide
   */
  public static void writeFromTextures(Path root, List<Path> textures, Spec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    if (textures.isEmpty()) {
      throw new IllegalArgumentException("no texture files given");
    }
    if (!spec.categories().isEmpty() && spec.categories().size() != textures.size()) {
      throw new IllegalArgumentException(
          "spec gives " + spec.categories().size() + " category names for " + textures.size() + " textures");
    }
    List<Category> categories = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int t = 0; t < textures.size(); t++) {
      Path file = textures.get(t);
      String name = spec.categories().isEmpty() ? stem(file) : spec.categories().get(t);
      if (!isFolderName(name) || !seen.add(name)) {
        throw new IllegalArgumentException(file + ": category name '" + name + "' is not a new plain folder name");
      }
      Background.Photo photo = readGray(file);
      if (photo.width() < spec.px() || photo.height() < spec.px()) {
        throw new IllegalArgumentException(
            file + ": texture is " + photo.width() + "x" + photo.height() + ", smaller than px=" + spec.px());
      }
      categories.add(new Category(name, photo));
    }
    writeAtomically(root, spec, categories, spec.px());
  }

  /** One category to generate. */
  private record Category(String name, Background background) {}

  /** One image to generate: where, from what, with which seed, which defect if any, and its mask's file. */
  private record Job(Path file, Background background, long seed, Optional<Defect> defect, Optional<Path> mask) {}

  /** One rendered image and its defect mask (row-major px × px; all false without a defect). */
  record Drawn(Raster raster, boolean[] mask) {}

  /** The pixels of one image; package-private so tests can compare a defect against its defect-free view. */
  static Raster render(Background background, int px, long seed, Optional<Defect> defect) {
    return draw(background, px, seed, defect).raster();
  }

  /** The pixels of one image and the pixels its defect touched. */
  static Drawn draw(Background background, int px, long seed, Optional<Defect> defect) {
    return draw(background, px, seed, defect, px);
  }

  /**
   * As {@link #draw(Background, int, long, Optional)}, the defect drawn at the scale of a {@code window}-px image
   * into a window of that size at a random place (the whole image when {@code window == px}, drawing exactly as
   * that method: no extra random numbers are drawn then).
   */
  static Drawn draw(Background background, int px, long seed, Optional<Defect> defect, int window) {
    SplitMix64 rng = new SplitMix64(seed);
    Raster r = background.render(px, rng);
    if (defect.isEmpty()) {
      return new Drawn(r, new boolean[px * px]);
    }
    if (window == px) {
      return new Drawn(r, defect.get().draw(r, rng));
    }
    int ox = rng.nextInt(px - window + 1);
    int oy = rng.nextInt(px - window + 1);
    Raster w = new Raster(window, r.channels);
    for (int c = 0; c < r.channels; c++) {
      for (int y = 0; y < window; y++) {
        System.arraycopy(r.planes[c], (oy + y) * px + ox, w.planes[c], y * window, window);
      }
    }
    boolean[] inWindow = defect.get().draw(w, rng);
    boolean[] mask = new boolean[px * px];
    for (int y = 0; y < window; y++) {
      for (int c = 0; c < r.channels; c++) {
        System.arraycopy(w.planes[c], y * window, r.planes[c], (oy + y) * px + ox, window);
      }
      System.arraycopy(inWindow, y * window, mask, (oy + y) * px + ox, window);
    }
    return new Drawn(r, mask);
  }

  /** The mask as 8-bit gray samples, 255 inside and 0 outside (MVTec's convention). */
  static byte[] maskBytes(boolean[] mask) {
    byte[] out = new byte[mask.length];
    for (int i = 0; i < mask.length; i++) {
      out[i] = mask[i] ? (byte) 255 : 0;
    }
    return out;
  }

  private static void writeAtomically(Path root, Spec spec, List<Category> categories, int window)
      throws IOException {
    Path target = root.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("root must not be a file-system root, found " + root);
    }
    checkTarget(target);
    Files.createDirectories(parent);
    Path tmp = createPartialDir(parent, target.getFileName().toString());
    try {
      List<Job> jobs = plan(tmp, spec, categories);
      generate(jobs, spec.px(), window);
      checkTarget(target);
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(target); // empty (checked just above); throws DirectoryNotEmptyException if that changed
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } catch (IOException | RuntimeException | Error e) {
      deleteTree(tmp, e);
      throw e;
    } finally {
      org.maha.files.AtomicFiles.forgetTemporaryDirectory(tmp);
    }
  }

  private static void checkTarget(Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "exists and is not a folder");
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw new DirectoryNotEmptyException(target + " (refusing to write a data set into a non-empty folder)");
      }
    }
  }

  /** A new hidden sibling folder; created with the default permissions, unlike createTempDirectory's 0700. */
  private static Path createPartialDir(Path parent, String name) throws IOException {
    long pid = ProcessHandle.current().pid();
    for (int attempt = 0; ; attempt++) {
      Path p = parent.resolve("." + name + ".partial-" + pid + "-" + attempt);
      try {
        return org.maha.files.AtomicFiles.createTemporaryDirectory(p); // removed on SIGINT/SIGTERM
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10_000) {
          throw e;
        }
      }
    }
  }

  private static List<Job> plan(Path dir, Spec spec, List<Category> categories) throws IOException {
    List<Job> jobs = new ArrayList<>();
    for (Category c : categories) {
      Path cat = dir.resolve(c.name());
      addFolder(jobs, cat, "train/" + MvtecLayout.GOOD, spec.nTrain(), c, spec.seed(), Optional.empty());
      addFolder(jobs, cat, "test/" + MvtecLayout.GOOD, spec.nTestGood(), c, spec.seed(), Optional.empty());
      for (Defect d : Defect.values()) {
        addFolder(jobs, cat, "test/" + d.folderName(), spec.nPerDefect(), c, spec.seed(), Optional.of(d));
      }
    }
    return jobs;
  }

  private static void addFolder(
      List<Job> jobs, Path categoryDir, String folder, int count, Category c, long seed, Optional<Defect> defect)
      throws IOException {
    if (org.maha.files.AtomicFiles.shuttingDown()) { // interrupted: do not re-create what the cleanup removes
      throw new IOException("interrupted while writing " + categoryDir);
    }
    Path dir = Files.createDirectories(categoryDir.resolve(folder));
    Optional<Path> maskDir = defect.isEmpty() ? Optional.empty()
        : Optional.of(Files.createDirectories(categoryDir.resolve("ground_truth").resolve(defect.get().folderName())));
    int digits = Math.max(3, Integer.toString(count - 1).length());
    for (int i = 0; i < count; i++) {
      long imageSeed = SplitMix64.mix(seed, c.name().hashCode(), folder.hashCode(), i);
      String stem = String.format(Locale.ROOT, "%0" + digits + "d", i);
      Optional<Path> mask = maskDir.map(m -> m.resolve(stem + MvtecLayout.MASK_SUFFIX));
      jobs.add(new Job(dir.resolve(stem + ".png"), c.background(), imageSeed, defect, mask));
    }
  }

  /** Renders and writes every job, in parallel: each image has its own seed, so order does not matter. */
  private static void generate(List<Job> jobs, int px, int window) throws IOException {
    try {
      IntStream.range(0, jobs.size())
          .parallel()
          .forEach(
              k -> {
                Job job = jobs.get(k);
                Drawn drawn = draw(job.background(), px, job.seed(), job.defect(), window);
                Raster r = drawn.raster();
                byte[] png = PngEncoder.encode(px, px, r.channels, r.toBytes());
                try {
                  if (org.maha.files.AtomicFiles.shuttingDown()) { // interrupted: the folder is being removed
                    throw new IOException("interrupted while writing " + job.file());
                  }
                  Files.write(job.file(), png);
                  if (job.mask().isPresent()) {
                    Files.write(job.mask().get(), PngEncoder.encode(px, px, 1, maskBytes(drawn.mask())));
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Reads an image as gray in [0, 1]: single-band images as is, colour ones by Rec. 601 luma. */
  static Background.Photo readGray(Path file) throws IOException {
    BufferedImage img = ImageIO.read(file.toFile());
    if (img == null) {
      throw new IOException(file + ": not an image ImageIO can read (expected PNG, JPEG, BMP, GIF or TIFF)");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    double[] gray = new double[w * h];
    java.awt.image.Raster raster = img.getRaster();
    if (raster.getNumBands() == 1) {
      double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          gray[y * w + x] = raster.getSample(x, y, 0) / max;
        }
      }
    } else {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = img.getRGB(x, y);
          int r = (rgb >>> 16) & 0xff;
          int g = (rgb >>> 8) & 0xff;
          int b = rgb & 0xff;
          gray[y * w + x] = (0.299 * r + 0.587 * g + 0.114 * b) / 255.0;
        }
      }
    }
    return new Background.Photo(file, w, h, gray);
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private static boolean isFolderName(String s) {
    return s != null
        && !s.isEmpty()
        && !s.startsWith(".")
        && !s.contains("/")
        && !s.contains("\\")
        && s.chars().noneMatch(ch -> ch < 0x20);
  }

  /** Best-effort removal of a partial output; failures are attached to the original error. */
  private static void deleteTree(Path dir, Throwable primary) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      primary.addSuppressed(e);
    }
  }
}
