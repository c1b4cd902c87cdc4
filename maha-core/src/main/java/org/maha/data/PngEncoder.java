package org.maha.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG writer (8-bit gray or RGB, no metadata chunks) so the synthetic set's bytes do not depend on
 * ImageIO's writer heuristics or timestamps: per-row filter chosen by the usual minimum-sum-of-absolute-values
 * rule, then zlib at its fastest level (level 6 was twice as slow for 2 % smaller files of these noisy images).
 * Bytes still depend on the platform's zlib build. {@code maha bench} also writes its libpng-like test files with it
 * (level 6, libpng's default).
 */
public final class PngEncoder {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int COMPRESSION_LEVEL = 1;

  private PngEncoder() {}

  /** PNG file bytes for interleaved 8-bit {@code pixels} of a {@code width × height} image, deflate level 1. */
  static byte[] encode(int width, int height, int channels, byte[] pixels) {
    return encode(width, height, channels, pixels, COMPRESSION_LEVEL);
  }

  /**
   * As {@link #encode(int, int, int, byte[])} at deflate level {@code level} (0-9; 6 is libpng's default, so
   * {@code level 6} gives files as PIL and most libpng-based tools write them).
   */
  public static byte[] encode(int width, int height, int channels, byte[] pixels, int level) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (gray) or 3 (RGB), found " + channels);
    }
    if (pixels.length != width * height * channels) {
      throw new IllegalArgumentException(
          "expected " + width * height * channels + " samples for " + width + "x" + height + "x" + channels
              + ", found " + pixels.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(pixels.length / 2 + 1024);
    out.writeBytes(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, width);
    putInt(ihdr, 4, height);
    ihdr[8] = 8; // bit depth
    ihdr[9] = (byte) (channels == 1 ? 0 : 2); // colour type: gray or truecolour
    // compression, filter method, interlace: all 0
    chunk(out, "IHDR", ihdr, ihdr.length);
    byte[] filtered = filter(width, height, channels, pixels);
    Deflater deflater = new Deflater(level);
    try {
      deflater.setInput(filtered);
      deflater.finish();
      ByteArrayOutputStream z = new ByteArrayOutputStream(filtered.length / 2 + 64);
      byte[] buf = new byte[1 << 16];
      while (!deflater.finished()) {
        int k = deflater.deflate(buf);
        z.write(buf, 0, k);
      }
      byte[] idat = z.toByteArray();
      chunk(out, "IDAT", idat, idat.length);
    } finally {
      deflater.end();
    }
    chunk(out, "IEND", new byte[0], 0);
    return out.toByteArray();
  }

  private static byte[] filter(int width, int height, int channels, byte[] px) {
    int stride = width * channels;
    byte[] out = new byte[height * (stride + 1)];
    byte[] candidate = new byte[stride];
    byte[] best = new byte[stride];
    for (int y = 0; y < height; y++) {
      int row = y * stride;
      int prev = row - stride;
      long bestCost = Long.MAX_VALUE;
      int bestType = 0;
      for (int type = 0; type <= 4; type++) {
        long cost = 0;
        for (int i = 0; i < stride; i++) {
          int x = px[row + i] & 0xff;
          int a = i >= channels ? px[row + i - channels] & 0xff : 0;
          int b = y > 0 ? px[prev + i] & 0xff : 0;
          int c = (y > 0 && i >= channels) ? px[prev + i - channels] & 0xff : 0;
          int predicted =
              switch (type) {
                case 0 -> 0;
                case 1 -> a;
                case 2 -> b;
                case 3 -> (a + b) >>> 1;
                default -> paeth(a, b, c);
              };
          byte f = (byte) (x - predicted);
          candidate[i] = f;
          cost += Math.abs((int) f);
        }
        if (cost < bestCost) {
          bestCost = cost;
          bestType = type;
          System.arraycopy(candidate, 0, best, 0, stride);
        }
      }
      out[y * (stride + 1)] = (byte) bestType;
      System.arraycopy(best, 0, out, y * (stride + 1) + 1, stride);
    }
    return out;
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] header = new byte[8];
    putInt(header, 0, length);
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(typeBytes, 0, header, 4, 4);
    out.write(header, 0, 8);
    out.write(data, 0, length);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, 0, length);
    byte[] tail = new byte[4];
    putInt(tail, 0, (int) crc.getValue());
    out.write(tail, 0, 4);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
