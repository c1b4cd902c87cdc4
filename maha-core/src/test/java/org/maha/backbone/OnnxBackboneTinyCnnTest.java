package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.image.Normalization;

class OnnxBackboneTinyCnnTest {

  /**
   * float32 network vs float64 numpy: ~8..150 multiply-adds per value in float32, so ~1e-6 relative error is
   * expected; 1e-5 of the level's largest magnitude leaves a margin without hiding a wrong layer (errors of a
   * wrong pad or stride are order 1e-1).
   */
  private static final double REL_TOL = 1e-5;

  private static BackboneOptions levels(String... names) {
    return BackboneOptions.defaults().withLevels(List.of(names));
  }

  private static void assertMatchesReference(double[][][] actual, int firstImage, int n) {
    double[][][] expected = TinyCnn.expectedFeatures();
    assertThat(actual).hasNumberOfRows(3);
    for (int l = 0; l < 3; l++) {
      double scale = 0;
      for (double[] row : expected[l]) {
        for (double v : row) {
          scale = Math.max(scale, Math.abs(v));
        }
      }
      assertThat(actual[l]).hasNumberOfRows(n);
      for (int i = 0; i < n; i++) {
        assertThat(actual[l][i]).hasSize(expected[l][firstImage + i].length);
        for (int k = 0; k < actual[l][i].length; k++) {
          assertThat(actual[l][i][k]).as("level %s image %d feature %d", TinyCnn.LEVELS[l], firstImage + i, k)
              .isCloseTo(expected[l][firstImage + i][k], within(REL_TOL * scale));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny_cnn.onnx", "tiny_cnn_batch1.onnx", "tiny_cnn_batch1_reshape.onnx"})
  void matchesNumpyReferenceFeatures(String file) throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource(file), levels(TinyCnn.LEVELS))) {
      assertMatchesReference(b.extract(TinyCnn.input(), TinyCnn.IMAGES), 0, TinyCnn.IMAGES);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny_cnn.onnx", "tiny_cnn_batch1.onnx"})
  void batchOfFiveGivesTheFeaturesOfFiveSingleImages(String file) throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource(file), levels(TinyCnn.LEVELS))) {
      assertThat(b.maxBatch()).isEqualTo(BackboneOptions.DEFAULT_MAX_BATCH);
      double[][][] batched = b.extract(TinyCnn.input(), TinyCnn.IMAGES);
      for (int i = 0; i < TinyCnn.IMAGES; i++) {
        double[][][] single = b.extract(TinyCnn.images(i, 1), 1);
        for (int l = 0; l < 3; l++) {
          // ONNX Runtime's CPU convolutions compute each image alone, in the same order: bit-identical.
          assertThat(single[l][0]).as("level %s image %d", TinyCnn.LEVELS[l], i).containsExactly(batched[l][i]);
        }
      }
    }
  }

