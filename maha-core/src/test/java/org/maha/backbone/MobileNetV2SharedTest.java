package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.maha.image.Normalization;
import org.maha.testing.SharedData;

/** The genuine ImageNet MobileNetV2 from ../shared/models (read in place; skipped when absent). */
class MobileNetV2SharedTest {

  private static final int S = 224;

  @Test
  void nineTapFileIsAPresetWithTheStageWidthsOfMobileNetV2() throws Exception {
    Path file = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    try (OnnxBackbone b = OnnxBackbone.open(file, BackboneOptions.defaults())) {
      assertThat(b.isPretrainedPreset()).isTrue();
      BackboneSpec spec = b.spec();
      assertThat(spec.name()).isEqualTo("mobilenet_v2");
      assertThat(spec.onnxSha256()).isEqualTo(Presets.MOBILENET_V2_9TAPS_SHA256);
      assertThat(spec.normalization()).isEqualTo(Normalization.MINUS1_TO_1);
      assertThat(spec.inputName()).isEqualTo("input");
      assertThat(spec.inputSizePx()).isEqualTo(S);
      assertThat(spec.levelNames()).containsExactly("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8");
      // PROVENANCE.md table: C of L0..L8
      assertThat(spec.levelDims()).containsExactly(32, 16, 24, 32, 64, 96, 160, 320, 1280);
    }
  }

  @Test
  void threeTapFileIsAPresetAndRelaxesItsFixedBatch() throws Exception {
    Path file = SharedData.mobileNetV2();
    try (OnnxBackbone b = OnnxBackbone.open(file, BackboneOptions.defaults())) {
      assertThat(b.isPretrainedPreset()).isTrue();
      assertThat(b.spec().levelNames()).containsExactly("feat_s8", "feat_s16", "embedding");
      assertThat(b.spec().levelDims()).containsExactly(192, 576, 1280);
      // the graph declares batch 1 but only has a batch-agnostic Flatten(axis=1)
      assertThat(b.isBatchAxisRelaxed()).isTrue();
      assertThat(b.maxBatch()).isEqualTo(BackboneOptions.DEFAULT_MAX_BATCH);
    }
  }

  @Test
  void explicitLevelsOverrideThePreset() throws Exception {
    Path file = SharedData.mobileNetV2();
    try (OnnxBackbone b = OnnxBackbone.open(file,
        BackboneOptions.defaults().withLevels(List.of("embedding")).withNormalization(Normalization.IMAGENET))) {
      assertThat(b.spec().levelNames()).containsExactly("embedding");
      assertThat(b.spec().levelDims()).containsExactly(1280);
      assertThat(b.spec().normalization()).isEqualTo(Normalization.IMAGENET);
    }
  }

  @Test
  void classifiesTheCatPhotoAsAnEgyptianCat() throws Exception {
    Path model = SharedData.mobileNetV2();
    Path photo = SharedData.require("images/cat.bmp");
    List<String> labels = Files.readAllLines(SharedData.require("images/imagenet_labels.txt"),
        StandardCharsets.UTF_8);
    float[] cat = minus1To1Chw(resizeBilinear(ImageIO.read(photo.toFile()), S));
    try (OnnxBackbone b = OnnxBackbone.open(model, BackboneOptions.defaults())) {
      float[] probabilities = b.rawOutput("output", cat, 1)[0];
      assertThat(probabilities).hasSize(1001);
      int top = 0;
      for (int i = 1; i < probabilities.length; i++) {
        if (probabilities[i] > probabilities[top]) {
          top = i;
        }
      }
      // index 0 is "background", so output index i is line i of the label file
      assertThat(labels.get(top)).isEqualTo("Egyptian cat");
      assertThat((double) probabilities[top]).isGreaterThan(0.4); // PROVENANCE.md: p ≈ 0.67 (resizer-dependent)
    }
  }

