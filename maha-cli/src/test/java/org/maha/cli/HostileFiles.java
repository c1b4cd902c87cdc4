package org.maha.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.maha.image.PngBytes;

/**
 * Generates the hostile corpus at test time: small files (kilobytes) built byte by byte, each one class of attack
 * on a reader (a header claiming a huge size, a chunk that inflates to gigabytes, a loop, a cut file). Generated
 * rather than committed so that each file's construction is readable next to the test that uses it.
 */
final class HostileFiles {
  private HostileFiles() {}

  static byte[] ihdr(long w, long h, int bitDepth, int colorType) {
    return PngBytes.chunk("IHDR", ByteBuffer.allocate(13).putInt((int) w).putInt((int) h).put((byte) bitDepth)
        .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** zlib stream of {@code n} zero bytes, compressed as far as deflate goes (about 1000:1). */
  static byte[] deflatedZeros(long n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(out, new Deflater(9), 1 << 16)) {
      byte[] block = new byte[1 << 20];
      for (long left = n; left > 0; left -= block.length) {
        z.write(block, 0, (int) Math.min(left, block.length));
      }
    }
    return out.toByteArray();
  }

  /**
   * A valid RGB PNG of w x h black pixels: tiny on disk (zeros deflate ~1000:1) but w*h*3 bytes once decoded,
   * what a large scan or a decompression bomb within the pixel limit looks like to the decoder.
   */
  static byte[] blackPng(int w, int h) throws IOException {
    long raw = (long) h * (1 + 3L * w);
    return concat(PngBytes.SIGNATURE, ihdr(w, h, 8, 2), PngBytes.chunk("IDAT", deflatedZeros(raw)), PngBytes.chunk("IEND", new byte[0]));
  }

  /** A PNG header claiming w x h RGB pixels whose IDAT holds only a few compressed bytes. */
  static byte[] idatBombPng(int w, int h) throws IOException {
    return concat(PngBytes.SIGNATURE, ihdr(w, h, 8, 2), PngBytes.chunk("IDAT", deflatedZeros(1000)), PngBytes.chunk("IEND", new byte[0]));
  }

  /** A valid 8 x 8 palette PNG (the JDK parses every chunk of those) carrying a chunk that inflates to n bytes. */
  static byte[] ancillaryBombPng(String type, long n) throws IOException {
    byte[] keyword = (type.equals("iCCP") ? "icc" : "Comment").getBytes(StandardCharsets.US_ASCII);
    byte[] data = concat(keyword, new byte[] {0, 0}, deflatedZeros(n));
    byte[] plte = new byte[3 * 2];
    plte[3] = (byte) 255;
    byte[] rows = new byte[8 * 9];
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        rows[y * 9 + 1 + x] = (byte) ((x + y) & 1);
      }
    }
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(idat)) {
      z.write(rows);
    }
    return concat(PngBytes.SIGNATURE, ihdr(8, 8, 8, 3), PngBytes.chunk("PLTE", plte), PngBytes.chunk(type, data),
        PngBytes.chunk("IDAT", idat.toByteArray()), PngBytes.chunk("IEND", new byte[0]));
  }

  static byte[] write(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, b)) {
      throw new IllegalStateException("no ImageIO writer for " + format);
    }
    return b.toByteArray();
  }

  /** A JPEG whose frame header (SOF0) claims w x h pixels: the rest of the file is that of a small image. */
  static byte[] jpegClaiming(byte[] jpeg, int w, int h) {
    byte[] b = jpeg.clone();
    for (int i = 2; i + 9 < b.length; i++) {
      if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xC0) {
        b[i + 5] = (byte) (h >> 8);
        b[i + 6] = (byte) h;
        b[i + 7] = (byte) (w >> 8);
        b[i + 8] = (byte) w;
        return b;
      }
    }
    throw new IllegalStateException("no SOF0 marker");
  }

  /** A progressive JPEG of the image (ImageIO's default progression, about ten scans). */
  static byte[] progressiveJpeg(BufferedImage img) throws IOException {
    javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
    p.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var ios = ImageIO.createImageOutputStream(out)) {
      w.setOutput(ios);
      w.write(null, new javax.imageio.IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return out.toByteArray();
  }

  /**
   * The JPEG with its last scan (SOS segment and data) repeated {@code copies} more times before EOI: each copy is a
   * few bytes but costs the decoder a pass over the whole image.
   */
  static byte[] withRepeatedLastScan(byte[] jpeg, int copies) {
    int sos = -1;
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == 0xDA) {
        sos = i;
      }
    }
    int eoi = jpeg.length - 2;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, eoi);
    for (int c = 0; c < copies; c++) {
      out.write(jpeg, sos, eoi - sos);
    }
    out.write(jpeg, eoi, 2);
    return out.toByteArray();
  }

  /** A 54-byte BMP header (24-bit, uncompressed) claiming w x h pixels, with no pixel data after it. */
  static byte[] bmpHeader(int w, int h) {
    ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
    b.putInt(40).putInt(w).putInt(h).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
        .putInt(2835).putInt(2835).putInt(0).putInt(0);
    return b.array();
  }

  /** Little-endian TIFF entry. */
  private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
    b.putShort((short) tag).putShort((short) type).putInt(count);
    if (type == 3 && count == 1) {
      b.putShort((short) value).putShort((short) 0);
    } else {
      b.putInt(value);
    }
  }

  /**
   * A tiny 4 x 4 gray TIFF with one strip; {@code stripCount} StripOffsets/StripByteCounts values are declared
   * (1 is valid; 2^28 claims a gigabyte of offsets in a file of 200 bytes) and {@code nextIfd} is the offset of the
   * next IFD (0: none; 8: IFD0 itself, a cycle).
   */
  static byte[] tiff(int stripCount, int nextIfd) {
    ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    int entries = 8;
    b.putShort((short) entries);
    int pixels = 8 + 2 + 12 * entries + 4; // 110
    entry(b, 256, 3, 1, 4); // ImageWidth
    entry(b, 257, 3, 1, 4); // ImageLength
    entry(b, 258, 3, 1, 8); // BitsPerSample
    entry(b, 259, 3, 1, 1); // Compression: none
    entry(b, 262, 3, 1, 1); // Photometric: BlackIsZero
    entry(b, 273, 4, stripCount, pixels); // StripOffsets (count 1: the value itself)
    entry(b, 278, 3, 1, 4); // RowsPerStrip
    entry(b, 279, 4, stripCount, 16); // StripByteCounts
    b.putInt(nextIfd);
    for (int i = 0; i < 16; i++) {
      b.put((byte) (i * 16));
    }
    return Arrays.copyOf(b.array(), pixels + 16);
  }

  /** A zip holding {@code entries} (name, bytes) stored with the best compression. */
  static byte[] zip(Object... namesAndBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setLevel(9);
      for (int i = 0; i < namesAndBytes.length; i += 2) {
        z.putNextEntry(new ZipEntry((String) namesAndBytes[i]));
        z.write((byte[]) namesAndBytes[i + 1]);
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** A zip entry that inflates to n zero bytes, written in blocks (never held whole). */
  static byte[] zipWithZeros(String name, long n, Object... more) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setLevel(9);
      for (int i = 0; i < more.length; i += 2) {
        z.putNextEntry(new ZipEntry((String) more[i]));
        z.write((byte[]) more[i + 1]);
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry(name));
      byte[] block = new byte[1 << 20];
      for (long left = n; left > 0; left -= block.length) {
        z.write(block, 0, (int) Math.min(left, block.length));
      }
      z.closeEntry();
    }
    return out.toByteArray();
  }

  /** The zip with every entry's size in the central directory understated as 1 byte: a bomb that lies. */
  static byte[] understated(byte[] zip) {
    byte[] b = zip.clone();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 <= b.length; i++) {
      if (bb.getInt(i) == 0x02014b50) {
        bb.putInt(i + 24, 1);
      }
    }
    return b;
  }

  // ---- a minimal protobuf writer, for hostile ONNX files ----

  static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }

  static byte[] field(int number, long value) {
    return concat(varint((long) number << 3), varint(value));
  }

  static byte[] field(int number, byte[] payload) {
    return concat(varint(((long) number << 3) | 2), varint(payload.length), payload);
  }

  static byte[] field(int number, String s) {
    return field(number, s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An ONNX model (Identity of one float initializer) whose initializer declares {@code dims} but holds 16 bytes
   * of data: a 300-byte file claiming terabytes.
   */
  static byte[] onnxWithHugeInitializer(long... dims) {
    ByteArrayOutputStream tensor = new ByteArrayOutputStream();
    for (long d : dims) {
      tensor.writeBytes(field(1, d));
    }
    tensor.writeBytes(field(2, 1)); // FLOAT
    tensor.writeBytes(field(8, "w"));
    tensor.writeBytes(field(9, new byte[16]));
    byte[] node = concat(field(1, "w"), field(2, "y"), field(4, "Identity"));
    byte[] floatTensor = field(1, field(1, 1)); // TypeProto.tensor_type.elem_type = FLOAT
    byte[] graph = concat(field(1, node), field(2, "g"), field(5, tensor.toByteArray()),
        field(12, concat(field(1, "y"), field(2, floatTensor))));
    return concat(field(1, 8), field(7, graph), field(8, field(2, 13)));
  }
}
