package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.testing.SharedData;

class ImageDecoderTest {

  private static RgbImage decode(byte[] bytes) throws ImageDecodeException {
    return ImageDecoder.decode(bytes, DecodeLimits.DEFAULT);
  }

  private static RgbImage expected(String file) {
    return Fixtures.image(Fixtures.npy(Fixtures.bytes("decode/" + file.substring(0, file.lastIndexOf('.')) + ".rgb.npy")));
  }

  /** Lossless formats: every pixel equals cv2.imread(IMREAD_COLOR)[..., ::-1]. */
  @ParameterizedTest
  @ValueSource(strings = {
      "png_gray8.png", "png_rgb8.png", "png_rgba8.png", "png_gray16.png", "png_rgb16.png", "png_rgba16.png",
      "png_graya8.png", "png_graya16.png", "png_palette8.png", "png_palette8_trns.png", "png_palette4.png",
      "png_gray1.png", "png_gray2.png",
      "bmp_rgb24.bmp", "bmp_gray8.bmp", "bmp_palette8.bmp", "bmp_rgba32.bmp",
      "tif_gray8.tif", "tif_rgb8.tif", "tif_rgba8.tif", "tif_gray16.tif", "tif_rgb16.tif", "tif_rgba16.tif",
      "tif_palette8.tif", "tif_rgb8_raw.tif"})
  void decodesLikeOpenCvImreadColor(String file) throws Exception {
    RgbImage got = decode(Fixtures.bytes("decode/" + file));
    assertThat(got).isEqualTo(expected(file));
  }

  /**
   * JPEG: the JDK's libjpeg 6b and the reference's libjpeg-turbo use the same integer IDCT, fancy upsampling
   * and colour tables; measured difference on these files: 0 levels. Tolerance 0 keeps it that way.
   */
  @ParameterizedTest
  @ValueSource(strings = {"jpg_color420.jpg", "jpg_color444.jpg", "jpg_gray.jpg", "jpg_progressive.jpg"})
  void decodesJpegLikeLibjpegTurbo(String file) throws Exception {
    RgbImage got = decode(Fixtures.bytes("decode/" + file));
    RgbImage want = expected(file);
    assertThat(maxAbsDiff(got, want)).as("max |java - cv2| over all samples").isZero();
  }

  @Test
  void decodesSharedPhotosLikeOpenCv() throws Exception {
    Path cat = SharedData.require("images/cat.bmp");
    Path owl = SharedData.require("images/owl.jpg");
    Path cvCat = SharedData.require("fixtures/effnet063/images_b0_decoded_0_cat.npy");
    Path cvOwl = SharedData.require("fixtures/effnet063/images_b0_decoded_1_owl.npy");
    assertThat(decode(Files.readAllBytes(cat))).isEqualTo(Fixtures.image(Fixtures.npy(Files.readAllBytes(cvCat))));
    RgbImage owlJava = decode(Files.readAllBytes(owl));
    assertThat(maxAbsDiff(owlJava, Fixtures.image(Fixtures.npy(Files.readAllBytes(cvOwl))))).isZero();
  }

  @Test
  void grayIsReplicatedFromRawSamplesWithoutGammaCurve() throws Exception {
    RgbImage got = decode(Fixtures.bytes("decode/png_gray8.png"));
    // BufferedImage.getRGB() would map gray 64 to about 136; the raw sample is what OpenCV returns.
    RgbImage want = expected("png_gray8.png");
    for (int y = 0; y < got.height(); y++) {
      for (int x = 0; x < got.width(); x++) {
        assertThat(got.sample(x, y, 1)).isEqualTo(got.sample(x, y, 0));
        assertThat(got.sample(x, y, 2)).isEqualTo(got.sample(x, y, 0));
      }
    }
    assertThat(got).isEqualTo(want);
  }

  @Test
  void rejectsEmptyFile() {
    assertThatThrownBy(() -> decode(new byte[0]))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage("empty file");
  }

  @Test
  void rejectsHtmlNamingItsFirstBytes() {
    byte[] html = "<html><body>404</body></html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> decode(html))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage("not a PNG, JPEG, BMP or TIFF image (starts 3C 68 74 6D)");
  }

