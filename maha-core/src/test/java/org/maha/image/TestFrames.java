package org.maha.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * One picture built in every in-memory form from the same pixels (shared by {@code FramesTest} and the pipeline's
 * score-equality test): {@link BufferedImage}s of each type, PNG bytes, raw buffers with padded rows.
 */
public final class TestFrames {
  /** The opaque colour types whose pixels {@code setRGB} stores exactly. */
  public static final int[] COLOUR_TYPES = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB,
      BufferedImage.TYPE_INT_ARGB_PRE, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_3BYTE_BGR,
      BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_4BYTE_ABGR_PRE};

  private TestFrames() {}

  /** {@code w * h} random ARGB pixels; alpha 255 if {@code opaque}, else random. */
  public static int[] argb(long seed, int w, int h, boolean opaque) {
    Random rnd = new Random(seed);
    int[] p = new int[w * h];
    for (int i = 0; i < p.length; i++) {
      p[i] = (rnd.nextInt() & 0xffffff) | ((opaque ? 0xff : rnd.nextInt(256)) << 24);
    }
    return p;
  }

  /** An image of {@code type} holding {@code argb} (via {@code setRGB}). */
  public static BufferedImage ofType(int[] argb, int w, int h, int type) {
    BufferedImage img = new BufferedImage(w, h, type);
    img.setRGB(0, 0, w, h, argb, 0, w);
    return img;
  }

  /** A BYTE_GRAY image of the given samples. */
  public static BufferedImage gray(byte[] samples, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, w, h, samples);
    return img;
  }

  /** A USHORT_GRAY image whose high bytes are {@code samples} and low bytes random (dropped by {@code v >> 8}). */
  public static BufferedImage gray16(byte[] samples, int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    short[] data = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
    Random rnd = new Random(seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = (short) (((samples[i] & 0xff) << 8) | rnd.nextInt(256));
    }
    return img;
  }

  /** A BYTE_INDEXED image over a random 256-colour palette, and (index 1) a BYTE_BINARY one over 2 colours. */
  public static BufferedImage indexed(long seed, int w, int h, int bits) {
    Random rnd = new Random(seed);
    int size = 1 << bits;
    byte[] r = new byte[size];
    byte[] g = new byte[size];
    byte[] b = new byte[size];
    rnd.nextBytes(r);
    rnd.nextBytes(g);
    rnd.nextBytes(b);
    IndexColorModel icm = new IndexColorModel(bits, size, r, g, b);
    BufferedImage img = new BufferedImage(w, h, bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED
        : BufferedImage.TYPE_BYTE_BINARY, icm);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, rnd.nextInt(size));
      }
    }
    return img;
  }

  /** The image encoded as PNG by ImageIO (RGB, RGBA, gray, 16-bit gray or palette, after its type). */
  public static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, "png", out)) {
        throw new IllegalStateException("no PNG writer for type " + img.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * {@code rgb} (interleaved R, G, B) laid out as {@code format} in a buffer with {@code offset} junk bytes before
   * the first row and {@code pad} junk bytes after each row; alpha, where the format has it, random.
   */
  public static RawFrame raw(byte[] rgb, int w, int h, RawFrame.PixelFormat format, int offset, int pad, long seed) {
    Random rnd = new Random(seed);
    int c = format.channels();
    int stride = w * c + pad;
    byte[] data = new byte[offset + h * stride];
    rnd.nextBytes(data); // junk where no pixel is
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int s = (y * w + x) * 3;
        int d = offset + y * stride + x * c;
        switch (format) {
          case RGB, RGBA -> {
            data[d] = rgb[s];
            data[d + 1] = rgb[s + 1];
            data[d + 2] = rgb[s + 2];
          }
          case BGR, BGRA -> {
            data[d] = rgb[s + 2];
            data[d + 1] = rgb[s + 1];
            data[d + 2] = rgb[s];
          }
          case GRAY -> data[d] = rgb[s];
          default -> throw new IllegalArgumentException(format.toString());
        }
      }
    }
    return new RawFrame(data, offset, w, h, stride, format);
  }
}
