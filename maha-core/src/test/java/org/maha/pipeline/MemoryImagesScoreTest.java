package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.DecodeLimits;
import org.maha.image.RawFrame;
import org.maha.image.RgbImage;
import org.maha.image.TestFrames;
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;

/**
 * The issue-8 bar for frames in memory: one picture as a PNG file, its bytes, a {@link BufferedImage} of each type
 * and a raw buffer with padded rows scores the same to the last bit through a fitted model, because every form is
 * converted to the same decoded pixels and then shares the file's extraction.
 */
class MemoryImagesScoreTest {
  private static final int W = 37;
  private static final int H = 29;
  private static final DecodeLimits LIMITS = DecodeLimits.DEFAULT;

  @TempDir static Path dir;
  private static OnnxBackbone backbone;
  private static FeatureExtractor extractor;
  private static GaussianAdModel model;
  private static List<BufferedImage> training;

  @BeforeAll
  static void fit() throws Exception {
    URL onnx = MemoryImagesScoreTest.class.getResource("/org/maha/backbone/tiny_cnn.onnx");
    assertThat(onnx).as("tiny CNN test resource").isNotNull();
    backbone = OnnxBackbone.open(Path.of(onnx.toURI()),
        BackboneOptions.defaults().withLevels(List.of("s1", "s2", "pooled")));
    extractor = new FeatureExtractor(backbone, LIMITS, 2);
    training = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      BufferedImage img = TestFrames.ofType(TestFrames.argb(100 + i, 40, 30, true), 40, 30,
          BufferedImage.TYPE_INT_RGB);
      training.add(img);
      files.add(write("train" + i + ".png", TestFrames.png(img)));
    }
    model = Jobs.fit(extractor, files, new Variant.Mvg(), "train", null, false, ProgressListener.NONE).model();
  }

  @AfterAll
  static void close() throws Exception {
    if (backbone != null) {
      backbone.close();
    }
  }

  private static Path write(String name, byte[] bytes) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static AnomalyScore only(Jobs.ScoreOutcome outcome) {
    assertThat(outcome.skipped()).isEmpty();
    assertThat(outcome.scores()).hasSize(1);
    return outcome.scores().get(0).score();
  }

  private static AnomalyScore scoreFile(Path file) throws Exception {
    return only(Jobs.score(extractor, model, List.of(file), false, ProgressListener.NONE));
  }

  private static AnomalyScore score(FeatureExtractor.ImageSource source) throws Exception {
    return only(Jobs.score(extractor, model, source, false, ProgressListener.NONE));
  }

  /** Bit-for-bit: the combined score and every level's distance. */
  private static void assertSame(AnomalyScore actual, AnomalyScore expected, String form) {
    assertThat(actual.score()).as(form).isEqualTo(expected.score());
    assertThat(actual.levelDistances()).as(form).containsExactly(expected.levelDistances());
  }

  @Test
  void colourPictureScoresTheSameInEveryForm() throws Exception {
    int[] argb = TestFrames.argb(1, W, H, true);
    byte[] png = TestFrames.png(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_RGB));
    AnomalyScore file = scoreFile(write("colour.png", png));
    assertThat(file.score()).isFinite().isPositive();
    assertSame(score(MemoryImages.encoded(List.of(png), LIMITS)), file, "PNG bytes");
    for (int type : TestFrames.COLOUR_TYPES) {
      assertSame(score(MemoryImages.bufferedImages(List.of(TestFrames.ofType(argb, W, H, type)), LIMITS)), file,
          "BufferedImage type " + type);
    }
    RgbImage decoded = org.maha.image.Frames.fromEncoded(png, LIMITS);
    for (RawFrame.PixelFormat f : List.of(RawFrame.PixelFormat.RGB, RawFrame.PixelFormat.BGR,
        RawFrame.PixelFormat.RGBA, RawFrame.PixelFormat.BGRA)) {
      RawFrame raw = TestFrames.raw(decoded.rgb(), W, H, f, 3, 13, 2);
      assertThat(raw.rowStride()).isGreaterThan(W * f.channels());
      assertSame(score(MemoryImages.raw(List.of(raw), LIMITS)), file, "raw " + f + " with padded rows");
    }
  }

  @Test
  void translucentPictureScoresAsItsRgbaPngAndAsOpaque() throws Exception {
    int[] argb = TestFrames.argb(3, W, H, false);
    AnomalyScore rgbFile = scoreFile(write("opaque.png",
        TestFrames.png(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_RGB))));
    BufferedImage intArgb = TestFrames.ofType(argb, W, H, BufferedImage.TYPE_INT_ARGB);
    assertSame(scoreFile(write("rgba.png", TestFrames.png(intArgb))), rgbFile, "RGBA PNG file");
    assertSame(score(MemoryImages.bufferedImages(List.of(intArgb), LIMITS)), rgbFile, "INT_ARGB");
    assertSame(score(MemoryImages.bufferedImages(
        List.of(TestFrames.ofType(argb, W, H, BufferedImage.TYPE_4BYTE_ABGR)), LIMITS)), rgbFile, "4BYTE_ABGR");
  }

  @Test
  void grayPictureScoresTheSameInEveryForm() throws Exception {
    byte[] samples = new byte[W * H];
    new Random(4).nextBytes(samples);
    BufferedImage gray = TestFrames.gray(samples, W, H);
    byte[] png = TestFrames.png(gray);
    AnomalyScore file = scoreFile(write("gray.png", png));
    assertSame(score(MemoryImages.encoded(List.of(png), LIMITS)), file, "gray PNG bytes");
    assertSame(score(MemoryImages.bufferedImages(List.of(gray), LIMITS)), file, "BYTE_GRAY");
    BufferedImage gray16 = TestFrames.gray16(samples, W, H, 5);
    assertSame(scoreFile(write("gray16.png", TestFrames.png(gray16))), file, "16-bit gray PNG file");
    assertSame(score(MemoryImages.bufferedImages(List.of(gray16), LIMITS)), file, "USHORT_GRAY");
    RawFrame raw = TestFrames.raw(org.maha.image.Frames.fromEncoded(png, LIMITS).rgb(), W, H,
        RawFrame.PixelFormat.GRAY, 1, 9, 6);
    assertSame(score(MemoryImages.raw(List.of(raw), LIMITS)), file, "raw GRAY with padded rows");
  }

  @Test
  void palettePictureScoresTheSameAsFileAndBufferedImage() throws Exception {
    for (int bits : new int[] {8, 1}) {
      BufferedImage indexed = TestFrames.indexed(7 + bits, W, H, bits);
      AnomalyScore file = scoreFile(write("palette" + bits + ".png", TestFrames.png(indexed)));
      assertSame(score(MemoryImages.bufferedImages(List.of(indexed), LIMITS)), file,
          bits == 8 ? "BYTE_INDEXED" : "BYTE_BINARY");
    }
  }

  @Test
  void fittingOnFramesGivesTheModelFittedOnTheirFiles() throws Exception {
    GaussianAdModel fromFrames = Jobs.fit(extractor, MemoryImages.bufferedImages(training, LIMITS),
        new Variant.Mvg(), "train", null, false, null, ProgressListener.NONE).model();
    Path probe = write("probe.png", TestFrames.png(TestFrames.ofType(TestFrames.argb(9, W, H, true), W, H,
        BufferedImage.TYPE_3BYTE_BGR)));
    AnomalyScore viaFiles = scoreFile(probe);
    AnomalyScore viaFrames = only(Jobs.score(extractor, fromFrames, List.of(probe), false, ProgressListener.NONE));
    assertSame(viaFrames, viaFiles, "model fitted on frames");
  }

  @Test
  void anUnreadableFrameIsSkippedNamingItLikeAFile() throws Exception {
    byte[] good = TestFrames.png(TestFrames.ofType(TestFrames.argb(10, W, H, true), W, H,
        BufferedImage.TYPE_INT_RGB));
    Jobs.ScoreOutcome out = Jobs.score(extractor, model,
        MemoryImages.encoded(List.of(good, "not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            good), LIMITS), true, ProgressListener.NONE);
    assertThat(out.scores()).extracting(ScoredImage::path).containsExactly(Path.of("frame-0"), Path.of("frame-2"));
    assertThat(out.skipped()).singleElement().satisfies(s -> {
      assertThat(s.path()).isEqualTo(Path.of("frame-1"));
      assertThat(s.reason()).startsWith("not a PNG, JPEG, BMP or TIFF image");
    });
  }
}
