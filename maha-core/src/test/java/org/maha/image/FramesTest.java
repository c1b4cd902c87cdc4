package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** In-memory frames convert to exactly what the file decoder gives for the same pixels as a PNG. */
class FramesTest {
  private static final int W = 23;
  private static final int H = 17;
  private static final DecodeLimits LIMITS = DecodeLimits.DEFAULT;

  private static RgbImage decodePng(BufferedImage img) throws ImageDecodeException {
    return ImageDecoder.decode(TestFrames.png(img), LIMITS);
  }

  @Test
  void everyOpaqueColourTypeEqualsTheDecodedPng() throws Exception {
    int[] argb = TestFrames.argb(1, W, H, true);
    RgbImage file = decodePng(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_RGB));
    for (int type : TestFrames.COLOUR_TYPES) {
      assertThat(Frames.fromBufferedImage(TestFrames.ofType(argb, W, H, type), LIMITS)).as("type %d", type)
          .isEqualTo(file);
    }
    assertThat(Frames.fromEncoded(TestFrames.png(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_RGB)),
        LIMITS)).isEqualTo(file);
  }

  @Test
  void translucentAlphaIsDroppedAsForAnRgbaPng() throws Exception {
    int[] argb = TestFrames.argb(2, W, H, false);
    BufferedImage intArgb = TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_ARGB);
    RgbImage rgbaFile = decodePng(intArgb);
    assertThat(rgbaFile).isEqualTo(decodePng(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_RGB)));
    assertThat(Frames.fromBufferedImage(intArgb, LIMITS)).isEqualTo(rgbaFile);
    assertThat(Frames.fromBufferedImage(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_4BYTE_ABGR), LIMITS))
        .isEqualTo(rgbaFile);
  }

  @Test
  void premultipliedPixelsAreUnpremultipliedNotTakenAsStored() throws Exception {
    int[] argb = TestFrames.argb(3, W, H, false);
    BufferedImage pre = TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_ARGB_PRE);
    // Java's own straight colour of the premultiplied pixels (rounded where alpha < 255)
    RgbImage straight = Frames.fromBufferedImage(
        TestFrames.ofType(pre.getRGB(0, 0, W, H, null, 0, W), W, H, BufferedImage.TYPE_INT_RGB), LIMITS);
    RgbImage converted = Frames.fromBufferedImage(pre, LIMITS);
    int differing = 0;
    for (int i = 0; i < W * H * 3; i++) {
      int d = Math.abs((converted.pixels()[i] & 0xff) - (straight.pixels()[i] & 0xff));
      assertThat(d).as("sample %d", i).isLessThanOrEqualTo(1);
      differing += d;
    }
    assertThat(differing).as("off-by-one roundings").isLessThan(W * H * 3 / 10);
  }

  @Test
  void grayTypesEqualTheDecodedGrayPngWithoutTheSrgbCurve() throws Exception {
    byte[] samples = new byte[W * H];
    new Random(4).nextBytes(samples);
    BufferedImage gray = TestFrames.gray(samples, W, H);
    RgbImage file = decodePng(gray);
    RgbImage converted = Frames.fromBufferedImage(gray, LIMITS);
    assertThat(converted).isEqualTo(file);
    assertThat(converted.sample(5, 3, 0)).isEqualTo(samples[3 * W + 5] & 0xff);
    assertThat(converted.sample(5, 3, 2)).isEqualTo(samples[3 * W + 5] & 0xff);
    BufferedImage gray16 = TestFrames.gray16(samples, W, H, 5);
    assertThat(decodePng(gray16)).as("16-bit gray PNG").isEqualTo(file);
    assertThat(Frames.fromBufferedImage(gray16, LIMITS)).isEqualTo(file);
  }

  @Test
  void paletteTypesEqualTheDecodedPng() throws Exception {
    for (int bits : new int[] {8, 1, 2, 4}) {
      BufferedImage indexed = TestFrames.indexed(6 + bits, W, H, bits);
      RgbImage asRgbFile = decodePng(TestFrames.ofType(indexed.getRGB(0, 0, W, H, null, 0, W), W, H,
          BufferedImage.TYPE_INT_RGB));
      assertThat(decodePng(indexed)).as("palette PNG, %d bits", bits).isEqualTo(asRgbFile);
      assertThat(Frames.fromBufferedImage(indexed, LIMITS)).as("%d bits", bits).isEqualTo(asRgbFile);
    }
  }

  @Test
  void subimageAndPackedTypesConvert() throws Exception {
    int[] argb = TestFrames.argb(7, W, H, true);
    BufferedImage big = TestFrames.ofType(argb, W, H, BufferedImage.TYPE_3BYTE_BGR);
    BufferedImage sub = big.getSubimage(3, 2, 11, 9);
    RgbImage expected = decodePng(TestFrames.ofType(sub.getRGB(0, 0, 11, 9, null, 0, 11), 11, 9,
        BufferedImage.TYPE_INT_RGB));
    assertThat(Frames.fromBufferedImage(sub, LIMITS)).isEqualTo(expected);
    // 5-6-5: no file decodes to it; Java's getRGB is the reference
    BufferedImage packed = TestFrames.ofType(argb, W, H, BufferedImage.TYPE_USHORT_565_RGB);
    assertThat(Frames.fromBufferedImage(packed, LIMITS)).isEqualTo(
        Frames.fromBufferedImage(TestFrames.ofType(packed.getRGB(0, 0, W, H, null, 0, W), W, H,
            BufferedImage.TYPE_INT_RGB), LIMITS));
  }

  @ParameterizedTest
  @EnumSource(RawFrame.PixelFormat.class)
  void rawFramesWithPaddedRowsEqualTheDecodedPng(RawFrame.PixelFormat format) throws Exception {
    BufferedImage img = format == RawFrame.PixelFormat.GRAY
        ? TestFrames.gray(randomBytes(8, W * H), W, H)
        : TestFrames.ofType(TestFrames.argb(8, W, H, true), W, H, BufferedImage.TYPE_INT_RGB);
    RgbImage file = decodePng(img);
    assertThat(Frames.fromRaw(TestFrames.raw(file.rgb(), W, H, format, 5, 7, 9), LIMITS)).isEqualTo(file);
    assertThat(Frames.fromRaw(TestFrames.raw(file.rgb(), W, H, format, 0, 0, 9), LIMITS)).isEqualTo(file);
  }

  @Test
  void byteBufferFramesAreReadFromTheirPositionToTheirLimit() throws Exception {
    RgbImage file = decodePng(TestFrames.ofType(TestFrames.argb(10, W, H, true), W, H, BufferedImage.TYPE_INT_RGB));
    RawFrame raw = TestFrames.raw(file.rgb(), W, H, RawFrame.PixelFormat.BGRA, 6, 4, 11);
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(raw.data().length + 5);
    direct.put(raw.data()).position(raw.offset());
    assertThat(Frames.fromRaw(direct, W, H, raw.rowStride(), RawFrame.PixelFormat.BGRA, LIMITS)).isEqualTo(file);
    assertThat(direct.position()).isEqualTo(raw.offset());
    int end = raw.offset() + (H - 1) * raw.rowStride() + W * 4; // the last row's padding is not needed
    direct.limit(end);
    assertThat(Frames.fromRaw(direct, W, H, raw.rowStride(), RawFrame.PixelFormat.BGRA, LIMITS)).isEqualTo(file);
    direct.limit(end - 1); // one byte short of the last row
    assertThatThrownBy(() -> Frames.fromRaw(direct, W, H, raw.rowStride(), RawFrame.PixelFormat.BGRA, LIMITS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs " + end + " bytes, the buffer has " + (end - 1));
  }

  @Test
  void rawFrameGeometryIsCheckedBeforeAnythingIsRead() {
    byte[] buf = new byte[100];
    assertThatThrownBy(() -> new RawFrame(buf, 0, 4, 4, -12, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row stride of -12 bytes");
    assertThatThrownBy(() -> new RawFrame(buf, 0, 4, 4, 11, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("less than the 12 bytes of one row");
    assertThatThrownBy(() -> new RawFrame(buf, 0, 4, 9, 12, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 108 bytes, the buffer has 100");
    assertThatThrownBy(() -> new RawFrame(buf, 90, 4, 1, 12, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 102 bytes");
    // a stride whose int product with the height would wrap to a small number
    assertThatThrownBy(() -> new RawFrame(buf, 0, 1, 3, Integer.MAX_VALUE, RawFrame.PixelFormat.GRAY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4294967295 bytes");
    assertThatThrownBy(() -> new RawFrame(buf, -1, 4, 4, 12, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset -1");
    assertThatThrownBy(() -> new RawFrame(buf, 0, 65536, 65536, 65536, RawFrame.PixelFormat.GRAY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4294967296 pixels");
    // width * 4 wraps in int arithmetic (to a negative number) and would let any stride pass
    assertThatThrownBy(() -> new RawFrame(buf, 0, 600_000_000, 1, Integer.MAX_VALUE,
        RawFrame.PixelFormat.RGBA)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("less than the 2400000000 bytes of one row");
    assertThatThrownBy(() -> RawFrame.packed(buf, 600_000_000, 1, RawFrame.PixelFormat.RGBA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than one buffer can hold");
    assertThatThrownBy(() -> new RawFrame(buf, 0, 0, 4, 12, RawFrame.PixelFormat.RGB))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 x 1, got 0 x 4");
  }

  @Test
  void framesOverTheLimitsAreRefusedLikeFiles() {
    DecodeLimits small = new DecodeLimits(100, 50);
    RawFrame raw = RawFrame.packed(new byte[11 * 10], 11, 10, RawFrame.PixelFormat.GRAY);
    assertThatThrownBy(() -> Frames.fromRaw(raw, small)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("11 x 10 pixels").hasMessageContaining("over the limit");
    assertThatThrownBy(() -> Frames.fromBufferedImage(new BufferedImage(11, 10, BufferedImage.TYPE_INT_RGB), small))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("over the limit");
    byte[] png = TestFrames.png(new BufferedImage(5, 5, BufferedImage.TYPE_INT_RGB));
    assertThat(png.length).isGreaterThan(50);
    assertThatThrownBy(() -> Frames.fromEncoded(png, small)).isInstanceOf(ImageDecodeException.class)
        .hasMessage("encoded image of " + png.length + " bytes, over the limit of 50 bytes");
  }

  private static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
