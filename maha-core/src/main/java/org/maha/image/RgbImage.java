package org.maha.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (HWC), as OpenCV's
 * {@code cv2.cvtColor(img, COLOR_BGR2RGB)} leaves it.
 *
 * <p>Immutable: the constructor copies {@code rgb} and {@link #rgb()} returns a copy.
 *
 * @param width  pixels per row, &ge; 1
 * @param height rows, &ge; 1
 * @param rgb    {@code width * height * 3} bytes, read as unsigned
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /** Validates the shape and copies the pixels. */
  public RgbImage {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be at least 1 x 1, got " + width + " x " + height);
    }
    if (rgb == null) {
      throw new IllegalArgumentException("rgb must not be null");
    }
    long expected = 3L * width * height;
    if (rgb.length != expected) {
      throw new IllegalArgumentException(
          "rgb must hold width*height*3 = " + expected + " bytes for " + width + " x " + height + ", got "
              + rgb.length);
    }
    rgb = rgb.clone();
  }

  /**
   * A gray image ({@code width * height} bytes, row-major) as RGB with its value in all three channels: how a
   * backbone trained on colour sees it (Fashion-MNIST).
   */
  public static RgbImage fromGray(int width, int height, byte[] gray) {
    if (gray == null || (long) width * height != gray.length) {
      throw new IllegalArgumentException("gray must hold width*height bytes for " + width + " x " + height);
    }
    byte[] rgb = new byte[gray.length * 3];
    for (int p = 0; p < gray.length; p++) {
      rgb[3 * p] = gray[p];
      rgb[3 * p + 1] = gray[p];
      rgb[3 * p + 2] = gray[p];
    }
    return new RgbImage(width, height, rgb);
  }

  /** A copy of the pixels; see {@link #pixels()} for the no-copy read used inside the package. */
  @Override
  public byte[] rgb() {
    return rgb.clone();
  }

  /** The pixels without copying, for the hot paths of this package. Not modified; callers must not modify. */
  byte[] pixels() {
    return rgb;
  }

  /**
   * SHA-256 of this image's content: its width and height (32-bit big-endian each), then the pixels as stored
   * (rows top to bottom, R, G, B). The same pixels give the same hash whatever file format or in-memory form they
   * came from; a model's history combines these into an image-set digest.
   */
  public byte[] contentSha256() {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
    md.update(java.nio.ByteBuffer.allocate(8).putInt(width).putInt(height).array());
    md.update(rgb);
    return md.digest();
  }

  /**
   * The {@code width × height} rectangle at column {@code x}, row {@code y} of this image, as a new image (a tile;
   * copies only the rectangle's pixels).
   *
   * @throws IllegalArgumentException when the rectangle is empty or leaves the image
   */
  public RgbImage crop(int x, int y, int width, int height) {
    if (x < 0 || y < 0 || width < 1 || height < 1 || (long) x + width > this.width
        || (long) y + height > this.height) {
      throw new IllegalArgumentException("crop at (" + x + ", " + y + ") of " + width + " x " + height
          + " leaves the " + this.width + " x " + this.height + " image");
    }
    byte[] out = new byte[3 * width * height];
    for (int r = 0; r < height; r++) {
      System.arraycopy(rgb, 3 * ((y + r) * this.width + x), out, 3 * r * width, 3 * width);
    }
    return new RgbImage(width, height, out); // copies the tile once more: a record's constructor always copies
  }

  /** The unsigned value of channel {@code c} (0 = R) at column {@code x}, row {@code y}. */
  public int sample(int x, int y, int c) {
    if (x < 0 || x >= width || y < 0 || y >= height || c < 0 || c > 2) {
      throw new IndexOutOfBoundsException(
          "(x, y, c) = (" + x + ", " + y + ", " + c + ") outside " + width + " x " + height + " x 3");
    }
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && width == other.width
        && height == other.height
        && Arrays.equals(rgb, other.rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + " x " + height + "]";
  }
}
