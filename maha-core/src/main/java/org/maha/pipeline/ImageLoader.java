package org.maha.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.Preprocessing;
import org.maha.image.RgbImage;

/** Reads one image file and turns it into the backbone's normalised CHW input. Thread-safe. */
final class ImageLoader {
  /** Files larger than this are refused before reading (no legitimate inspection image is this big). */
  static final long MAX_FILE_BYTES = 512L << 20;

  private final Preprocessing preprocessing;
  private final DecodeLimits limits;

  ImageLoader(Preprocessing preprocessing, DecodeLimits limits) {
    this.preprocessing = preprocessing;
    this.limits = limits;
  }

  float[] load(Path file) throws InputException {
    return preprocessing.apply(decode(file, limits));
  }

  static RgbImage decode(Path file, DecodeLimits limits) throws InputException {
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