  @Test
  void splitsBatchesLargerThanMaxBatch() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"),
        levels(TinyCnn.LEVELS).withMaxBatch(2))) {
      assertThat(b.maxBatch()).isEqualTo(2);
      double[][][] features = b.extract(TinyCnn.input(), TinyCnn.IMAGES);
      assertMatchesReference(features, 0, TinyCnn.IMAGES);
    }
  }

  @Test
  void relaxesADeclaredBatchOfOneThatTheGraphDoesNotNeed() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn_batch1.onnx"), levels(TinyCnn.LEVELS))) {
      assertThat(b.isBatchAxisRelaxed()).isTrue();
      assertThat(b.maxBatch()).isEqualTo(16);
    }
  }

  @Test
  void fallsBackToOneImageAtATimeWhenTheGraphHardCodesTheBatch() throws Exception {
    // Reshape(shape=[1,-1]) turns a batch of 2 into [1, 32]: the relaxed-batch check must reject it.
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn_batch1_reshape.onnx"),
        levels(TinyCnn.LEVELS))) {
      assertThat(b.isBatchAxisRelaxed()).isFalse();
      assertThat(b.maxBatch()).isEqualTo(1);
    }
  }

  @Test
  void maxBatchOneKeepsTheDeclaredBatchAxis() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn_batch1.onnx"),
        levels(TinyCnn.LEVELS).withMaxBatch(1))) {
      assertThat(b.isBatchAxisRelaxed()).isFalse();
      assertThat(b.maxBatch()).isEqualTo(1);
      assertMatchesReference(b.extract(TinyCnn.input(), TinyCnn.IMAGES), 0, TinyCnn.IMAGES);
    }
  }

  @Test
  void describesAnUnknownFileFromItsGraph() throws Exception {
    var file = TinyCnn.resource("tiny_cnn.onnx");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    try (OnnxBackbone b = OnnxBackbone.open(file, levels("pooled", "s1").withThreads(1))) {
      BackboneSpec spec = b.spec();
      assertThat(spec.name()).isEqualTo("tiny_cnn");
      assertThat(spec.onnxSha256()).isEqualTo(sha);
      assertThat(spec.inputName()).isEqualTo("input");
      assertThat(spec.inputSizePx()).isEqualTo(32);
      assertThat(spec.normalization()).isEqualTo(Normalization.IMAGENET);
      assertThat(spec.levelNames()).containsExactly("pooled", "s1");
      assertThat(spec.levelDims()).containsExactly(16, 8);
      assertThat(b.isPretrainedPreset()).isFalse();
      assertThat(b.describeOutputs()).containsExactly("s1 [N, 8, 16, 16]", "s2 [N, 16, 8, 8]", "pooled [N, 16]");
    }
  }

  @Test
  void explicitNormalizationIsRecordedInTheSpec() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"),
        levels("s2").withNormalization(Normalization.MINUS1_TO_1))) {
      assertThat(b.spec().normalization()).isEqualTo(Normalization.MINUS1_TO_1);
    }
  }

  @Test
  void rawOutputIsTheUnpooledMapWhoseMeanIsTheLevelFeature() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s2"))) {
      float[] x = TinyCnn.images(0, 2);
      float[][] raw = b.rawOutput("s2", x, 2);
      double[][][] pooled = b.extract(x, 2);
      assertThat(raw).hasNumberOfRows(2);
      for (int i = 0; i < 2; i++) {
        assertThat(raw[i]).hasSize(16 * 8 * 8);
        for (int c = 0; c < 16; c++) {
          double sum = 0;
          for (int k = 0; k < 64; k++) {
            sum += raw[i][c * 64 + k];
          }
          // averaged inside the graph in float32 (InGraphPooling): equal to float32 precision
          assertThat(pooled[0][i][c]).isCloseTo(sum / 64, within(1e-6 * Math.max(1, Math.abs(sum / 64))));
        }
      }
    }
  }

  @Test
  void repeatedExtractionIsBitIdentical() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels(TinyCnn.LEVELS))) {
      double[][][] first = b.extract(TinyCnn.input(), TinyCnn.IMAGES);
      double[][][] second = b.extract(TinyCnn.input(), TinyCnn.IMAGES);
      assertThat(second).isDeepEqualTo(first);
    }
  }

  @Test
  void findsTheSizeOfALevelWithSymbolicChannelsByAFirstRun() throws Exception {
    // y = Relu(Slice(input, channels 0 .. max|input| + 3)): only a run can tell C = 3
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("symbolic_dims.onnx"), levels("y"))) {
      assertThat(b.describeOutputs()).containsExactly("y [N, C, 8, 8]");
      assertThat(b.spec().levelDims()).containsExactly(3);
      assertThat(b.spec().inputSizePx()).isEqualTo(8);
      float[] x = new float[2 * 3 * 64];
      float[] channelValue = {-1f, 0.5f, 2f, 3f, -2f, 0.25f};
      for (int i = 0; i < x.length; i++) {
        x[i] = channelValue[i / 64];
      }
      double[][][] f = b.extract(x, 2);
      assertThat(f[0][0]).containsExactly(0.0, 0.5, 2.0);
      assertThat(f[0][1]).containsExactly(3.0, 0.0, 0.25);
    }
  }
}
