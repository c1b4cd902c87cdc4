package org.maha.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.RgbImage;

/** Reads and decodes one image file, turning every failure into an {@link InputException} naming the file. */
public final class ImageLoader {
  /** Files larger than this are refused before reading (no legitimate inspection image is this big). */
  static final long MAX_FILE_BYTES = 512L << 20;

  private ImageLoader() {}

  /** The file's pixels as RGB; any failure (missing, too large, not an image, truncated) names the file. */
  public static RgbImage decode(Path file, DecodeLimits limits) throws InputException {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new InputException(file, "file is " + size + " bytes, over the " + MAX_FILE_BYTES + " byte limit");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InputException(file, "no such file");
    } catch (IOException e) {
      throw new InputException(file, "cannot read (" + e.getMessage() + ")");
    }
    try {
      return ImageDecoder.decode(bytes, limits);
    } catch (ImageDecodeException e) {
      throw new InputException(file, e.getMessage());
    }
  }
}
