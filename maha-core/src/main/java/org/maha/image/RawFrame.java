package org.maha.image;

import java.util.Objects;

/**
 * An 8-bit interleaved frame as camera SDKs hand it over: a byte buffer, where the first row starts, the size, the
 * distance between rows (rows are often padded to 4, 16 or 64 bytes) and the channel order. Converted to the
 * pipeline's {@link RgbImage} by {@link Frames#fromRaw}, exactly as {@link ImageDecoder} would decode a PNG of the
 * same pixels (gray replicated to R = G = B; alpha dropped, not composited).
 *
 * <p>The geometry is checked here with exact arithmetic, before anything is allocated, because these numbers come
 * from another library and a wrong stride would otherwise read another frame's bytes or run past the buffer. The
 * record holds {@code data} without copying (frames are large and short-lived): the caller must not change it
 * until the frame has been converted.
 *
 * @param data      the buffer; row {@code y} starts at {@code offset + y * rowStride}
 * @param offset    index of the first pixel's first byte, &ge; 0
 * @param width     pixels per row, &ge; 1
 * @param height    rows, &ge; 1
 * @param rowStride bytes from one row's start to the next, &ge; {@code width * format.channels()}
 * @param format    the channel order of each pixel
 */
public record RawFrame(byte[] data, int offset, int width, int height, int rowStride, PixelFormat format) {

  /** Channel order of one pixel; every channel is one unsigned byte. */
  public enum PixelFormat {
    /** Red, green, blue. */
    RGB(3),
    /** Blue, green, red (OpenCV's and many cameras' order). */
    BGR(3),
    /** One gray value. */
    GRAY(1),
    /** Red, green, blue, alpha (dropped). */
    RGBA(4),
    /** Blue, green, red, alpha (dropped). */
    BGRA(4);

    private final int channels;

    PixelFormat(int channels) {
      this.channels = channels;
    }

    /**
     * Bytes per pixel.
     *
     * @return 1, 3 or 4
     */
    public int channels() {
      return channels;
    }
  }

  /**
   * Checks that the frame's rows lie inside {@code data}.
   *
   * @param data      the buffer
   * @param offset    index of the first pixel's first byte
   * @param width     pixels per row
   * @param height    rows
   * @param rowStride bytes from one row's start to the next
   * @param format    the channel order of each pixel
   * @throws IllegalArgumentException naming the first inconsistent number
   */
  public RawFrame {
    Objects.requireNonNull(data, "data");
    checkGeometry(data.length, offset, width, height, rowStride, format);
  }

  /**
   * Checks that a frame of this geometry lies inside a buffer of {@code capacity} bytes, in this order: size, pixel
   * count, offset, stride, end; with exact arithmetic, so that no product can wrap to a small number.
   *
   * @throws IllegalArgumentException naming the first inconsistent number
   */
  static void checkGeometry(long capacity, int offset, int width, int height, int rowStride, PixelFormat format) {
    Objects.requireNonNull(format, "format");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("frame size must be at least 1 x 1, got " + width + " x " + height);
    }
    long pixels = Math.multiplyExact((long) width, (long) height);
    if (pixels > DecodeLimits.MAX_PIXELS_CEILING) {
      throw new IllegalArgumentException("frame of " + width + " x " + height + " = " + pixels
          + " pixels, more than the " + DecodeLimits.MAX_PIXELS_CEILING + " one image can hold");
    }
    if (offset < 0 || offset > capacity) {
      throw new IllegalArgumentException("offset " + offset + " outside the buffer of " + capacity + " bytes");
    }
    long rowBytes = Math.multiplyExact((long) width, (long) format.channels());
    if (rowStride < rowBytes) {
      throw new IllegalArgumentException("row stride of " + rowStride + " bytes, less than the " + rowBytes
          + " bytes of one row (" + width + " pixels of " + format + ")");
    }
    long end = Math.addExact(Math.addExact((long) offset,
        Math.multiplyExact((long) height - 1, (long) rowStride)), rowBytes);
    if (end > capacity) {
      throw new IllegalArgumentException("frame of " + width + " x " + height + " " + format + " pixels with row "
          + "stride " + rowStride + " from offset " + offset + " needs " + end + " bytes, the buffer has "
          + capacity);
    }
  }

  /**
   * A frame whose rows are packed (stride = width &times; channels) from the start of {@code data}.
   *
   * @param data   the buffer
   * @param width  pixels per row
   * @param height rows
   * @param format the channel order of each pixel
   * @return the frame
   * @throws IllegalArgumentException naming the first inconsistent number
   */
  public static RawFrame packed(byte[] data, int width, int height, PixelFormat format) {
    Objects.requireNonNull(format, "format");
    long stride = (long) width * format.channels();
    if (stride > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("row of " + width + " " + format + " pixels is " + stride
          + " bytes, more than one buffer can hold");
    }
    return new RawFrame(data, 0, width, height, (int) stride, format);
  }
}
