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
