package org.maha.pipeline;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.maha.files.InputFiles;
import org.maha.image.DecodeLimits;
import org.maha.image.HeapBudget;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.ImageMemoryException;
import org.maha.image.RgbImage;

/**
 * Reads and decodes one image file, turning every failure into an {@link InputException} naming the file, except
 * a lack of heap ({@link ImageMemoryException}, also naming it), which is not the file's fault and must stop the
 * run instead of being skipped as unreadable.
 */
public final class ImageLoader {
  private ImageLoader() {}

  /**
   * The file's pixels as RGB; any failure (missing, not a regular file, over {@code limits.maxFileBytes()}, not an
   * image, truncated) names the file. Pipes and devices are refused without being opened.
   *
   * @throws ImageMemoryException (unchecked) naming the file if this heap cannot hold the file or its pixels
   */
  public static RgbImage decode(Path file, DecodeLimits limits) throws InputException {
    byte[] bytes;
    HeapBudget budget = HeapBudget.JVM;
    try {
      long size = InputFiles.checkRegular(file, limits.maxFileBytes());
      // Released before decoding, which reserves the file's bytes again with its pixels: a thread never waits for
      // the budget while holding part of it, so two decodes cannot wait for each other.
      HeapBudget.Reservation held = budget.reserve(size, "the file's " + size + " bytes");
      try {
        bytes = InputFiles.readRegular(file, limits.maxFileBytes());
      } finally {
        held.close();
      }
      return ImageDecoder.decode(bytes, limits, budget);
    } catch (NoSuchFileException e) {
      throw new InputException(file, "no such file");
    } catch (InputFiles.RefusedException e) {
      throw new InputException(file, e.getMessage());
    } catch (IOException e) {
      throw new InputException(file, "cannot read (" + e.getMessage() + ")");
    } catch (ImageDecodeException e) {
      throw new InputException(file, e.getMessage());
    } catch (ImageMemoryException e) {
      throw e.naming(file);
    } catch (OutOfMemoryError e) {
      throw new ImageMemoryException("ran out of memory reading the file (Java heap "
          + (Runtime.getRuntime().maxMemory() >> 20) + " MB)").naming(file);
    }
  }
}
