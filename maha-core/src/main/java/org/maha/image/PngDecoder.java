package org.maha.image;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the common PNG layouts straight to RGB {@code uint8}: the IDAT stream inflated by {@link Inflater} (the
 * JDK's native zlib) a block of rows at a time, the five row filters undone in place, and each row's samples
 * written to the RGB buffer, with no {@code BufferedImage}, colour model or per-pixel raster call. It produces
 * the bytes {@link ImageDecoder}'s ImageIO path produces (same rules: 16-bit samples {@code v >> 8}, gray
 * replicated, alpha dropped, palette looked up as ImageIO pads it, 1/2/4-bit gray scaled
 * {@code v * 255 / (2^bits - 1)}), which {@code PngDecoderTest} checks file by file against that path.
 *
 * <p>It takes only what it can promise to decode exactly as ImageIO does, and hands everything else back
 * ({@link #parse} or {@link #decode} return null) to the ImageIO path, which then gives today's pixels or today's
 * error message: Adam7 interlacing, chunks other than IHDR, PLTE, IDAT and IEND in the canonical order (the file
 * it reads is {@link PngChunks#critical}: ancillary chunks, tRNS included, are already gone), IDAT chunks not in
 * one run, a palette with more entries than the bit depth allows, and any data problem: a zlib stream that is
 * corrupt, fails its Adler-32 check, ends before the last row, holds more than the rows, or a filter type over 4.
 * So a well-formed file costs one pass, a bad one two (both bounded). Chunk CRCs are not checked, as ImageIO does
 * not check them.
 *
 * <p>Bounded for untrusted input: the header's size has passed {@link DecodeLimits} and the compressed-size
 * plausibility check before {@link #decode} runs; inflating stops at {@code height * (1 + rowBytes)} bytes plus
 * the one byte that shows the stream is longer, so a deflate bomb costs at most the claimed image. The
 * {@link Inflater}'s native memory is released in {@link #decode} on every path.
 */
final class PngDecoder {
  /** {@code -Dmaha.png.direct=false} sends every PNG through ImageIO (the reference path; an escape hatch). */
  static final String PROPERTY = "maha.png.direct";

  /** Whether {@link ImageDecoder} tries this decoder first; read once. */
  static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());

  /** Inflated bytes per block of rows (at least one row): large enough to amortise the native call. */
  private static final int BLOCK_BYTES = 64 * 1024;

  private static final int IHDR = 0x49484452;
  private static final int PLTE = 0x504c5445;
  private static final int IDAT = 0x49444154;
  private static final int IEND = 0x49454e44;

  final int width;
  final int height;
  private final int bitDepth;
  private final int colorType;
  private final int channels;
  /** Bytes of one row without its filter byte. */
  private final int rowBytes;
  /** Bytes per complete pixel, at least 1: the filters' left neighbour distance. */
  private final int filterBpp;
  /** Rows inflated per block. */
  private final int blockRows;
  /** For colour type 3: R, G, B of each of the 256 indices, as ImageIO reads them ({@link #imageIoPalette}). */
  private final byte[] palette;
  private final byte[] png;
  private final int[] idatOffset;
  private final int[] idatLength;

  private PngDecoder(byte[] png, int width, int height, int bitDepth, int colorType, byte[] palette,
      int[] idatOffset, int[] idatLength, int rowBytes, int blockRows) {
    this.png = png;
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    this.colorType = colorType;
    this.channels = channels(colorType);
    this.rowBytes = rowBytes;
    this.filterBpp = Math.max(1, channels * bitDepth / 8);
    this.blockRows = blockRows;
    this.palette = palette;
    this.idatOffset = idatOffset;
    this.idatLength = idatLength;
  }

  /**
   * The header and chunk layout of {@code png} (a file holding only critical chunks) if it is one this decoder
   * takes, else null (ImageIO decides). Reads nothing but the chunk headers, IHDR and PLTE.
   */
  static PngDecoder parse(byte[] png) {
    if (png.length < 8 + 25 || !hasSignature(png) || u32(png, 8) != 13 || i32(png, 12) != IHDR) {
      return null;
    }
    long w = u32(png, 16);
    long h = u32(png, 20);
    int bitDepth = png[24] & 0xff;
    int colorType = png[25] & 0xff;
    if (w < 1 || h < 1 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE || !supported(colorType, bitDepth)
        || png[26] != 0 || png[27] != 0 || png[28] != 0) { // compression, filter method, no interlace
      return null;
    }
    byte[] palette = null;
    int[] offsets = new int[8];
    int[] lengths = new int[8];
    int idats = 0;
    boolean idatRunOver = false;
    int pos = 8 + 25;
    while (true) {
      if (png.length - pos < 12) {
        return null; // no IEND
      }
      long length = u32(png, pos);
      if (length > png.length - pos - 12L) {
        return null;
      }
      int type = i32(png, pos + 4);
      int data = pos + 8;
      if (type == IDAT) {
        if (idatRunOver) {
          return null; // IDAT chunks not in one run: ImageIO stops at the first gap
        }
        if (idats == offsets.length) {
          offsets = java.util.Arrays.copyOf(offsets, idats * 2);
          lengths = java.util.Arrays.copyOf(lengths, idats * 2);
        }
        offsets[idats] = data;
        lengths[idats] = (int) length;
        idats++;
      } else if (idats > 0) {
        idatRunOver = true;
      }
      if (type == IEND) {
        if (length != 0) {
          return null;
        }
        break;
      } else if (type == PLTE) {
        if (palette != null || idats > 0 || colorType == 0 || colorType == 4 || length % 3 != 0 || length == 0
            || length / 3 > (colorType == 3 ? 1 << bitDepth : 256)) {
          return null; // a second PLTE, one after the pixels, in a gray image, cut or too long: ImageIO decides
        }
        palette = imageIoPalette(png, data, (int) length / 3, colorType == 3 ? bitDepth : 8);
      } else if (type != IDAT) {
        return null; // an unknown critical chunk
      }
      pos = data + (int) length + 4;
    }
    if (idats == 0 || (colorType == 3 && palette == null)) {
      return null;
    }
    long rowBytes = (w * channels(colorType) * bitDepth + 7) / 8;
    long blockRows = Math.max(1, Math.min(h, BLOCK_BYTES / (rowBytes + 1)));
    if ((blockRows + 1) * (rowBytes + 1) > Integer.MAX_VALUE - 8 || w * h > (Integer.MAX_VALUE - 8) / 3) {
      return null; // rows too long for one array: ImageIO refuses it too, with its own message
    }
    return new PngDecoder(png, (int) w, (int) h, bitDepth, colorType, colorType == 3 ? palette : null,
        java.util.Arrays.copyOf(offsets, idats), java.util.Arrays.copyOf(lengths, idats), (int) rowBytes,
        (int) blockRows);
  }

  /** Heap bytes {@link #decode} allocates besides the RGB output: the block of inflated rows. */
  long workBytes() {
    return (long) (blockRows + 1) * (rowBytes + 1);
  }

  /**
   * The pixels as RGB {@code uint8}, {@code width * height * 3} bytes, or null if the compressed data is not
   * exactly the rows the header promises (ImageIO then decides what the file is worth).
   */
  byte[] decode() {
    int stride = rowBytes + 1;
    byte[] rows = new byte[(blockRows + 1) * stride]; // slot 0: the row above the block (zeros above row 0)
    byte[] rgb = new byte[3 * width * height];
    byte[] lut = colorType == 0 && bitDepth < 8 ? grayLut(bitDepth) : null;
    Inflater inflater = new Inflater();
    try {
      int[] next = {0};
      for (int y = 0; y < height; ) {
        int n = Math.min(blockRows, height - y);
        if (!inflateFully(inflater, next, rows, stride, (n + 1) * stride)) {
          return null;
        }
        for (int i = 1; i <= n; i++, y++) {
          int row = i * stride;
          if (!unfilter(rows, row, row - stride, rowBytes, filterBpp)) {
            return null;
          }
          toRgb(rows, row + 1, rgb, 3 * width * y, lut);
        }
        System.arraycopy(rows, n * stride, rows, 0, stride);
      }
      return endsHere(inflater, next) ? rgb : null;
    } catch (DataFormatException e) {
      return null;
    } finally {
      inflater.end();
    }
  }

  /** Inflates into {@code out[from, to)}, feeding IDAT chunks as needed; false if the stream cannot fill it. */
  private boolean inflateFully(Inflater inflater, int[] next, byte[] out, int from, int to)
      throws DataFormatException {
    int off = from;
    while (off < to) {
      int k = inflater.inflate(out, off, to - off);
      if (k > 0) {
        off += k;
      } else if (inflater.needsInput() && !inflater.finished() && next[0] < idatOffset.length) {
        inflater.setInput(png, idatOffset[next[0]], idatLength[next[0]]);
        next[0]++;
      } else {
        return false; // ended early, wants a preset dictionary, or the IDAT chunks ran out
      }
    }
    return true;
  }

  /** Whether the zlib stream ends (Adler-32 checked by zlib) right after the last row, with no byte more. */
  private boolean endsHere(Inflater inflater, int[] next) throws DataFormatException {
    byte[] probe = new byte[1];
    while (!inflater.finished()) {
      if (inflater.inflate(probe) > 0) {
        return false; // more data than the rows: ImageIO ignores it; let it decide
      }
      if (inflater.finished()) {
        break;
      }
      if (inflater.needsInput() && next[0] < idatOffset.length) {
        inflater.setInput(png, idatOffset[next[0]], idatLength[next[0]]);
        next[0]++;
      } else {
        return false;
      }
    }
    return true;
  }

  /**
   * Undoes the filter of the row at {@code b[cur]} (its type byte, then {@code n} bytes) in place, given the
   * unfiltered row above at {@code b[prev + 1 ..]}; false for a filter type over 4. Sub, Average and Paeth carry a
   * dependency from each byte to the one {@code bpp} to its right; for 1 and 3 bytes per pixel (gray, palette and
   * low depths; 8-bit RGB) the loops keep those left neighbours in locals instead of re-reading the byte just stored.
   */
  static boolean unfilter(byte[] b, int cur, int prev, int n, int bpp) {
    int filter = b[cur] & 0xff;
    int c = cur + 1;
    int p = prev + 1;
    switch (filter) {
      case 0 -> {
      }
      case 1 -> sub(b, c, n, bpp);
      case 2 -> {
        for (int i = 0; i < n; i++) {
          b[c + i] += b[p + i];
        }
      }
      case 3 -> average(b, c, p, n, bpp);
      case 4 -> paeth(b, c, p, n, bpp);
      default -> {
        return false;
      }
    }
    return true;
  }

  private static void sub(byte[] b, int c, int n, int bpp) {
    if (bpp == 3 && n % 3 == 0) {
      int l0 = b[c];
      int l1 = b[c + 1];
      int l2 = b[c + 2];
      for (int i = 3; i < n; i += 3) {
        l0 += b[c + i];
        l1 += b[c + i + 1];
        l2 += b[c + i + 2];
        b[c + i] = (byte) l0;
        b[c + i + 1] = (byte) l1;
        b[c + i + 2] = (byte) l2;
      }
    } else if (bpp == 1) {
      int l = b[c];
      for (int i = 1; i < n; i++) {
        l += b[c + i];
        b[c + i] = (byte) l;
      }
    } else {
      for (int i = bpp; i < n; i++) {
        b[c + i] += b[c + i - bpp];
      }
    }
  }

  private static void average(byte[] b, int c, int p, int n, int bpp) {
    for (int i = 0; i < bpp && i < n; i++) {
      b[c + i] += (byte) ((b[p + i] & 0xff) >>> 1);
    }
    if (bpp == 3 && n % 3 == 0) {
      int l0 = b[c] & 0xff;
      int l1 = b[c + 1] & 0xff;
      int l2 = b[c + 2] & 0xff;
      for (int i = 3; i < n; i += 3) {
        l0 = (b[c + i] + ((l0 + (b[p + i] & 0xff)) >>> 1)) & 0xff;
        l1 = (b[c + i + 1] + ((l1 + (b[p + i + 1] & 0xff)) >>> 1)) & 0xff;
        l2 = (b[c + i + 2] + ((l2 + (b[p + i + 2] & 0xff)) >>> 1)) & 0xff;
        b[c + i] = (byte) l0;
        b[c + i + 1] = (byte) l1;
        b[c + i + 2] = (byte) l2;
      }
    } else if (bpp == 1) {
      int l = b[c] & 0xff;
      for (int i = 1; i < n; i++) {
        l = (b[c + i] + ((l + (b[p + i] & 0xff)) >>> 1)) & 0xff;
        b[c + i] = (byte) l;
      }
    } else {
      for (int i = bpp; i < n; i++) {
        b[c + i] += (byte) (((b[c + i - bpp] & 0xff) + (b[p + i] & 0xff)) >>> 1);
      }
    }
  }

  private static void paeth(byte[] b, int c, int p, int n, int bpp) {
    for (int i = 0; i < bpp && i < n; i++) {
      b[c + i] += b[p + i]; // Paeth with left = upper left = 0 predicts the byte above
    }
    if (bpp == 3 && n % 3 == 0) {
      int l0 = b[c] & 0xff;
      int l1 = b[c + 1] & 0xff;
      int l2 = b[c + 2] & 0xff;
      int ul0 = b[p] & 0xff;
      int ul1 = b[p + 1] & 0xff;
      int ul2 = b[p + 2] & 0xff;
      for (int i = 3; i < n; i += 3) {
        int u0 = b[p + i] & 0xff;
        int u1 = b[p + i + 1] & 0xff;
        int u2 = b[p + i + 2] & 0xff;
        l0 = (b[c + i] + predict(l0, u0, ul0)) & 0xff;
        l1 = (b[c + i + 1] + predict(l1, u1, ul1)) & 0xff;
        l2 = (b[c + i + 2] + predict(l2, u2, ul2)) & 0xff;
        b[c + i] = (byte) l0;
        b[c + i + 1] = (byte) l1;
        b[c + i + 2] = (byte) l2;
        ul0 = u0;
        ul1 = u1;
        ul2 = u2;
      }
    } else if (bpp == 1) {
      int l = b[c] & 0xff;
      int ul = b[p] & 0xff;
      for (int i = 1; i < n; i++) {
        int u = b[p + i] & 0xff;
        l = (b[c + i] + predict(l, u, ul)) & 0xff;
        b[c + i] = (byte) l;
        ul = u;
      }
    } else {
      for (int i = bpp; i < n; i++) {
        b[c + i] += (byte) predict(b[c + i - bpp] & 0xff, b[p + i] & 0xff, b[p + i - bpp] & 0xff);
      }
    }
  }

  /**
   * The Paeth predictor of the PNG specification ({@code pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft})
   * without branches, which noisy rows would mispredict.
   */
  private static int predict(int left, int up, int upLeft) {
    int pa = Math.abs(up - upLeft);
    int pb = Math.abs(left - upLeft);
    int pc = Math.abs(left + up - 2 * upLeft);
    int notLeft = ((pb - pa) | (pc - pa)) >> 31;
    int upOrUpLeft = up ^ ((up ^ upLeft) & ((pc - pb) >> 31));
    return left ^ ((left ^ upOrUpLeft) & notLeft);
  }

  /** One unfiltered row at {@code b[in ..]} as RGB at {@code out[o ..]}. */
  private void toRgb(byte[] b, int in, byte[] out, int o, byte[] lut) {
    int w = width;
    if (bitDepth == 8) {
      switch (colorType) {
        case 2 -> System.arraycopy(b, in, out, o, 3 * w);
        case 6 -> {
          for (int x = 0; x < w; x++, in += 4, o += 3) {
            out[o] = b[in];
            out[o + 1] = b[in + 1];
            out[o + 2] = b[in + 2];
          }
        }
        case 0, 4 -> {
          int step = channels;
          for (int x = 0; x < w; x++, in += step, o += 3) {
            byte g = b[in];
            out[o] = g;
            out[o + 1] = g;
            out[o + 2] = g;
          }
        }
        default -> { // 3
          byte[] pal = palette;
          for (int x = 0; x < w; x++, o += 3) {
            int i = (b[in + x] & 0xff) * 3;
            out[o] = pal[i];
            out[o + 1] = pal[i + 1];
            out[o + 2] = pal[i + 2];
          }
        }
      }
    } else if (bitDepth == 16) { // the high byte of each big-endian sample: v >> 8
      int step = 2 * channels;
      if (colorType == 0 || colorType == 4) {
        for (int x = 0; x < w; x++, in += step, o += 3) {
          byte g = b[in];
          out[o] = g;
          out[o + 1] = g;
          out[o + 2] = g;
        }
      } else {
        for (int x = 0; x < w; x++, in += step, o += 3) {
          out[o] = b[in];
          out[o + 1] = b[in + 2];
          out[o + 2] = b[in + 4];
        }
      }
    } else { // 1, 2 or 4 bits, gray or palette, most significant bits first
      int bits = bitDepth;
      int mask = (1 << bits) - 1;
      for (int x = 0, bit = 0; x < w; x++, bit += bits, o += 3) {
        int v = (b[in + (bit >>> 3)] >>> (8 - bits - (bit & 7))) & mask;
        if (lut != null) {
          byte g = lut[v];
          out[o] = g;
          out[o + 1] = g;
          out[o + 2] = g;
        } else {
          out[o] = palette[3 * v];
          out[o + 1] = palette[3 * v + 1];
          out[o + 2] = palette[3 * v + 2];
        }
      }
    }
  }

  /**
   * The 256 colours ImageIO gives palette indices: the PLTE's {@code entries} first, zeros up to the next of 2, 4,
   * 16 or 256 entries, and, when that is fewer than {@code 2^bits}, the last of those repeated up to it; an index
   * past all of them (8-bit data, a palette of at most 16) then reads as black in {@link ImageDecoder}. (libpng
   * gives black to every index past the PLTE: the two differ only on indices past the palette, which the PNG
   * specification calls an error; this follows ImageIO so that both paths agree.)
   */
  private static byte[] imageIoPalette(byte[] png, int data, int entries, int bits) {
    int rounded = entries > 16 ? 256 : entries > 4 ? 16 : entries > 2 ? 4 : 2;
    byte[] rgb = new byte[256 * 3];
    System.arraycopy(png, data, rgb, 0, 3 * entries);
    for (int i = rounded; i < 1 << bits; i++) {
      System.arraycopy(rgb, 3 * (rounded - 1), rgb, 3 * i, 3);
    }
    return rgb;
  }

  private static byte[] grayLut(int bits) {
    int max = (1 << bits) - 1;
    byte[] lut = new byte[max + 1];
    for (int v = 0; v <= max; v++) {
      lut[v] = (byte) (v * 255 / max);
    }
    return lut;
  }

  /** Colour type and bit depth this decoder takes: every combination PNG allows. */
  private static boolean supported(int colorType, int bitDepth) {
    return switch (colorType) {
      case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
      case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
      case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
      default -> false;
    };
  }

  private static int channels(int colorType) {
    return switch (colorType) {
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> 1;
    };
  }

  private static boolean hasSignature(byte[] b) {
    return (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[4] == '\r' && b[5] == '\n'
        && b[6] == 0x1a && b[7] == '\n';
  }

  private static long u32(byte[] b, int p) {
    return i32(b, p) & 0xffffffffL;
  }

  private static int i32(byte[] b, int p) {
    return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
  }
}
