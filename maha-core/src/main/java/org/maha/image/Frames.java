package org.maha.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Frames already in memory (encoded bytes, {@link BufferedImage}s, raw camera buffers) to the pipeline's
 * {@link RgbImage}, giving exactly what {@link ImageDecoder} gives for the same pixels saved as a PNG file, so that
 * a frame scores the same to the last bit whether it reached maha as a file or from memory. Each conversion checks
 * the {@link DecodeLimits} a file would be checked against, before the RGB copy is allocated. Thread-safe.
 */
public final class Frames {
  private Frames() {}

  /**
   * An encoded PNG, JPEG, BMP or TIFF held in memory: the file decoder with a file's limits (its size against
   * {@code limits.maxFileBytes()}, its header against {@code limits.maxPixels()}).
   */
  public static RgbImage fromEncoded(byte[] bytes, DecodeLimits limits) throws ImageDecodeException {
    return ImageDecoder.decode(bytes, limits);
  }

  /**
   * A {@link BufferedImage} of any type. Gray, RGB and palette rasters (all the {@code TYPE_*} constants but the
   * 5-6-5/5-5-5 ones) are read from their samples by the decoder's own rules for PNG: alpha dropped, gray
   * replicated without {@code getRGB}'s linear-gray &rarr; sRGB curve, 16-bit gray {@code v >> 8}. Premultiplied
   * rasters are first un-premultiplied ({@link ColorModel#coerceData}), since a PNG stores straight colour; where
   * alpha is 255 this is exact, elsewhere it is the rounding Java applies. Any other layout (packed 5-6-5,
   * non-RGB colour spaces, float samples) goes through {@link BufferedImage#getRGB}, Java's conversion to sRGB.
   *
   * @throws ImageDecodeException if the image has more pixels than {@code limits} allow
   */
  public static RgbImage fromBufferedImage(BufferedImage image, DecodeLimits limits) throws ImageDecodeException {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(limits, "limits");
    ImageDecoder.checkLimits(image.getWidth(), image.getHeight(), limits);
    BufferedImage straight = image;
    if (image.getColorModel().isAlphaPremultiplied()) {
      WritableRaster copy = image.copyData(null);
      ColorModel cm = image.getColorModel().coerceData(copy, false);
      straight = new BufferedImage(cm, copy, false, null);
    }
    try {
      return ImageDecoder.samplesToRgb(straight);
    } catch (ImageDecodeException e) {
      return viaGetRgb(straight); // a layout no image file decodes to: Java's own conversion is the reference
    }
  }

  /**
   * A raw interleaved 8-bit frame: RGB copied, BGR swapped, gray replicated to R = G = B, alpha dropped.
   *
   * @throws ImageDecodeException if the frame has more pixels than {@code limits} allow
   */
  public static RgbImage fromRaw(RawFrame frame, DecodeLimits limits) throws ImageDecodeException {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(limits, "limits");
    ImageDecoder.checkLimits(frame.width(), frame.height(), limits);
    byte[] data = frame.data();
    return convertRows(frame.width(), frame.height(), frame.format(),
        (y, row) -> System.arraycopy(data, frame.offset() + y * frame.rowStride(), row, 0, row.length));
  }

  /**
   * As {@link #fromRaw(RawFrame, DecodeLimits)} for a frame in a {@link ByteBuffer} (heap or direct, as SDKs
   * map camera memory), starting at its position and bounded by its limit; only the frame's rows are read, and
   * the buffer's position is not changed.
   *
   * @throws IllegalArgumentException if the rows do not lie between the buffer's position and limit
   * @throws ImageDecodeException if the frame has more pixels than {@code limits} allow
   */
  public static RgbImage fromRaw(ByteBuffer buffer, int width, int height, int rowStride,
      RawFrame.PixelFormat format, DecodeLimits limits) throws ImageDecodeException {
    Objects.requireNonNull(buffer, "buffer");
    Objects.requireNonNull(limits, "limits");
    RawFrame.checkGeometry(buffer.limit(), buffer.position(), width, height, rowStride, format);
    ImageDecoder.checkLimits(width, height, limits);
    int start = buffer.position();
    return convertRows(width, height, format, (y, row) -> buffer.get(start + y * rowStride, row, 0, row.length));
  }

  /** Copies row {@code y}'s {@code row.length} bytes into {@code row}. */
  private interface RowReader {
    void read(int y, byte[] row);
  }

  /** RGB copied, BGR swapped, gray replicated to R = G = B, alpha dropped; geometry already checked. */
  private static RgbImage convertRows(int w, int h, RawFrame.PixelFormat format, RowReader rows) {
    int channels = format.channels();
    boolean bgr = format == RawFrame.PixelFormat.BGR || format == RawFrame.PixelFormat.BGRA;
    int r = bgr ? 2 : 0;
    int b = bgr ? 0 : 2;
    byte[] out = new byte[w * h * 3]; // <= MAX_PIXELS_CEILING * 3, checked with the geometry
    byte[] row = new byte[w * channels]; // <= the stride, an int
    int o = 0;
    for (int y = 0; y < h; y++) {
      rows.read(y, row);
      if (channels == 1) {
        for (int x = 0; x < w; x++) {
          out[o++] = row[x];
          out[o++] = row[x];
          out[o++] = row[x];
        }
      } else {
        for (int p = 0; p < row.length; p += channels) {
          out[o++] = row[p + r];
          out[o++] = row[p + 1];
          out[o++] = row[p + b];
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  private static RgbImage viaGetRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        out[o++] = (byte) (row[x] >> 16);
        out[o++] = (byte) (row[x] >> 8);
        out[o++] = (byte) row[x];
      }
    }
    return new RgbImage(w, h, out);
  }
}
