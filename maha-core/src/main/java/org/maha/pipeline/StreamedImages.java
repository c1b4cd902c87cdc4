package org.maha.pipeline;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.maha.image.DecodeLimits;
import org.maha.image.RgbImage;

/**
 * Images of unknown number, read once from an {@link Iterable} as the extraction goes (a camera loop, a generator,
 * a {@code java.util.stream.Stream}'s iterator): only the images being decoded and batched are held, so memory is
 * bounded by the batch size and the decode-ahead window however many images pass. Each item is pulled on the
 * calling thread (the iterator need not be thread-safe) and converted on the decoding threads, with the same
 * limits, names and failures as {@link MemoryImages} and files.
 */
public final class StreamedImages implements FeatureExtractor.ImageSource {
  /** Converts one item, named for messages. */
  @FunctionalInterface
  private interface ItemDecoder<T> {
    RgbImage decode(T item, Path name) throws InputException;
  }

  private final Iterable<?> items;
  private final boolean namedByPath;
  private final ItemDecoder<Object> decoder;

  @SuppressWarnings("unchecked")
  private <T> StreamedImages(Iterable<? extends T> items, boolean namedByPath, ItemDecoder<T> decoder) {
    this.items = Objects.requireNonNull(items, "items");
    this.namedByPath = namedByPath;
    this.decoder = (ItemDecoder<Object>) decoder;
  }

  /** Image files, each named by its path, decoded under {@code limits}. */
  public static StreamedImages files(Iterable<? extends Path> files, DecodeLimits limits) {
    return new StreamedImages(files, true, (Path p, Path name) -> {
      if (p == null) {
        throw new InputException(name, "no file (null)");
      }
      return ImageLoader.decode(p, limits);
    });
  }

  /** Frames in memory converted by {@code converter} (the {@link MemoryImages} forms), named {@code frame-<i>}. */
  public static <T> StreamedImages frames(Iterable<? extends T> frames, DecodeLimits limits,
      MemoryImages.Converter<T> converter) {
    return new StreamedImages(frames, false,
        (T frame, Path name) -> MemoryImages.convert(frame, name, limits, converter));
  }

  /** Unknown until read: a stream has no size. */
  @Override
  public int size() {
    return UNKNOWN_SIZE;
  }

  /** Not by index: a stream is read in order through {@link #items()}. */
  @Override
  public Path name(int i) {
    throw new UnsupportedOperationException("a stream of images is read in order, not by index");
  }

  /** Not by index: a stream is read in order through {@link #items()}. */
  @Override
  public RgbImage decode(int i) {
    throw new UnsupportedOperationException("a stream of images is read in order, not by index");
  }

  @Override
  public Iterator<FeatureExtractor.Item> items() {
    Iterator<?> it = Objects.requireNonNull(items.iterator(), "iterator");
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public FeatureExtractor.Item next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        Object item = it.next();
        int i = next++;
        Path name = namedByPath && item instanceof Path p ? p : Path.of("frame-" + i);
        return new FeatureExtractor.Item(name, () -> decoder.decode(item, name));
      }
    };
  }
}
