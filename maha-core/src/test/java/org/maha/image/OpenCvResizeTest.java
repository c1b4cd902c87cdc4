package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.maha.npy.NpyArray;
import org.maha.testing.SharedData;

class OpenCvResizeTest {

  /** One cv2.resize reference from resize_cases.json. */
  record Case(int srcWidth, int srcHeight, int dstWidth, int dstHeight, int seed, String pattern, String sha256,
      long sum, int[] rgb) {
    @Override
    public String toString() {
      return srcWidth + "x" + srcHeight + " -> " + dstWidth + "x" + dstHeight + " " + pattern;
    }
  }

  static Stream<Case> cases() throws IOException {
    JsonNode root = new ObjectMapper().readTree(Fixtures.bytes("resize_cases.json"));
    List<Case> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      int[] rgb = null;
      if (c.has("rgb")) {
        rgb = new int[c.get("rgb").size()];
        for (int i = 0; i < rgb.length; i++) {
          rgb[i] = c.get("rgb").get(i).asInt();
        }
      }
      out.add(new Case(c.get("srcWidth").asInt(), c.get("srcHeight").asInt(), c.get("dstWidth").asInt(),
          c.get("dstHeight").asInt(), c.get("seed").asInt(), c.get("pattern").asText(), c.get("sha256").asText(),
          c.get("sum").asLong(), rgb));
    }
    return out.stream();
  }

  /** make_fixtures.py's lowbias32 integer hash, in uint32 arithmetic (Java int wrap-around). */
  static int hash(int i, int seed) {
    int h = i * 0x9E3779B1 + seed * 0x85EBCA77;
    h ^= h >>> 16;
    h *= 0x7FEB352D;
    h ^= h >>> 15;
    h *= 0x846CA68B;
    h ^= h >>> 16;
    return h;
  }

  /** The synthetic source image of make_fixtures.py's {@code synthetic(w, h, seed, pattern)}. */
  static RgbImage synthetic(int w, int h, int seed, String pattern) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < rgb.length; i++) {
      int hv = hash(i, seed);
      int c = i % 3;
      int x = (i / 3) % w;
      int y = i / (3 * w);
      rgb[i] = (byte) switch (pattern) {
        case "noise" -> hv >>> 24;
        case "binary" -> (hv >>> 31) * 255;
        case "smooth" -> (x * 3 + y * 5 + c * 40 + (hv >>> 29)) & 255;
        default -> throw new IllegalArgumentException(pattern);
      };
    }
    return new RgbImage(w, h, rgb);
  }

  @Test
  void syntheticSourceMatchesThePythonGenerator() throws IOException {
    JsonNode first = new ObjectMapper().readTree(Fixtures.bytes("resize_cases.json")).get("cases").get(0);
    RgbImage src = synthetic(first.get("srcWidth").asInt(), first.get("srcHeight").asInt(),
        first.get("seed").asInt(), first.get("pattern").asText());
    byte[] px = src.rgb();
    for (int i = 0; i < first.get("srcHead").size(); i++) {
      assertThat(px[i] & 0xff).as("source byte %d", i).isEqualTo(first.get("srcHead").get(i).asInt());
    }
  }

  /** Bit-exact against cv2.resize(INTER_LINEAR) of OpenCV 4.6: up, down, odd sizes, 2x (INTER_AREA), saturation. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesCv2ResizeBitExactly(Case c) {
    RgbImage out = OpenCvResize.linear(synthetic(c.srcWidth(), c.srcHeight(), c.seed(), c.pattern()),
        c.dstWidth(), c.dstHeight());
    assertThat(out.width()).isEqualTo(c.dstWidth());
    assertThat(out.height()).isEqualTo(c.dstHeight());
    byte[] px = out.rgb();
    if (c.rgb() != null) {
      int[] got = new int[px.length];
      for (int i = 0; i < px.length; i++) {
        got[i] = px[i] & 0xff;
      }
      assertThat(got).isEqualTo(c.rgb());
    }
    long sum = 0;
    for (byte b : px) {
      sum += b & 0xff;
    }
    assertThat(sum).as("sum of output bytes").isEqualTo(c.sum());
    assertThat(sha256(px)).isEqualTo(c.sha256());
  }

  @Test
  void matchesOpenCvOnTheSharedPhotos() throws IOException {
    NpyArray resized = Fixtures.npy(Files.readAllBytes(
        SharedData.require("fixtures/effnet063/images_b0_resized_uint8.npy")));
    String[] decoded = {"images_b0_decoded_0_cat.npy", "images_b0_decoded_1_owl.npy"};
    for (int k = 0; k < decoded.length; k++) {
      Path p = SharedData.require("fixtures/effnet063/" + decoded[k]);
      RgbImage src = Fixtures.image(Fixtures.npy(Files.readAllBytes(p)));
      RgbImage out = OpenCvResize.linear(src, 224, 224);
      double[] want = Fixtures.slice(resized, k);
      byte[] got = out.rgb();
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i] & 0xff).as("%s byte %d", decoded[k], i).isEqualTo((int) want[i]);
      }
    }
  }

  /**
   * Hand-worked: 2 x 1 (black, white) to 3 x 1. Column weights (2048, 0) clamped, (1024, 1024), (0 -> clamped
   * to the last pixel); the middle value is ((((255*1024 >> 4) * 2048) >> 16) + 2) >> 2 = 128.
   */
  @Test
  void interpolatesAndRoundsLikeTheFixedPointKernel() {
    RgbImage src = new RgbImage(2, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
    RgbImage out = OpenCvResize.linear(src, 3, 1);
    assertThat(out.rgb()).containsExactly(0, 0, 0, (byte) 128, (byte) 128, (byte) 128, (byte) 255, (byte) 255,
        (byte) 255);
  }

  @Test
  void exactHalvingAveragesTwoByTwoBlocksRoundingHalfUp() {
    // 4 x 2 -> 2 x 1: blocks {0, 1, 2, 3} -> (6 + 2) >> 2 = 2 and {10, 10, 11, 11} -> 44 >> 2 = 11
    byte[] px = new byte[4 * 2 * 3];
    int[] vals = {0, 1, 10, 10, 2, 3, 11, 11};
    for (int i = 0; i < vals.length; i++) {
      for (int c = 0; c < 3; c++) {
        px[i * 3 + c] = (byte) vals[i];
      }
    }
    RgbImage out = OpenCvResize.linear(new RgbImage(4, 2, px), 2, 1);
    assertThat(out.rgb()).containsExactly(2, 2, 2, 11, 11, 11);
  }

  @Test
  void sameSizeReturnsTheImageUnchanged() {
    RgbImage src = synthetic(5, 4, 1, "noise");
    assertThat(OpenCvResize.linear(src, 5, 4)).isSameAs(src);
  }

  @Test
  void rejectsEmptyTargetSize() {
    RgbImage src = synthetic(5, 4, 1, "noise");
    assertThatThrownBy(() -> OpenCvResize.linear(src, 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target size must be at least 1 x 1, got 0 x 4");
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
