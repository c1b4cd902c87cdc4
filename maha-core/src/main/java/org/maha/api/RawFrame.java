package org.maha.api;

import java.util.Objects;

/**
 * An 8-bit interleaved frame as camera SDKs hand it over, to score without encoding it first: a byte array, where
 * the first row starts, the size, the distance between rows (rows are often padded to 4, 16 or 64 bytes) and the
 * channel order. {@link Images#raw(List)} converts it exactly as a PNG of the same pixels is decoded (gray
 * replicated to R = G = B; alpha dropped, not composited), so both score the same to the last bit.
 *
 * <p>The geometry is checked at construction with exact arithmetic, so a wrong stride is refused rather than
 * reading another frame's bytes or past the array. The array is not copied (frames are large and short-lived): it
 * must not change until the detector call that uses the frame has returned. Two frames are equal when they share
 * the same array and geometry.
 *
 * @param data the pixels; row {@code y} starts at {@code offset + y * rowStride}
 * @param offset index of the first pixel's first byte, at least 0
 * @param width pixels per row, at least 1
 * @param height rows, at least 1
 * @param rowStride bytes from one row's start to the next, at least {@code width * format.channels()}
 * @param format the channel order of each pixel
 */
public record RawFrame(byte[] data, int offset, int width, int height, int rowStride, PixelFormat format) {

  /** Channel order of one pixel; every channel is one unsigned byte. */
  public enum PixelFormat {
    /** Red, green, blue. */
    RGB(3),
    /** Blue, green, red (OpenCV's and many SDKs' order). */
    BGR(3),
    /** One gray byte. */
    GRAY(1),
    /** Red, green, blue, alpha (alpha ignored). */
    RGBA(4),
    /** Blue, green, red, alpha (alpha ignored). */
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
   * Checks that the frame's rows lie inside {@code data}, before anything is read or allocated.
   *
   * @param data the pixels
   * @param offset index of the first pixel's first byte
   * @param width pixels per row
   * @param height rows
   * @param rowStride bytes from one row's start to the next
   * @param format the channel order
   * @throws IllegalArgumentException naming the first inconsistent number
   * @throws NullPointerException when {@code data} or {@code format} is null
   */
  public RawFrame {
    internal(data, offset, width, height, rowStride, format); // validates
  }

  /**
   * A frame whose rows are packed (stride = width × channels) from the start of {@code data}.
   *
   * @param data the pixels, row after row
   * @param width pixels per row, at least 1
   * @param height rows, at least 1
   * @param format the channel order
   * @return the frame
   * @throws IllegalArgumentException when {@code data} is too short for that size
   */
  public static RawFrame packed(byte[] data, int width, int height, PixelFormat format) {
    Objects.requireNonNull(format, "format");
    long stride = (long) width * format.channels();
    if (stride > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("row of " + width + " " + format + " pixels is " + stride
          + " bytes, more than one array can hold");
    }
    return new RawFrame(data, 0, width, height, (int) stride, format);
  }

  /** The pipeline's form of this frame (no copy). */
  org.maha.image.RawFrame internal() {
    return internal(data, offset, width, height, rowStride, format);
  }

  private static org.maha.image.RawFrame internal(byte[] data, int offset, int width, int height, int rowStride,
      PixelFormat format) {
    Objects.requireNonNull(format, "format");
    return new org.maha.image.RawFrame(data, offset, width, height, rowStride,
        org.maha.image.RawFrame.PixelFormat.valueOf(format.name()));
  }

  /** The geometry, not the pixels. */
  @Override
  public String toString() {
    return "RawFrame[" + width + " x " + height + " " + format + ", stride " + rowStride + ", offset " + offset + "]";
  }
}
