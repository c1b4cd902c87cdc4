package org.maha.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.maha.data.ImageFolder;
import org.maha.image.Frames;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MemoryImages;
import org.maha.pipeline.StreamedImages;

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
    List<org.maha.image.RawFrame> copy = frames.stream().map(RawFrame::internal).toList(); // refuses nulls
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
   * Image files read one at a time as they are needed, from any {@link Iterable} (e.g. a lazily listed folder
   * tree, or a queue of files arriving from a camera): only the images being decoded and batched are held, so
   * memory stays bounded (batch size plus the decode-ahead window) however many files pass. The iterator is
   * obtained once per detector call and used on the calling thread; it need not be thread-safe. Each result is
   * named by its path.
   *
   * @param files image files, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamFiles(Iterable<? extends Path> files) {
    Objects.requireNonNull(files, "files");
    return new Images("a stream of files", ex -> StreamedImages.files(files, ex.limits()));
  }

  /**
   * Image files from a {@link Stream}, read one at a time; see {@link #streamFiles(Iterable)}. A stream can be
   * read once: use these images in one detector call.
   *
   * @param files image files, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamFiles(Stream<? extends Path> files) {
    return streamFiles(once(files));
  }

  /**
   * {@link BufferedImage}s converted one at a time as they are needed, from any {@link Iterable} (a camera loop, a
   * generator): only the frames being converted and batched are held, so memory stays bounded however many frames
   * pass; see {@link #streamFiles(Iterable)} and {@link #of(List)}. Named {@code frame-0}, {@code frame-1}, ...
   *
   * @param frames the frames, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images stream(Iterable<? extends BufferedImage> frames) {
    Objects.requireNonNull(frames, "frames");
    return new Images("a stream of images in memory",
        ex -> StreamedImages.frames(frames, ex.limits(), Frames::fromBufferedImage));
  }

  /**
   * {@link BufferedImage}s from a {@link Stream}, converted one at a time; see {@link #stream(Iterable)}. A stream
   * can be read once: use these images in one detector call.
   *
   * @param frames the frames, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images stream(Stream<? extends BufferedImage> frames) {
    return stream(once(frames));
  }

  /**
   * Encoded images (PNG, JPEG, BMP, TIFF bytes) decoded one at a time as they are needed; see
   * {@link #stream(Iterable)} and {@link #encoded(List)}.
   *
   * @param encodedImages the files' bytes, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamEncoded(Iterable<byte[]> encodedImages) {
    Objects.requireNonNull(encodedImages, "encodedImages");
    return new Images("a stream of encoded images",
        ex -> StreamedImages.frames(encodedImages, ex.limits(), Frames::fromEncoded));
  }

  /**
   * Encoded images from a {@link Stream}; see {@link #streamEncoded(Iterable)}. A stream can be read once.
   *
   * @param encodedImages the files' bytes, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamEncoded(Stream<byte[]> encodedImages) {
    return streamEncoded(once(encodedImages));
  }

  /**
   * Raw camera buffers converted one at a time as they are needed; see {@link #stream(Iterable)} and
   * {@link #raw(List)}.
   *
   * @param frames the camera buffers, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamRaw(Iterable<RawFrame> frames) {
    Objects.requireNonNull(frames, "frames");
    return new Images("a stream of raw frames", ex -> StreamedImages.frames(frames, ex.limits(),
        (RawFrame f, org.maha.image.DecodeLimits limits) -> Frames.fromRaw(f.internal(), limits)));
  }

  /**
   * Raw camera buffers from a {@link Stream}; see {@link #streamRaw(Iterable)}. A stream can be read once.
   *
   * @param frames the camera buffers, produced lazily
   * @return the images, read when a detector uses them
   */
  public static Images streamRaw(Stream<RawFrame> frames) {
    return streamRaw(once(frames));
  }

  /** A stream as an Iterable that can be iterated once (a second use fails as the stream does). */
  private static <T> Iterable<T> once(Stream<T> stream) {
    Objects.requireNonNull(stream, "stream");
    return stream::iterator;
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
