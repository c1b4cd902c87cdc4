package org.maha.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.maha.data.ImageFolder;
import org.maha.image.RawFrame;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MemoryImages;

/**
 * Images to fit on or score, in any of the forms an application holds them: files, a folder, {@link BufferedImage}s
 * from a GUI or an image library, encoded PNG/JPEG/BMP/TIFF bytes from a network or a database, or raw 8-bit camera
 * buffers ({@link RawFrame}). One type with static factories instead of one detector overload per form. Every form
 * goes through the same decoding limits, OpenCV-exact resize and normalisation, so the same pixels give the same
 * score to the last bit whichever form carries them.
 *
 * <p>The lists are copied (a null element is refused at once with a {@link NullPointerException}), but frames are
 * not: a frame must not change while a detector call uses it. Nothing is
 * read until a detector call uses the images, so a folder is listed at that time.
 */
public final class Images {

  /** How the images become the pipeline's source, given the detector's extractor (and so its decode limits). */
  @FunctionalInterface
  interface Resolver {
    FeatureExtractor.ImageSource source(FeatureExtractor extractor) throws Exception;
  }

  private final String description;
  private final Resolver resolver;
  private final boolean skipUnreadable;

  private Images(String description, Resolver resolver) {
    this(description, resolver, false);
  }

  private Images(String description, Resolver resolver, boolean skipUnreadable) {
    this.description = description;
    this.resolver = resolver;
    this.skipUnreadable = skipUnreadable;
  }

  /**
   * The image files directly inside {@code folder} (PNG, JPEG, BMP, TIFF; not recursive), in name order: the
   * usual way to give training images. An unreadable image stops the call with a {@link MahaException} naming it.
   *
   * @param folder a folder of image files
   * @return the images, read when a detector uses them
   */
  public static Images folder(Path folder) {
    Objects.requireNonNull(folder, "folder");
    return new Images(folder.toString(), ex -> ex.files(ImageFolder.list(folder)));
  }

  /**
   * The given image files, in this order; each result is named by its path as given.
   *
   * @param files image files
   * @return the images, read when a detector uses them
   */
  public static Images files(List<Path> files) {
    List<Path> copy = List.copyOf(files);
    return new Images(describe(copy.size(), "files"), ex -> ex.files(copy));
  }

  /**
   * The given image files, in this order.
   *
   * @param files image files
   * @return the images, read when a detector uses them
   */
  public static Images files(Path... files) {
    return files(Arrays.asList(files));
  }

  /**
   * {@link BufferedImage}s of any type (gray, 16-bit, indexed, with or without alpha), read exactly as the file
   * decoder reads the same pixels saved as PNG; named {@code frame-0}, {@code frame-1}, ...
   *
   * @param images the images
   * @return the images, read when a detector uses them
   */
  public static Images of(List<? extends BufferedImage> images) {
    List<BufferedImage> copy = List.copyOf(images);
    return new Images(describe(copy.size(), "images in memory"),
        ex -> MemoryImages.bufferedImages(copy, ex.limits()));
  }

  /**
   * {@link BufferedImage}s of any type; see {@link #of(List)}.
   *
   * @param images the images
   * @return the images, read when a detector uses them
   */
  public static Images of(BufferedImage... images) {
    return of(Arrays.asList(images));
  }

  /**
   * Encoded image files held in memory (PNG, JPEG, BMP, TIFF), under the same size limits as files; named
   * {@code frame-0}, {@code frame-1}, ...
   *
   * @param encodedImages the files' bytes
   * @return the images, read when a detector uses them
   */
  public static Images encoded(List<byte[]> encodedImages) {
    List<byte[]> copy = List.copyOf(encodedImages);
    return new Images(describe(copy.size(), "encoded images"), ex -> MemoryImages.encoded(copy, ex.limits()));
  }

  /**
   * Encoded image files held in memory; see {@link #encoded(List)}.
   *
   * @param encodedImages the files' bytes
   * @return the images, read when a detector uses them
   */
  public static Images encoded(byte[]... encodedImages) {
    return encoded(Arrays.asList(encodedImages));
  }

  /**
   * Raw 8-bit interleaved camera buffers (RGB, BGR, gray, RGBA, BGRA with a row stride), as camera SDKs hand them
   * over, without encoding them first; named {@code frame-0}, {@code frame-1}, ...
   *
   * @param frames the camera buffers
   * @return the images, read when a detector uses them
   */
  public static Images raw(List<RawFrame> frames) {
    List<RawFrame> copy = List.copyOf(frames);
    return new Images(describe(copy.size(), "raw frames"), ex -> MemoryImages.raw(copy, ex.limits()));
  }

  /**
   * Raw camera buffers; see {@link #raw(List)}.
   *
   * @param frames the camera buffers
   * @return the images, read when a detector uses them
   */
  public static Images raw(RawFrame... frames) {
    return raw(Arrays.asList(frames));
  }

  /**
   * The same images described as {@code description} in a fitted model's provenance and in calibration records
   * (the default is the folder path, or e.g. "12 images in memory").
   *
   * @param description e.g. {@code "line 3, night shift"}
   * @return a copy with that description
   */
  public Images describedAs(String description) {
    return new Images(Objects.requireNonNull(description, "description"), resolver, skipUnreadable);
  }

  /**
   * The same images, but an image that cannot be read (corrupt, truncated, not an image, over the size limits) is
   * left out and reported in the result ({@link FitResult#skipped()}, {@link Scores#skipped()}) instead of stopping
   * the call with a {@link MahaException}. A call whose images are all unreadable still fails (nothing to fit).
   *
   * @return a copy that skips unreadable images
   */
  public Images skippingUnreadable() {
    return new Images(description, resolver, true);
  }

  boolean skipsUnreadable() {
    return skipUnreadable;
  }

  /** How these images are described in provenance. */
  @Override
  public String toString() {
    return description;
  }

  String description() {
    return description;
  }

  FeatureExtractor.ImageSource source(FeatureExtractor extractor) throws Exception {
    return resolver.source(extractor);
  }

  private static String describe(int n, String what) {
    return n + " " + what;
  }
}
