package org.maha.image;

/**
 * Limits checked before an image file is read or any pixel decoded, so that a small file claiming a huge size (a
 * decompression bomb) or a huge file is rejected instead of exhausting memory.
 *
 * @param maxPixels    largest accepted width &times; height; at most {@link #MAX_PIXELS_CEILING}
 * @param maxFileBytes largest accepted file size, checked before reading; at most {@link #MAX_FILE_BYTES_CEILING}
 */
public record DecodeLimits(long maxPixels, long maxFileBytes) {

  /** 10<sup>8</sup> pixels (e.g. 10000 &times; 10000, 300 MB as RGB): far above any photo or MVTec image. */
  public static final DecodeLimits DEFAULT = new DecodeLimits(100_000_000L);

  /** The most pixels one {@link RgbImage} can hold: its RGB bytes must fit one Java array. */
  public static final long MAX_PIXELS_CEILING = (Integer.MAX_VALUE - 8) / 3;

  /** A file is read into one Java array. */
  public static final long MAX_FILE_BYTES_CEILING = Integer.MAX_VALUE - 8;

  /** Checks that the limits are positive and representable. */
  public DecodeLimits {
    if (maxPixels < 1 || maxPixels > MAX_PIXELS_CEILING) {
      throw new IllegalArgumentException(
          "maxPixels must be in [1, " + MAX_PIXELS_CEILING + "], got " + maxPixels);
    }
    if (maxFileBytes < 1 || maxFileBytes > MAX_FILE_BYTES_CEILING) {
      throw new IllegalArgumentException(
          "maxFileBytes must be in [1, " + MAX_FILE_BYTES_CEILING + "], got " + maxFileBytes);
    }
  }

  /** {@code maxPixels} with the file size bound derived from it ({@link #defaultMaxFileBytes(long)}). */
  public DecodeLimits(long maxPixels) {
    this(maxPixels, defaultMaxFileBytes(maxPixels));
  }

  /**
   * The largest file an image of {@code maxPixels} can legitimately be: 8 bytes per pixel (uncompressed 16-bit
   * RGBA, the widest layout read) plus 16 MiB of metadata (EXIF, ICC, thumbnails), capped at
   * {@link #MAX_FILE_BYTES_CEILING}. Anything bigger holds data no decoder reads.
   */
  public static long defaultMaxFileBytes(long maxPixels) {
    return Math.min(MAX_FILE_BYTES_CEILING, Math.max(1, maxPixels) * 8 + (16L << 20));
  }
}
