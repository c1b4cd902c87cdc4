package org.maha.image;

import java.io.ByteArrayOutputStream;

/**
 * A PNG file's chunk structure, walked without inflating anything: its header fields, how many bytes of compressed
 * pixel data (IDAT) it holds, and a copy without ancillary chunks. Ancillary chunks (text, ICC profiles, ...) are
 * dropped before ImageIO sees the file because its reader inflates {@code zTXt}/{@code iTXt}/{@code iCCP} without
 * any bound (a kilobyte can expand to gigabytes) and OpenCV ignores them anyway: the pixels are unchanged.
 */
final class PngChunks {
  /** Deflate cannot compress more than 1032:1; with headers and slack, a file claiming more is a bomb or cut. */
  static final long MAX_DEFLATE_RATIO = 1100;

  final long width;
  final long height;
  final int bitsPerPixel;
  final long compressedBytes;
  /** The file without ancillary chunks (the input itself when it had none). */
  final byte[] critical;

  private PngChunks(long width, long height, int bitsPerPixel, long compressedBytes, byte[] critical) {
    this.width = width;
    this.height = height;
    this.bitsPerPixel = bitsPerPixel;
    this.compressedBytes = compressedBytes;
    this.critical = critical;
  }

  /** Walks the chunks of {@code png}; a broken structure stops the walk (ImageIO then reports the damage). */
  static PngChunks walk(byte[] png) {
    long width = -1;
    long height = -1;
    int bits = -1;
    long idat = 0;
    ByteArrayOutputStream out = null; // the copy, started at the first ancillary chunk (most files have none)
    int pos = Math.min(8, png.length);
    while (pos + 12 <= png.length) {
      long length = u32(png, pos);
      if (length > png.length - pos - 12L) {
        break;
      }
      int len = (int) length;
      String type = new String(png, pos + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (type.equals("IHDR") && len >= 13) {
        width = u32(png, pos + 8);
        height = u32(png, pos + 12);
        bits = (png[pos + 16] & 0xff) * channels(png[pos + 17] & 0xff);
      } else if (type.equals("IDAT")) {
        idat += len;
      }
      if ((png[pos + 4] & 0x20) != 0) { // ancillary: lower-case first letter
        if (out == null) {
          out = new ByteArrayOutputStream(png.length);
          out.write(png, 0, pos);
        }
      } else if (out != null) {
        out.write(png, pos, len + 12);
      }
      pos += len + 12;
      if (type.equals("IEND")) {
        break;
      }
    }
    if (out == null) {
      return new PngChunks(width, height, bits, idat, png);
    }
    out.write(png, pos, png.length - pos);
    return new PngChunks(width, height, bits, idat, out.toByteArray());
  }

  /**
   * The least number of compressed bytes that can hold the claimed pixels (one filter byte per row plus the packed
   * samples), divided by the best ratio deflate reaches; -1 if the header was not understood.
   */
  long minCompressedBytes() {
    if (width < 1 || height < 1 || bitsPerPixel < 1) {
      return -1;
    }
    long rowBytes = (width * bitsPerPixel + 7) / 8 + 1; // width < 2^32, bits <= 64: no overflow
    try {
      return Math.multiplyExact(rowBytes, height) / MAX_DEFLATE_RATIO;
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static int channels(int colorType) {
    return switch (colorType) {
      case 0, 3 -> 1;
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> -64;
    };
  }

  private static long u32(byte[] b, int p) {
    return ((b[p] & 0xffL) << 24) | ((b[p + 1] & 0xffL) << 16) | ((b[p + 2] & 0xffL) << 8) | (b[p + 3] & 0xffL);
  }
}