  @Test
  void embeddingOutputEqualsOurAverageOfTheL8Map() throws Exception {
    // Same network in both files: "embedding" is ONNX Runtime's float32 GlobalAveragePool of the 1280×7×7 map
    // that the 9-tap file exposes as L8, so our float64 mean must agree to float32 rounding.
    Path three = SharedData.mobileNetV2();
    Path nine = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    float[] cat = minus1To1Chw(resizeBilinear(ImageIO.read(SharedData.require("images/cat.bmp").toFile()), S));
    try (OnnxBackbone a = OnnxBackbone.open(three, BackboneOptions.defaults().withLevels(List.of("embedding")));
        OnnxBackbone b = OnnxBackbone.open(nine, BackboneOptions.defaults().withLevels(List.of("L8")))) {
      double[] embedding = a.extract(cat, 1)[0][0];
      double[] meanOfL8 = b.extract(cat, 1)[0][0];
      assertThat(meanOfL8).hasSize(1280);
      double maxAbs = 0;
      for (int k = 0; k < 1280; k++) {
        maxAbs = Math.max(maxAbs, Math.abs(embedding[k]));
        // ReLU6 outputs in [0, 6]; a float32 sum of 49 terms is good to ~1e-6 relative
        assertThat(meanOfL8[k]).as("feature %d", k).isCloseTo(embedding[k], within(1e-5));
      }
      assertThat(maxAbs).as("a real, non-zero embedding").isGreaterThan(0.5);
    }
  }

  @Test
  void batchedFeaturesMatchSingleImageFeaturesOnTheRelaxedGraph() throws Exception {
    Path model = SharedData.mobileNetV2();
    Path photo = SharedData.require("images/cat.bmp");
    float[] cat = minus1To1Chw(resizeBilinear(ImageIO.read(photo.toFile()), S));
    int per = cat.length;
    float[] three = new float[3 * per];
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < per; k++) {
        three[i * per + k] = i == 1 ? -cat[k] : cat[k]; // a second, different image in the middle
      }
    }
    try (OnnxBackbone b = OnnxBackbone.open(model, BackboneOptions.defaults())) {
      double[][][] batched = b.extract(three, 3);
      for (int i = 0; i < 3; i++) {
        float[] one = new float[per];
        System.arraycopy(three, i * per, one, 0, per);
        double[][][] single = b.extract(one, 1);
        for (int l = 0; l < 3; l++) {
          for (int k = 0; k < single[l][0].length; k++) {
            // float32 GEMMs may block differently for another batch size: agree to float32 rounding
            assertThat(batched[l][i][k]).isCloseTo(single[l][0][k], within(1e-5 * (1 + Math.abs(single[l][0][k]))));
          }
        }
      }
      for (int l = 0; l < 3; l++) {
        // images 0 and 2 are the same photo in one call: each image is convolved on its own, so bit-identical
        assertThat(batched[l][2]).as("level %d", l).containsExactly(batched[l][0]);
      }
    }
  }

  /** Bilinear resize to size×size, half-pixel centres, edge clamped (any bilinear will do for top-1). */
  static BufferedImage resizeBilinear(BufferedImage src, int size) {
    BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int w = src.getWidth();
    int h = src.getHeight();
    for (int y = 0; y < size; y++) {
      double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / size - 0.5));
      int y0 = (int) sy;
      int y1 = Math.min(h - 1, y0 + 1);
      double fy = sy - y0;
      for (int x = 0; x < size; x++) {
        double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / size - 0.5));
        int x0 = (int) sx;
        int x1 = Math.min(w - 1, x0 + 1);
        double fx = sx - x0;
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
          double top = (1 - fx) * channel(src, x0, y0, shift) + fx * channel(src, x1, y0, shift);
          double bottom = (1 - fx) * channel(src, x0, y1, shift) + fx * channel(src, x1, y1, shift);
          int v = (int) Math.round((1 - fy) * top + fy * bottom);
          rgb |= Math.max(0, Math.min(255, v)) << shift;
        }
        dst.setRGB(x, y, rgb);
      }
    }
    return dst;
  }

  private static int channel(BufferedImage img, int x, int y, int shift) {
    return (img.getRGB(x, y) >> shift) & 0xFF;
  }

  /** RGB CHW, x / 127.5 - 1 (the network's normalisation). */
  static float[] minus1To1Chw(BufferedImage img) {
    int s = img.getWidth();
    float[] chw = new float[3 * s * s];
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        int rgb = img.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
          int v = (rgb >> (16 - 8 * c)) & 0xFF;
          chw[(c * s + y) * s + x] = (float) (v / 127.5 - 1.0);
        }
      }
    }
    return chw;
  }
}
