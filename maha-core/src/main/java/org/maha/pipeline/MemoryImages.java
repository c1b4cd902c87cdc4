package org.maha.pipeline;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.maha.image.DecodeLimits;
import org.maha.image.Frames;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageMemoryException;
import org.maha.image.RawFrame;
import org.maha.image.RgbImage;

/**
 * Frames already in memory as an {@link FeatureExtractor.ImageSource}, so that they are fitted and scored by the
 * same extraction, preprocessing and model as files ({@link Jobs}) and give the same scores. Each frame is
 * converted ({@link Frames}) on the extractor's decoding threads, under the same {@link DecodeLimits} as files; a
 * frame that cannot be converted is an {@link InputException} naming it ({@code frame-3}), skipped or fatal as
 * the caller chose, exactly as an unreadable file. The list is read, not copied: it and its frames must not change
 * while a run uses them.
 *
 * @param <T> the frame's form
 */
public final class MemoryImages<T> implements FeatureExtractor.ImageSource {

  /** Converts one frame; the {@link Frames} methods. */
  @FunctionalInterface
  public interface Converter<T> {
    RgbImage convert(T frame, DecodeLimits limits) throws ImageDecodeException;
  }

  private final List<? extends T> frames;
  private final DecodeLimits limits;
  private final Converter<T> converter;

  private MemoryImages(List<? extends T> frames, DecodeLimits limits, Converter<T> converter) {
    this.frames = Objects.requireNonNull(frames, "frames");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.converter = converter;
  }

  /** Encoded PNG, JPEG, BMP or TIFF files held in memory. */
  public static MemoryImages<byte[]> encoded(List<byte[]> frames, DecodeLimits limits) {
    return new MemoryImages<>(frames, limits, Frames::fromEncoded);
  }

  /** {@link BufferedImage}s of any type. */
  public static MemoryImages<BufferedImage> bufferedImages(List<? extends BufferedImage> frames,
      DecodeLimits limits) {
    return new MemoryImages<>(frames, limits, Frames::fromBufferedImage);
  }

  /** Raw 8-bit interleaved camera buffers. */
  public static MemoryImages<RawFrame> raw(List<RawFrame> frames, DecodeLimits limits) {
    return new MemoryImages<>(frames, limits, Frames::fromRaw);
  }

  @Override
  public int size() {
    return frames.size();
  }

  /** {@code frame-<i>}, counting from 0 in list order. */
  @Override
  public Path name(int i) {
    return Path.of("frame-" + i);
  }

  @Override
  public RgbImage decode(int i) throws InputException {
    return convert(frames.get(i), name(i), limits, converter);
  }

  /** {@code frame} converted, its failures as an {@link InputException} naming it {@code name}. */
  static <T> RgbImage convert(T frame, Path name, DecodeLimits limits, Converter<T> converter)
      throws InputException {
    if (frame == null) {
      throw new InputException(name, "no frame (null)");
    }
    try {
      return converter.convert(frame, limits);
    } catch (ImageDecodeException e) {
      throw new InputException(name, e.getMessage());
    } catch (ImageMemoryException e) {
      throw e.naming(name);
    }
  }
}
