package org.maha.image;

/**
 * Limits checked against an image file's header before any pixel is decoded, so that a small file claiming a
 * huge size (a decompression bomb) is rejected instead of exhausting memory.
 *
 * @param maxPixels largest accepted width &times; height; at most {@link #MAX_PIXELS_CEILING}
 */
public record DecodeLimits(long maxPixels) {

  /** 10<sup>8</sup> pixels (e.g. 10000 &times; 10000, 300 MB as RGB): far above any photo or MVTec image. */
  public static final DecodeLimits DEFAULT = new DecodeLimits(100_000_000L);

  /** The most pixels one {@link RgbImage} can hold: its RGB bytes must fit one Java array. */
  public static final long MAX_PIXELS_CEILING = (Integer.MAX_VALUE - 8) / 3;

  /** Checks that the limit is positive and representable. */
  public DecodeLimits {
    if (maxPixels < 1 || maxPixels > MAX_PIXELS_CEILING) {
      throw new IllegalArgumentException(
          "maxPixels must be in [1, " + MAX_PIXELS_CEILING + "], got " + maxPixels);
    }
  }
}
