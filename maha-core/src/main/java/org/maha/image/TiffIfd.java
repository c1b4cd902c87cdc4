package org.maha.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The few fields of a TIFF file's first IFD that ImageIO's TIFF reader handles differently from libtiff (as
 * OpenCV uses it): the Predictor (the JDK cannot undo horizontal differencing on 16-bit samples) and the
 * ColorMap (the JDK scales 16-bit entries by 255/65535, libtiff's RGBA interface takes the high byte).
 * Parsing is defensive: anything odd yields "not present" and leaves the decision to ImageIO.
 */
final class TiffIfd {
  private static final int TAG_BITS_PER_SAMPLE = 258;
  private static final int TAG_PREDICTOR = 317;
  private static final int TAG_COLOR_MAP = 320;
  private static final int TAG_TILE_WIDTH = 322;

  private final ByteBuffer buf;
  /** Byte position of the Predictor entry's value, or -1. */
  private int predictorValuePos = -1;
  private int predictor = 1;
  private int bitsPerSample = -1;
  private boolean tiled;
  private int[] colorMap;

  private TiffIfd(byte[] bytes) {
    buf = ByteBuffer.wrap(bytes);
  }

  /** Parses IFD0 of a TIFF file; never throws on malformed input. */
  static TiffIfd parse(byte[] bytes) {
    TiffIfd t = new TiffIfd(bytes);
    try {
      t.read();
    } catch (RuntimeException e) {
      // malformed IFD: keep whatever was read; ImageIO will report the damage itself
    }
    return t;
  }

  private void read() {
    buf.order(buf.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int ifd = buf.getInt(4);
    int n = buf.getShort(ifd) & 0xffff;
    for (int i = 0; i < n; i++) {
      int e = ifd + 2 + 12 * i;
      int tag = buf.getShort(e) & 0xffff;
      int type = buf.getShort(e + 2) & 0xffff;
      int count = buf.getInt(e + 4);
      int size = type == 3 ? 2 : (type == 4 ? 4 : 0); // SHORT or LONG; other types are not used here
      if (size == 0 || count < 1) {
        continue;
      }
      int valuePos = (long) size * count <= 4 ? e + 8 : buf.getInt(e + 8);
      switch (tag) {
        case TAG_PREDICTOR -> {
          predictor = value(valuePos, size);
          predictorValuePos = valuePos;
        }
        case TAG_BITS_PER_SAMPLE -> bitsPerSample = value(valuePos, size);
        case TAG_TILE_WIDTH -> tiled = true;
        case TAG_COLOR_MAP -> {
          int[] map = new int[count];
          for (int k = 0; k < count; k++) {
            map[k] = value(valuePos + k * size, size);
          }
          colorMap = map;
        }
        default -> { }
      }
    }
  }

  /**
   * Refuses a first IFD whose entries, values, strips or tiles lie past the end of the file. The JDK reader
   * allocates arrays of the sizes the file declares (a count of 2^30 strip offsets in a 200-byte file), so every
   * declared size is bounded by the file's length first; only IFD0 is looked at because only the first page is
   * read (a chain of IFDs that loops back is never followed).
   */
  static void checkBounds(byte[] bytes) throws ImageDecodeException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long len = bytes.length;
    if (len < 8) {
      throw new ImageDecodeException("truncated or corrupt TIFF: " + len + " bytes, shorter than its header");
    }
    b.order(b.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    long ifd = b.getInt(4) & 0xffffffffL;
    if (ifd + 2 > len) {
      throw new ImageDecodeException("truncated or corrupt TIFF: first IFD at byte " + ifd + ", past the end ("
          + len + " bytes)");
    }
    int n = b.getShort((int) ifd) & 0xffff;
    if (ifd + 2 + 12L * n > len) {
      throw new ImageDecodeException("truncated or corrupt TIFF: first IFD claims " + n + " entries, past the end");
    }
    long[][] ranges = new long[4][]; // strip offsets, strip byte counts, tile offsets, tile byte counts
    for (int i = 0; i < n; i++) {
      int e = (int) ifd + 2 + 12 * i;
      int tag = b.getShort(e) & 0xffff;
      int type = b.getShort(e + 2) & 0xffff;
      long count = b.getInt(e + 4) & 0xffffffffL;
      long size = typeSize(type);
      long bytesNeeded = size * count; // < 2^35: exact
      long valuePos = bytesNeeded <= 4 ? e + 8 : b.getInt(e + 8) & 0xffffffffL;
      if (valuePos + bytesNeeded > len) {
        throw new ImageDecodeException("truncated or corrupt TIFF: tag " + tag + " claims " + count
            + " values ending past the end of the file (" + len + " bytes)");
      }
      int slot = switch (tag) {
        case 273 -> 0;
        case 279 -> 1;
        case 324 -> 2;
        case 325 -> 3;
        default -> -1;
      };
      if (slot >= 0 && (type == 3 || type == 4)) {
        long[] v = new long[(int) count]; // count * size <= file length: bounded
        for (int k = 0; k < v.length; k++) {
          int p = (int) valuePos + k * (int) size;
          v[k] = type == 3 ? b.getShort(p) & 0xffff : b.getInt(p) & 0xffffffffL;
        }
        ranges[slot] = v;
      }
    }
    checkSegments(ranges[0], ranges[1], "strip", len);
    checkSegments(ranges[2], ranges[3], "tile", len);
  }

  private static void checkSegments(long[] offsets, long[] counts, String what, long len)
      throws ImageDecodeException {
    if (counts == null) {
      return;
    }
    for (int i = 0; i < counts.length; i++) {
      long start = offsets != null && i < offsets.length ? offsets[i] : 0;
      if (start + counts[i] > len) {
        throw new ImageDecodeException("truncated or corrupt TIFF: " + what + " " + i + " claims bytes " + start
            + " to " + (start + counts[i]) + ", past the end of the file (" + len + " bytes)");
      }
    }
  }

  /** Bytes per value of a TIFF field type (unknown types: 1, so that their counts are still bounded). */
  private static long typeSize(int type) {
    return switch (type) {
      case 3, 8 -> 2;
      case 4, 9, 11, 13 -> 4;
      case 5, 10, 12, 16, 17, 18 -> 8;
      default -> 1;
    };
  }

  private int value(int pos, int size) {
    return size == 2 ? buf.getShort(pos) & 0xffff : buf.getInt(pos);
  }

  /** True for 16-bit strips with horizontal differencing, which the JDK reader refuses and we undo ourselves. */
  boolean needsPredictorWorkaround() {
    return predictor == 2 && bitsPerSample == 16 && !tiled && predictorValuePos >= 0;
  }

  /** A copy of the file with Predictor set to 1 (none), so that ImageIO returns the differenced samples. */
  byte[] withoutPredictor() {
    byte[] copy = buf.array().clone();
    ByteBuffer.wrap(copy).order(buf.order()).putShort(predictorValuePos, (short) 1);
    return copy;
  }

  /**
   * The palette as libtiff's RGBA interface builds it, {@code [3][n]}: entries used as they are when all are
   * below 256 (an "8-bit colormap"), else their high byte. Null when the IFD has no usable ColorMap.
   */
  int[][] palette() {
    if (colorMap == null || colorMap.length % 3 != 0) {
      return null;
    }
    int n = colorMap.length / 3;
    boolean eightBit = true;
    for (int v : colorMap) {
      eightBit &= v < 256;
    }
    int[][] p = new int[3][n];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < n; i++) {
        int v = colorMap[c * n + i];
        p[c][i] = eightBit ? v : v >> 8;
      }
    }
    return p;
  }
}
