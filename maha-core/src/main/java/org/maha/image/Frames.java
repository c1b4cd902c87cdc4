package org.maha.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.WritableRaster;
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
    int w = frame.width();
    int h = frame.height();
    ImageDecoder.checkLimits(w, h, limits);
    byte[] in = frame.data();
    int channels = frame.format().channels();
    boolean bgr = frame.format() == RawFrame.PixelFormat.BGR || frame.format() == RawFrame.PixelFormat.BGRA;
    int r = bgr ? 2 : 0;
    int b = bgr ? 0 : 2;
    byte[] out = new byte[w * h * 3]; // <= MAX_PIXELS_CEILING * 3, checked by RawFrame
    int o = 0;
    for (int y = 0; y < h; y++) {
      int p = frame.offset() + y * frame.rowStride(); // inside data: checked by RawFrame
      if (channels == 1) {
        for (int x = 0; x < w; x++, p++) {
          out[o++] = in[p];
          out[o++] = in[p];
          out[o++] = in[p];
        }
      } else {
        for (int x = 0; x < w; x++, p += channels) {
          out[o++] = in[p + r];
          out[o++] = in[p + 1];
          out[o++] = in[p + b];
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
