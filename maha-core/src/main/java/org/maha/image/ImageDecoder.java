package org.maha.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes image file bytes to RGB {@code uint8} with the JDK's ImageIO readers (the common PNG layouts with maha's
 * own {@link PngDecoder}, which is faster and gives the same bytes), giving the values that the
 * reference {@code cv2.imread(path, IMREAD_COLOR)} followed by BGR&rarr;RGB gives (OpenCV 4.6, libpng 1.6,
 * libjpeg-turbo, libtiff 4.5), checked on fixture files of every layout below.
 *
 * <p>Conversions, each as OpenCV does it:
 *
 * <ul>
 *   <li>gray (and gray + alpha) &rarr; R = G = B, read from the raster samples: {@code BufferedImage.getRGB()}
 *       would apply a linear-gray &rarr; sRGB curve that OpenCV does not (PAPER.md &sect;5.3);
 *   <li>alpha is dropped, not composited; palettes are looked up (PNG tRNS is ignored);
 *   <li>16-bit samples: {@code v >> 8} for PNG (libpng {@code png_set_strip_16}) and for gray TIFF;
 *       {@code (v * 255 + 32767) / 65535} for RGB(A) TIFF (OpenCV reads those through libtiff's RGBA
 *       interface, which rescales);
 *   <li>1/2/4-bit gray: scaled to 0..255 ({@code v * 255 / (2^bits - 1)}); packed 16-bit BMP fields:
 *       {@code v << (8 - bits)}.
 * </ul>
 *
 * <p>Not reproduced: OpenCV's EXIF orientation for JPEG (an oriented JPEG comes out as stored), CMYK/YCCK
 * JPEG, 12-bit JPEG, float or 32-bit-integer TIFF (rejected with a message). GIF is rejected, as OpenCV 4.6
 * cannot read it.
 *
 * <p>Safety: the header's size is checked against {@link DecodeLimits}, against what the file's size can hold
 * (PNG, BMP, TIFF) and against the {@link HeapBudget} before decoding; PNG ancillary chunks are dropped unread
 * ({@link PngChunks}); any warning the reader
 * reports (libjpeg's "Premature end of JPEG file", for instance, after which it pads with gray) rejects the
 * image, so a partially decoded image is never returned. Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {

  private ImageDecoder() {}

  /** The formats accepted, with their magic bytes and ImageIO format names. */
  enum Format {
    PNG("png"),
    JPEG("jpeg"),
    BMP("bmp"),
    TIFF("tiff");

    final String imageIoName;

    Format(String imageIoName) {
      this.imageIoName = imageIoName;
    }

    /** The format whose signature starts {@code b}, or null. */
    static Format sniff(byte[] b) {
      if (startsWith(b, 0x89, 0x50, 0x4E, 0x47)) {
        return PNG;
      }
      if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
        return JPEG;
      }
      if (startsWith(b, 'B', 'M')) {
        return BMP;
      }
      if (startsWith(b, 'I', 'I', 0x2A, 0x00) || startsWith(b, 'M', 'M', 0x00, 0x2A)) {
        return TIFF;
      }
      return null;
    }

    private static boolean startsWith(byte[] b, int... magic) {
      if (b.length < magic.length) {
        return false;
      }
      for (int i = 0; i < magic.length; i++) {
        if ((b[i] & 0xff) != magic[i]) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Decodes a PNG, JPEG, BMP or TIFF file (8/16-bit; gray, gray+alpha, RGB, RGBA, palette) held in memory to
   * RGB {@code uint8}. For a multi-page TIFF, the first page.
   *
   * @param bytes  the whole file; not modified
   * @param limits checked against the header before decoding
   * @throws ImageDecodeException with a one-line message naming what was expected and what was found
   */
  public static RgbImage decode(byte[] bytes, DecodeLimits limits) throws ImageDecodeException {
    return decode(bytes, limits, HeapBudget.JVM);
  }

  /**
   * As {@link #decode(byte[], DecodeLimits)}, holding the decode's memory in {@code budget} while it runs.
   *
   * @throws ImageMemoryException if the image (within the limits and plausible for the file's size) needs more
   *     memory than {@code budget} can give, or decoding ran out of memory: the heap is too small, not the file bad
   */
  public static RgbImage decode(byte[] bytes, DecodeLimits limits, HeapBudget budget) throws ImageDecodeException {
    return decode(bytes, limits, budget, PngDecoder.ENABLED);
  }

  /**
   * As {@link #decode(byte[], DecodeLimits)}, but a PNG too goes through ImageIO, never through maha's direct PNG
   * decoder: the reference path that decoder is checked against, for comparisons (tests, {@code maha bench}).
   * {@code -Dmaha.png.direct=false} makes every decode take it.
   */
  public static RgbImage decodeWithImageIo(byte[] bytes, DecodeLimits limits) throws ImageDecodeException {
    return decode(bytes, limits, HeapBudget.JVM, false);
  }

  /**
   * @param directPng whether a PNG is first offered to {@link PngDecoder}, which decodes the common layouts
   *     itself and hands the rest (and any damaged file) back to ImageIO, with the same pixels either way
   */
  static RgbImage decode(byte[] bytes, DecodeLimits limits, HeapBudget budget, boolean directPng)
      throws ImageDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(limits, "limits");
    if (bytes.length == 0) {
      throw new ImageDecodeException("empty file");
    }
    if (bytes.length > limits.maxFileBytes()) { // files are refused before reading; bytes from memory here
      throw new ImageDecodeException("encoded image of " + bytes.length + " bytes, over the limit of "
          + limits.maxFileBytes() + " bytes");
    }
    Format format = Format.sniff(bytes);
    if (format == null) {
      throw new ImageDecodeException("not a PNG, JPEG, BMP or TIFF image (starts " + hexHead(bytes) + ")");
    }
    PngChunks png = format == Format.PNG ? PngChunks.walk(bytes) : null;
    if (format == Format.TIFF) {
      TiffIfd.checkBounds(bytes);
    }
    if (format == Format.JPEG && JpegScans.count(bytes) > JpegScans.MAX_SCANS) {
      throw new ImageDecodeException("corrupt JPEG: more than " + JpegScans.MAX_SCANS + " scans (encoders write a "
          + "dozen or so; each costs a pass over the whole image)");
    }
    if (png != null && directPng) {
      RgbImage direct = decodePng(bytes, png, limits, budget);
      if (direct != null) {
        return direct;
      }
    }
    TiffIfd tiff = format == Format.TIFF ? TiffIfd.parse(bytes) : null;
    boolean undoPredictor = tiff != null && tiff.needsPredictorWorkaround();
    byte[] input = undoPredictor ? tiff.withoutPredictor() : png != null ? png.critical : bytes;
    ImageReader reader = newReader(format);
    List<String> warnings = new ArrayList<>();
    BufferedImage image = null;
    long width = 0;
    long height = 0;
    HeapBudget.Reservation memory = null;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(input))) {
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      reader.setInput(in, true, true);
      width = reader.getWidth(0);
      height = reader.getHeight(0);
      checkLimits(width, height, limits);
      checkPlausible(format, bytes, png, width, height);
      long pixels = width * height; // <= maxPixels < 2^30
      // the file (and its edited copy), the decoded raster and the RGB copy, all at once (see HeapBudget)
      long fileBytes = bytes.length + (input == bytes ? 0L : input.length);
      memory = budget.reserve(fileBytes + pixels * (rasterBytesPerPixel(reader) + 3),
          width + " x " + height + " pixels");
      image = reader.read(0);
    } catch (OutOfMemoryError e) {
      throw outOfMemory(width, height);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImageMemoryException m) {
        throw m;
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof OutOfMemoryError) { // some readers wrap it (PNG: "Error reading PNG image data")
          throw outOfMemory(width, height);
        }
      }
      // ImageIO readers signal bad data with IIOException, but also with IndexOutOfBounds, IllegalArgument,
      // NegativeArraySize... from deep inside: all of them mean "this file cannot be decoded".
      throw new ImageDecodeException(describe(format, e), e);
    } finally {
      reader.dispose();
      if (image == null && memory != null) {
        memory.close(); // failed: release now; on success the pixels are held until converted below
      }
    }
    try {
      if (!warnings.isEmpty()) {
        throw new ImageDecodeException("truncated or corrupt " + format + ": " + oneLine(warnings.get(0)));
      }
      if (undoPredictor) {
        undoHorizontalDifferencing(image.getRaster());
      }
      return toRgb(image, format, tiff == null ? null : tiff.palette());
    } catch (OutOfMemoryError e) {
      throw outOfMemory(width, height);
    } finally {
      memory.close();
    }
  }

  /**
   * The PNG through {@link PngDecoder}, with the checks and the memory reservation of the ImageIO path; null
   * when that decoder does not take the file or finds its data damaged (the reservation is then released and
   * ImageIO decides, giving its message).
   */
  private static RgbImage decodePng(byte[] bytes, PngChunks png, DecodeLimits limits, HeapBudget budget)
      throws ImageDecodeException {
    PngDecoder decoder = PngDecoder.parse(png.critical);
    if (decoder == null) {
      return null;
    }
    long width = decoder.width;
    long height = decoder.height;
    checkLimits(width, height, limits);
    checkPlausible(Format.PNG, bytes, png, width, height);
    long pixels = width * height;
    // the file (and its copy without ancillary chunks), the inflated rows, the RGB buffer and RgbImage's copy
    long fileBytes = bytes.length + (png.critical == bytes ? 0L : png.critical.length);
    HeapBudget.Reservation memory = budget.reserve(fileBytes + decoder.workBytes() + 6 * pixels,
        width + " x " + height + " pixels");
    try {
      byte[] rgb = decoder.decode();
      return rgb == null ? null : new RgbImage(decoder.width, decoder.height, rgb);
    } catch (OutOfMemoryError e) {
      throw outOfMemory(width, height);
    } finally {
      memory.close();
    }
  }

  private static ImageMemoryException outOfMemory(long width, long height) {
    return new ImageMemoryException("ran out of memory decoding " + width + " x " + height + " pixels (Java heap "
        + HeapBudget.megabytes(Runtime.getRuntime().maxMemory()) + " MB)");
  }

  /**
   * Bytes per pixel of the raster ImageIO will allocate: that of the first image type, the one {@code read}
   * uses; 8 (16-bit RGBA, the largest supported) if the reader cannot say.
   */
  private static long rasterBytesPerPixel(ImageReader reader) {
    try {
      Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
      if (types.hasNext()) {
        SampleModel sm = types.next().getSampleModel(1, 1);
        return Math.max(1, (long) DataBuffer.getDataTypeSize(sm.getDataType()) / 8 * sm.getNumDataElements());
      }
    } catch (IOException | RuntimeException e) {
      // fall through: assume the largest
    }
    return 8;
  }

  /**
   * Refuses, before any pixel is decoded, a header that claims more pixels than the file could hold: a PNG with
   * too few compressed bytes even at deflate's best ratio, an uncompressed BMP shorter than its rows. These are
   * decompression bombs or cut files, and are reported as corrupt rather than allocated.
   */
  private static void checkPlausible(Format format, byte[] bytes, PngChunks png, long width, long height)
      throws ImageDecodeException {
    if (png != null) {
      long least = png.minCompressedBytes();
      if (least > png.compressedBytes) {
        throw new ImageDecodeException("truncated or corrupt PNG: the header claims " + width + " x " + height
            + " pixels but the file holds " + png.compressedBytes + " bytes of compressed pixels, fewer than the "
            + least + " that many pixels need at least (a decompression bomb or a cut file)");
      }
    } else if (format == Format.BMP && bytes.length >= 34) {
      ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      long dataOffset = b.getInt(10) & 0xffffffffL;
      long headerSize = b.getInt(14) & 0xffffffffL;
      int bitCount = b.getShort(28) & 0xffff;
      int compression = b.getInt(30);
      if (headerSize >= 40 && (compression == 0 || compression == 3) && bitCount >= 1 && bitCount <= 32) {
        long rowBytes = (width * bitCount + 31) / 32 * 4;
        long needed = dataOffset + rowBytes * height; // width * height <= maxPixels: no overflow
        if (needed > bytes.length) {
          throw new ImageDecodeException("truncated or corrupt BMP: the header claims " + width + " x " + height
              + " pixels of " + bitCount + " bits, " + needed + " bytes, but the file has " + bytes.length);
        }
      }
    }
  }

  /**
   * TIFF Predictor 2 on 16-bit samples (what OpenCV's imwrite produces), which ImageIO refuses: the file was
   * read with the predictor switched off, so each sample is still the difference to its left neighbour in the
   * same band; a running sum modulo 2^16 along each row restores it. Modifies {@code raster}.
   */
  private static void undoHorizontalDifferencing(WritableRaster raster) throws ImageDecodeException {
    int w = raster.getWidth();
    int[] row = new int[w];
    for (int b = 0; b < raster.getNumBands(); b++) {
      if (raster.getSampleModel().getSampleSize(b) != 16) {
        throw new ImageDecodeException("unsupported TIFF layout: Predictor 2 with mixed sample sizes");
      }
      for (int y = 0; y < raster.getHeight(); y++) {
        raster.getSamples(0, y, w, 1, b, row);
        for (int x = 1; x < w; x++) {
          row[x] = (row[x] + row[x - 1]) & 0xffff;
        }
        raster.setSamples(0, y, w, 1, b, row);
      }
    }
  }

  /** The JDK's own reader for the format (preferred over any plug-in on the class path, for reproducibility). */
  private static ImageReader newReader(Format format) {
    ImageReader first = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName); it.hasNext(); ) {
      ImageReader r = it.next();
      if (r.getClass().getName().startsWith("com.sun.imageio.plugins.")) {
        if (first != null) {
          first.dispose();
        }
        return r;
      }
      if (first == null) {
        first = r;
      } else {
        r.dispose();
      }
    }
    if (first == null) {
      throw new IllegalStateException("this JDK has no ImageIO reader for " + format);
    }
    return first;
  }

  static void checkLimits(long width, long height, DecodeLimits limits) throws ImageDecodeException {
    if (width < 1 || height < 1) {
      throw new ImageDecodeException("image header claims " + width + " x " + height + " pixels, expected at least 1 x 1");
    }
    long pixels = width * height;
    if (pixels > limits.maxPixels()) {
      throw new ImageDecodeException(
          "image header claims " + width + " x " + height + " pixels (" + scientific(pixels)
              + "), over the limit of " + scientific(limits.maxPixels()) + " pixels");
    }
  }

  /** {@code 10000000000 -> "1e10"}, {@code 123456789 -> "1.23e8"}: three significant digits at most. */
  static String scientific(long n) {
    BigDecimal d = new BigDecimal(n).round(new MathContext(3)).stripTrailingZeros();
    int exponent = d.precision() - d.scale() - 1;
    String mantissa = d.movePointLeft(exponent).stripTrailingZeros().toPlainString();
    return mantissa + "e" + exponent;
  }

  private static String hexHead(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format(Locale.ROOT, "%02X", b[i] & 0xff));
    }
    return sb.toString();
  }

  private static String describe(Format format, Throwable e) {
    StringBuilder reason = new StringBuilder();
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      String m = t.getMessage() != null
          ? t.getMessage()
          : (t instanceof EOFException ? "unexpected end of file" : t.getClass().getSimpleName());
      if (reason.indexOf(m) < 0) {
        reason.append(reason.length() == 0 ? "" : ": ").append(m);
      }
    }
    String text = oneLine(reason.toString());
    if (text.contains("Unsupported Image Type")) {
      return "unsupported " + format + " layout (" + text + "; CMYK or YCCK JPEG?)";
    }
    return "truncated or corrupt " + format + ": " + text;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }

  // ---- pixels ---------------------------------------------------------------------------------------------

  /**
   * The pixels of an image already in memory, by the rules used for a PNG holding the same samples (see the
   * class comment), so that a frame converted here and the same frame saved as PNG and decoded are equal.
   *
   * @throws ImageDecodeException if the raster is not gray, RGB or palette with equal 1..16-bit samples
   */
  static RgbImage samplesToRgb(BufferedImage image) throws ImageDecodeException {
    return toRgb(image, Format.PNG, null);
  }

  /**
   * @param tiffPalette for a TIFF, libtiff's reading of the ColorMap ({@code [3][n]}) to use instead of the
   *     JDK's rescaled one; else null
   */
  private static RgbImage toRgb(BufferedImage image, Format format, int[][] tiffPalette)
      throws ImageDecodeException {
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    if (cm instanceof IndexColorModel icm) {
      palette(raster, icm, tiffPalette, out);
      return new RgbImage(w, h, out);
    }
    int colours = cm.getNumColorComponents();
    int csType = cm.getColorSpace().getType();
    boolean gray = colours == 1 && csType == ColorSpace.TYPE_GRAY;
    boolean rgb = colours == 3 && csType == ColorSpace.TYPE_RGB;
    if (!gray && !rgb) {
      throw new ImageDecodeException(
          "unsupported " + format + " colour space: " + colours + " colour components of colour space type "
              + csType + ", expected gray or RGB");
    }
    SampleModel sm = raster.getSampleModel();
    int[] bands = gray ? new int[] {0, 0, 0} : new int[] {0, 1, 2};
    int bits = sm.getSampleSize(bands[0]);
    for (int b : bands) {
      if (sm.getSampleSize(b) != bits) {
        throw new ImageDecodeException(
            "unsupported " + format + " layout: channels of " + sm.getSampleSize(0) + ", " + sm.getSampleSize(1)
                + ", ... bits, expected equal sizes");
      }
    }
    if (bits == 8 && fastBytes(raster, bands, out)) {
      return new RgbImage(w, h, out);
    }
    int[] lut = depthLut(format, bits, gray, cm);
    if (lut == null) {
      throw new ImageDecodeException(
          "unsupported " + format + " sample size: " + bits + " bits, expected 1, 2, 4, 8 or 16");
    }
    int[] row = new int[w];
    for (int c = 0; c < 3; c++) {
      if (gray && c > 0) {
        break;
      }
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, bands[c], row);
        for (int x = 0, o = y * w * 3 + c; x < w; x++, o += 3) {
          out[o] = (byte) lut[row[x]];
        }
      }
    }
    if (gray) {
      for (int i = 0; i < out.length; i += 3) {
        out[i + 1] = out[i];
        out[i + 2] = out[i];
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * The 8-bit value of each possible sample of {@code bits} bits, as OpenCV converts it for this format (see
   * the class comment), or null if the size is unsupported.
   */
  private static int[] depthLut(Format format, int bits, boolean gray, ColorModel cm) {
    if (bits < 1 || bits > 16) {
      return null;
    }
    int max = (1 << bits) - 1;
    int[] lut = new int[max + 1];
    for (int v = 0; v <= max; v++) {
      if (bits == 8) {
        lut[v] = v;
      } else if (bits == 16) {
        lut[v] = format == Format.TIFF && !gray ? (v * 255 + 32767) / 65535 : v >> 8;
      } else if (bits < 8 && cm instanceof DirectColorModel) {
        lut[v] = v << (8 - bits); // packed BMP fields (5-6-5, 5-5-5): OpenCV shifts, it does not rescale
      } else if (bits < 8) {
        lut[v] = v * 255 / max;
      } else {
        return null;
      }
    }
    return lut;
  }

  /** Copies 8-bit interleaved or banded byte rasters directly; false if the layout is something else. */
  private static boolean fastBytes(Raster raster, int[] bands, byte[] out) {
    if (!(raster.getSampleModel() instanceof ComponentSampleModel sm)
        || !(raster.getDataBuffer() instanceof DataBufferByte db)
        || db.getNumBanks() != 1
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0) {
      return false;
    }
    byte[] data = db.getData();
    int base = db.getOffset();
    int pixelStride = sm.getPixelStride();
    int scanStride = sm.getScanlineStride();
    int[] bandOffsets = sm.getBandOffsets();
    int[] bankIndices = sm.getBankIndices();
    int o0 = bandOffsets[bands[0]];
    int o1 = bandOffsets[bands[1]];
    int o2 = bandOffsets[bands[2]];
    if (bankIndices[bands[0]] != 0 || bankIndices[bands[1]] != 0 || bankIndices[bands[2]] != 0) {
      return false;
    }
    int w = raster.getWidth();
    int h = raster.getHeight();
    int o = 0;
    for (int y = 0; y < h; y++) {
      int p = base + y * scanStride;
      for (int x = 0; x < w; x++, p += pixelStride) {
        out[o++] = data[p + o0];
        out[o++] = data[p + o1];
        out[o++] = data[p + o2];
      }
    }
    return true;
  }

  private static void palette(Raster raster, IndexColorModel icm, int[][] override, byte[] out) {
    int size = override != null ? override[0].length : icm.getMapSize();
    byte[] r = new byte[size];
    byte[] g = new byte[size];
    byte[] b = new byte[size];
    if (override != null) {
      for (int i = 0; i < size; i++) {
        r[i] = (byte) override[0][i];
        g[i] = (byte) override[1][i];
        b[i] = (byte) override[2][i];
      }
    } else {
      icm.getReds(r);
      icm.getGreens(g);
      icm.getBlues(b);
    }
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w; x++) {
        int i = row[x];
        if (i < size) { // an index past the palette reads as black, as libpng's expanded palette gives
          out[o] = r[i];
          out[o + 1] = g[i];
          out[o + 2] = b[i];
        }
        o += 3;
      }
    }
  }
}
