package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity of the direct PNG decoder with the ImageIO path it replaces: on every file the two give the same
 * {@link RgbImage}, or both refuse it with the same exception class and message. Files come from ImageIO's writer
 * (which filters only palette images: every other row it writes has filter None) and from {@link Png#encode}, a
 * small encoder here that picks each row's filter, splits IDAT and adds chunks, so that every colour type, bit
 * depth and filter is covered, and damaged copies of both.
 */
class PngDecoderTest {
  private static final DecodeLimits LIMITS = DecodeLimits.DEFAULT;

  /** Every colour type / bit depth PNG allows, as {colour type, bit depth}. */
  private static final int[][] LAYOUTS = {
      {0, 1}, {0, 2}, {0, 4}, {0, 8}, {0, 16}, {2, 8}, {2, 16}, {3, 1}, {3, 2}, {3, 4}, {3, 8}, {4, 8}, {4, 16},
      {6, 8}, {6, 16}};

  /** Both paths on {@code file}: equal images or equal refusals; returns the image or null when refused. */
  private static RgbImage assertSameAsImageIo(byte[] file, String what) {
    RgbImage direct = null;
    RgbImage imageIo = null;
    Exception directError = null;
    Exception imageIoError = null;
    try {
      direct = ImageDecoder.decode(file, LIMITS, HeapBudget.JVM, true);
    } catch (ImageDecodeException | ImageMemoryException e) {
      directError = e;
    }
    try {
      imageIo = ImageDecoder.decode(file, LIMITS, HeapBudget.JVM, false);
    } catch (ImageDecodeException | ImageMemoryException e) {
      imageIoError = e;
    }
    if (imageIoError != null) {
      assertThat(directError).as(what + ": ImageIO refuses it (" + imageIoError.getMessage() + ")").isNotNull();
      assertThat(directError.getClass()).as(what).isEqualTo(imageIoError.getClass());
      assertThat(directError.getMessage()).as(what).isEqualTo(imageIoError.getMessage());
      return null;
    }
    assertThat(directError).as(what + ": ImageIO decodes it").isNull();
    assertThat(direct).as(what).isEqualTo(imageIo);
    return direct;
  }

  /** The direct decoder takes {@code file} itself (no fallback) and gives ImageIO's pixels. */
  private static void assertDecodedDirectly(byte[] file, String what) {
    RgbImage imageIo = assertSameAsImageIo(file, what);
    assertThat(imageIo).as(what + " decodes").isNotNull();
    PngDecoder d = PngDecoder.parse(PngChunks.walk(file).critical);
    assertThat(d).as(what + ": taken by the direct decoder").isNotNull();
    byte[] rgb = d.decode();
    assertThat(rgb).as(what + ": decoded without falling back").isNotNull();
    assertThat(new RgbImage(d.width, d.height, rgb)).as(what).isEqualTo(imageIo);
  }

  @Test
  void everyLayoutFilterAndOddWidthMatchesImageIo() {
    SplittableRandom rnd = new SplittableRandom(12);
    int files = 0;
    for (int[] layout : LAYOUTS) {
      for (int w : new int[] {1, 2, 3, 5, 7, 8, 9, 13, 31, 33}) {
        for (int h : new int[] {1, 2, 5, 17}) {
          for (int filterMode = 0; filterMode < 7; filterMode++) { // 0-4: one filter for all rows; 5: cycle; 6: random
            Png p = Png.random(layout[0], layout[1], w, h, rnd);
            p.filters = filters(h, filterMode, rnd);
            byte[] file = p.encode();
            assertDecodedDirectly(file, p + " filters mode " + filterMode);
            files++;
          }
        }
      }
    }
    assertThat(files).isEqualTo(LAYOUTS.length * 10 * 4 * 7);
  }

  @Test
  void largerImagesSpanSeveralInflateBlocksAndIdatChunks() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int[] layout : LAYOUTS) {
      for (int[] size : new int[][] {{300, 257}, {1201, 61}, {40000, 3}}) {
        Png p = Png.random(layout[0], layout[1], size[0], size[1], rnd);
        p.smooth = true;
        p.filters = filters(size[1], 6, rnd);
        p.idatPieces = 1 + rnd.nextInt(9);
        assertDecodedDirectly(p.encode(), p.toString());
      }
    }
  }

  @Test
  void imageIoWrittenFilesOfEveryKindMatch() throws Exception {
    SplittableRandom rnd = new SplittableRandom(3);
    int[] types = {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB,
        BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY,
        BufferedImage.TYPE_BYTE_BINARY, BufferedImage.TYPE_BYTE_INDEXED};
    for (int type : types) {
      for (int[] size : new int[][] {{1, 1}, {3, 2}, {64, 48}, {257, 129}}) {
        BufferedImage img = new BufferedImage(size[0], size[1], type);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < size[1]; y++) {
          for (int x = 0; x < size[0]; x++) {
            for (int b = 0; b < r.getNumBands(); b++) {
              int bits = r.getSampleModel().getSampleSize(b);
              int smooth = (x * 7 + y * 3 + b * 50) % (1 << Math.min(bits, 8)) << Math.max(0, bits - 8);
              r.setSample(x, y, b, rnd.nextInt(4) == 0 ? rnd.nextInt(1 << bits) : smooth);
            }
          }
        }
        byte[] file = write(img, false);
        assertDecodedDirectly(file, "ImageIO type " + type + " " + size[0] + "x" + size[1]);
        // Adam7: left to ImageIO, same pixels as ever
        byte[] interlaced = write(img, true);
        assertThat(PngDecoder.parse(interlaced)).isNull();
        assertSameAsImageIo(interlaced, "interlaced type " + type);
      }
    }
  }

  @Test
  void theCv2FixturesAreDecodedDirectly() {
    for (String f : new String[] {"png_gray8.png", "png_rgb8.png", "png_rgba8.png", "png_gray16.png",
        "png_rgb16.png", "png_rgba16.png", "png_graya8.png", "png_graya16.png", "png_palette8.png",
        "png_palette8_trns.png", "png_palette4.png", "png_gray1.png", "png_gray2.png"}) {
      assertDecodedDirectly(Fixtures.bytes("decode/" + f), f);
    }
  }

  @Test
  void ancillaryChunksTrnsAndEmptyIdatChunksAreSkipped() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int[] layout : LAYOUTS) {
      Png p = Png.random(layout[0], layout[1], 11, 6, rnd);
      p.filters = filters(6, 5, rnd);
      p.idatPieces = 4;
      p.emptyIdats = true;
      p.ancillary = true; // tEXt before, tRNS (for the layouts that allow it), and a private chunk after IDAT
      assertDecodedDirectly(p.encode(), p + " with ancillary chunks");
    }
  }

  @Test
  void paletteIndicesPastThePaletteReadAsInImageIo() {
    SplittableRandom rnd = new SplittableRandom(9);
    for (int depth : new int[] {1, 2, 4, 8}) {
      for (int entries : new int[] {1, 2, 3, 4, 5, 15, 16, 17, 100, 256}) {
        if (entries > 1 << depth) {
          continue;
        }
        Png p = Png.random(3, depth, 9, 4, rnd); // random indices, many past a short palette
        p.palette = Arrays.copyOf(p.palette, entries * 3);
        assertDecodedDirectly(p.encode(), p + " with " + entries + " palette entries");
      }
    }
  }

  /** Files that are damaged or outside the direct decoder's layouts: the same refusal, or the same pixels. */
  @Test
  void damagedAndUnusualFilesGetTheSameAnswer() {
    SplittableRandom rnd = new SplittableRandom(11);
    List<byte[]> cases = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int[] layout : LAYOUTS) {
      Png base = Png.random(layout[0], layout[1], 13, 7, rnd);
      base.filters = filters(7, 6, rnd);
      byte[] good = base.encode();
      for (int cut = 8; cut < good.length; cut += 1 + cut / 7) {
        names.add(base + " cut to " + cut);
        cases.add(Arrays.copyOf(good, cut));
      }
      Png bad = base.copy();
      bad.filters[3] = 5; // written as is: filter type 5 does not exist
      names.add(base + " filter type 5");
      cases.add(bad.encode());
      bad = base.copy();
      bad.extraBytes = 1;
      names.add(base + " one inflated byte too many");
      cases.add(bad.encode());
      bad = base.copy();
      bad.extraBytes = 5000;
      names.add(base + " 5000 inflated bytes too many");
      cases.add(bad.encode());
      bad = base.copy();
      bad.extraBytes = -1;
      names.add(base + " one inflated byte missing");
      cases.add(bad.encode());
      bad = base.copy();
      bad.badAdler = true;
      names.add(base + " bad Adler-32");
      cases.add(bad.encode());
      bad = base.copy();
      bad.noZlibTrailer = true;
      names.add(base + " zlib stream without its end");
      cases.add(bad.encode());
      bad = base.copy();
      bad.idatPieces = 3;
      bad.chunkBetweenIdats = true;
      names.add(base + " a chunk between IDAT chunks");
      cases.add(bad.encode());
      bad = base.copy();
      bad.unknownCritical = true;
      names.add(base + " unknown critical chunk");
      cases.add(bad.encode());
      bad = base.copy();
      bad.noIend = true;
      names.add(base + " no IEND");
      cases.add(bad.encode());
      bad = base.copy();
      bad.trailingGarbage = true;
      names.add(base + " bytes after IEND");
      cases.add(bad.encode());
      byte[] crc = base.encode();
      crc[crc.length - 13] ^= 1; // last IDAT's CRC (ImageIO does not check CRCs)
      names.add(base + " bad IDAT CRC");
      cases.add(crc);
      for (int i = 0; i < 20; i++) {
        byte[] flipped = good.clone();
        int at = 8 + rnd.nextInt(flipped.length - 8);
        flipped[at] ^= (byte) (1 << rnd.nextInt(8));
        names.add(base + " bit flipped at " + at);
        cases.add(flipped);
      }
      if (layout[0] == 3) {
        bad = base.copy();
        bad.palette = new byte[3 * ((1 << layout[1]) + 1)];
        names.add(base + " more palette entries than the depth allows");
        cases.add(bad.encode());
        bad = base.copy();
        bad.palette = null;
        names.add(base + " no PLTE");
        cases.add(bad.encode());
        bad = base.copy();
        bad.palette = Arrays.copyOf(base.palette, 7);
        names.add(base + " PLTE of 7 bytes");
        cases.add(bad.encode());
      } else {
        bad = base.copy();
        bad.palette = new byte[30];
        names.add(base + " PLTE in a colour type " + layout[0] + " image");
        cases.add(bad.encode());
      }
    }
    for (int i = 0; i < cases.size(); i++) {
      assertSameAsImageIo(cases.get(i), names.get(i));
    }
  }

  @Test
  void limitsAndBombsAreRefusedWithTheSameMessages() {
    byte[] header = ImageDecoderTest.pngHeaderOnly(100_000, 100_000);
    assertSameAsImageIo(header, "header only");
    byte[] bomb = Png.random(0, 8, 20, 20, new SplittableRandom(2)).encode();
    ByteBuffer.wrap(bomb, 16, 8).putInt(9000).putInt(9000); // IHDR claims 81 M pixels for 400 bytes of data
    assertSameAsImageIo(bomb, "9000 x 9000 in 400 bytes");
    assertThat(message(() -> ImageDecoder.decode(bomb, LIMITS, HeapBudget.JVM, true)))
        .startsWith("ImageDecodeException: truncated or corrupt PNG: the header claims 9000 x 9000 pixels");
    Png tooMany = Png.random(2, 8, 30, 20, new SplittableRandom(1));
    byte[] file = tooMany.encode();
    for (long limit : new long[] {599, 600}) {
      DecodeLimits l = new DecodeLimits(limit);
      String direct = message(() -> ImageDecoder.decode(file, l, HeapBudget.JVM, true));
      String imageIo = message(() -> ImageDecoder.decode(file, l, HeapBudget.JVM, false));
      assertThat(direct).isEqualTo(imageIo);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4})
  void unfilterMatchesTheSpecOnEveryFilter(int filter) {
    SplittableRandom rnd = new SplittableRandom(filter);
    for (int bpp : new int[] {1, 2, 3, 4, 6, 8}) {
      int n = bpp * 11;
      byte[] prior = new byte[n];
      byte[] raw = new byte[n];
      rnd.nextBytes(prior);
      rnd.nextBytes(raw);
      byte[] buf = new byte[2 * (n + 1)];
      System.arraycopy(prior, 0, buf, 1, n);
      byte[] filtered = filterRow(filter, raw, prior, bpp);
      buf[n + 1] = (byte) filter;
      System.arraycopy(filtered, 0, buf, n + 2, n);
      assertThat(PngDecoder.unfilter(buf, n + 1, 0, n, bpp)).isTrue();
      assertThat(Arrays.copyOfRange(buf, n + 2, 2 * n + 2)).isEqualTo(raw);
    }
    byte[] five = new byte[4];
    five[2] = 5;
    assertThat(PngDecoder.unfilter(five, 2, 0, 1, 1)).isFalse();
  }

  @Test
  void theEscapeHatchPropertyIsNamed() {
    assertThat(PngDecoder.PROPERTY).isEqualTo("maha.png.direct");
  }

  private interface Decode {
    RgbImage run() throws Exception;
  }

  private static String message(Decode d) {
    try {
      d.run();
      return "decoded";
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static int[] filters(int rows, int mode, SplittableRandom rnd) {
    int[] f = new int[rows];
    for (int y = 0; y < rows; y++) {
      f[y] = mode < 5 ? mode : mode == 5 ? y % 5 : rnd.nextInt(5);
    }
    return f;
  }

  private static byte[] write(BufferedImage img, boolean interlaced) throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(interlaced ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** The PNG filter {@code type} applied to one row (the encoder's side, from the PNG specification). */
  static byte[] filterRow(int type, byte[] raw, byte[] prior, int bpp) {
    byte[] out = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) {
      int a = i >= bpp ? raw[i - bpp] & 0xff : 0;
      int b = prior[i] & 0xff;
      int c = i >= bpp ? prior[i - bpp] & 0xff : 0;
      int pred = switch (type) {
        case 1 -> a;
        case 2 -> b;
        case 3 -> (a + b) / 2;
        case 4 -> paeth(a, b, c);
        default -> 0;
      };
      out[i] = (byte) (raw[i] - pred);
    }
    return out;
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }

  /** A PNG to write: raw (unfiltered) rows and the ways to write or damage them. */
  static final class Png {
    final int colorType;
    final int bitDepth;
    final int width;
    final int height;
    byte[] raw; // height rows of rowBytes, unfiltered; shorter: zero-padded
    byte[] palette;
    int[] filters;
    boolean smooth;
    int idatPieces = 1;
    boolean emptyIdats;
    boolean ancillary;
    int extraBytes;
    boolean badAdler;
    boolean noZlibTrailer;
    boolean chunkBetweenIdats;
    boolean unknownCritical;
    boolean noIend;
    boolean trailingGarbage;

    Png(int colorType, int bitDepth, int width, int height) {
      this.colorType = colorType;
      this.bitDepth = bitDepth;
      this.width = width;
      this.height = height;
      if (colorType == 3) {
        palette = new byte[3 * (1 << bitDepth)];
      }
    }

    static Png random(int colorType, int bitDepth, int width, int height, SplittableRandom rnd) {
      Png p = new Png(colorType, bitDepth, width, height);
      p.raw = new byte[p.rowBytes() * height];
      rnd.nextBytes(p.raw);
      if (p.palette != null) {
        rnd.nextBytes(p.palette);
      }
      return p;
    }

    Png copy() {
      Png p = new Png(colorType, bitDepth, width, height);
      p.raw = raw;
      p.palette = palette;
      p.filters = filters == null ? null : filters.clone();
      p.idatPieces = idatPieces;
      return p;
    }

    int channels() {
      return switch (colorType) {
        case 2 -> 3;
        case 4 -> 2;
        case 6 -> 4;
        default -> 1;
      };
    }

    int rowBytes() {
      return (width * channels() * bitDepth + 7) / 8;
    }

    byte[] encode() {
      int rowBytes = rowBytes();
      int bpp = Math.max(1, channels() * bitDepth / 8);
      byte[] rows = Arrays.copyOf(raw, rowBytes * height);
      if (smooth) { // a gradient with a little noise, so that the filters and deflate matter
        for (int i = 0; i < rows.length; i++) {
          rows[i] = (byte) ((i % rowBytes) / 3 + (i / rowBytes) + (rows[i] & 3));
        }
      }
      ByteArrayOutputStream filtered = new ByteArrayOutputStream();
      byte[] prior = new byte[rowBytes];
      for (int y = 0; y < height; y++) {
        byte[] row = Arrays.copyOfRange(rows, y * rowBytes, (y + 1) * rowBytes);
        int f = filters == null ? 0 : filters[y];
        filtered.write(f);
        filtered.writeBytes(filterRow(f, row, prior, bpp));
        prior = row;
      }
      byte[] data = filtered.toByteArray();
      data = Arrays.copyOf(data, Math.max(0, data.length + extraBytes)); // extra bytes are zeros
      Deflater deflater = new Deflater(6);
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!deflater.finished()) {
        z.write(buf, 0, deflater.deflate(buf));
      }
      deflater.end();
      byte[] zlib = z.toByteArray();
      if (badAdler) {
        zlib[zlib.length - 1] ^= 0x55;
      }
      if (noZlibTrailer) {
        zlib = Arrays.copyOf(zlib, zlib.length - 4);
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      png.writeBytes(PngBytes.SIGNATURE);
      ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
      ihdr.put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0);
      png.writeBytes(PngBytes.chunk("IHDR", ihdr.array()));
      if (ancillary) {
        png.writeBytes(PngBytes.chunk("tEXt", "Comment\0maha".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
      }
      if (palette != null) {
        png.writeBytes(PngBytes.chunk("PLTE", palette));
      }
      if (ancillary && colorType != 4 && colorType != 6) {
        byte[] trns = colorType == 3 ? new byte[] {0, 127} : colorType == 0 ? new byte[] {0, 1}
            : new byte[] {0, 1, 0, 2, 0, 3};
        png.writeBytes(PngBytes.chunk("tRNS", trns));
      }
      if (unknownCritical) {
        png.writeBytes(PngBytes.chunk("ABCD", new byte[] {1, 2, 3}));
      }
      int pieces = Math.max(1, Math.min(idatPieces, zlib.length));
      for (int i = 0; i < pieces; i++) {
        int from = zlib.length * i / pieces;
        int to = zlib.length * (i + 1) / pieces;
        if (emptyIdats) {
          png.writeBytes(PngBytes.chunk("IDAT", new byte[0]));
        }
        png.writeBytes(PngBytes.chunk("IDAT", Arrays.copyOfRange(zlib, from, to)));
        if (chunkBetweenIdats && i == 0) {
          png.writeBytes(PngBytes.chunk("ABCD", new byte[0]));
        }
      }
      if (ancillary) {
        png.writeBytes(PngBytes.chunk("maHa", new byte[] {9, 9}));
      }
      if (!noIend) {
        png.writeBytes(PngBytes.chunk("IEND", new byte[0]));
      }
      if (trailingGarbage) {
        png.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
      }
      return png.toByteArray();
    }

    @Override
    public String toString() {
      return "colour type " + colorType + ", " + bitDepth + " bits, " + width + " x " + height;
    }
  }
}