  @Test
  void rejectsGifAndShortFiles() {
    assertThatThrownBy(() -> decode("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .hasMessage("not a PNG, JPEG, BMP or TIFF image (starts 47 49 46 38)");
    assertThatThrownBy(() -> decode(new byte[] {(byte) 0x89, 0x50}))
        .hasMessage("not a PNG, JPEG, BMP or TIFF image (starts 89 50)");
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 30, 60, 200, 400, -40})
  void rejectsTruncatedPng(int keep) {
    byte[] full = Fixtures.bytes("decode/png_rgb8.png");
    // negative: drop the tail (IEND, IDAT's CRC and the last compressed pixel data)
    byte[] cut = Arrays.copyOf(full, keep > 0 ? keep : full.length + keep);
    assertThatThrownBy(() -> decode(cut))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("truncated or corrupt PNG: ")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 100, 400, 700, -2})
  void rejectsTruncatedJpegInsteadOfReturningGrayPadding(int keep) {
    byte[] full = Fixtures.bytes("decode/jpg_color420.jpg");
    byte[] cut = Arrays.copyOf(full, keep > 0 ? keep : full.length + keep);
    assertThatThrownBy(() -> decode(cut))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("truncated or corrupt JPEG: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void rejectsCorruptPngData() {
    byte[] bytes = Fixtures.bytes("decode/png_rgb8.png");
    int idat = indexOf(bytes, "IDAT".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (int i = idat + 10; i < idat + 40; i++) {
      bytes[i] ^= (byte) 0x5A;
    }
    assertThatThrownBy(() -> decode(bytes))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("truncated or corrupt PNG: ");
  }

  @Test
  void rejectsPngHeaderClaimingTenGigapixelsBeforeDecoding() {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    assertThatThrownBy(() -> decode(bomb))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage("image header claims 100000 x 100000 pixels (1e10), over the limit of 1e8 pixels");
  }

  @Test
  void rejectsJpegHeaderOverTheLimit() {
    byte[] bytes = Fixtures.bytes("decode/jpg_color420.jpg");
    int sof = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xC0});
    // SOF0: FF C0, length(2), precision(1), height(2), width(2)
    ByteBuffer.wrap(bytes, sof + 5, 4).putShort((short) 60000).putShort((short) 50000);
    assertThatThrownBy(() -> decode(bytes))
        .hasMessage("image header claims 50000 x 60000 pixels (3e9), over the limit of 1e8 pixels");
  }

  @Test
  void appliesTheCallersLimit() throws Exception {
    byte[] png = Fixtures.bytes("decode/png_rgb8.png");
    assertThatThrownBy(() -> ImageDecoder.decode(png, new DecodeLimits(390)))
        .hasMessage("image header claims 23 x 17 pixels (3.91e2), over the limit of 3.9e2 pixels");
    assertThat(ImageDecoder.decode(png, new DecodeLimits(391)).width()).isEqualTo(23);
  }

  @Test
  void formatsPixelCountsWithThreeSignificantDigits() {
    assertThat(ImageDecoder.scientific(10_000_000_000L)).isEqualTo("1e10");
    assertThat(ImageDecoder.scientific(100_000_000L)).isEqualTo("1e8");
    assertThat(ImageDecoder.scientific(123_456_789L)).isEqualTo("1.23e8");
    assertThat(ImageDecoder.scientific(7L)).isEqualTo("7e0");
  }

  @Test
  void limitsMustBePositiveAndFitAnArray() {
    assertThatThrownBy(() -> new DecodeLimits(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DecodeLimits(1L << 40)).hasMessageContaining("maxPixels must be in [1, ");
  }

  /** A PNG signature and a valid IHDR (correct CRC) claiming the given size, then nothing. */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(8 + 25);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    b.putInt(13);
    int crcStart = b.position();
    b.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(b.array(), crcStart, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("marker not found");
  }

  static int maxAbsDiff(RgbImage a, RgbImage b) {
    assertThat(a.width()).isEqualTo(b.width());
    assertThat(a.height()).isEqualTo(b.height());
    byte[] x = a.rgb();
    byte[] y = b.rgb();
    int max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs((x[i] & 0xff) - (y[i] & 0xff)));
    }
    return max;
  }
}
