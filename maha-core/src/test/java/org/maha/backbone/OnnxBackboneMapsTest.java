package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link OnnxBackbone#extractWithMaps}: the maps are the outputs' own values, the pooled features unchanged. */
class OnnxBackboneMapsTest {

  private static BackboneOptions levels(String... names) {
    return BackboneOptions.defaults().withLevels(List.of(names));
  }

  @Test
  void recordsEachLevelsGridAtOpenTime() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels(TinyCnn.LEVELS))) {
      assertThat(b.levelGrids()).containsExactly(new LevelGrid(8, 16, 16), new LevelGrid(16, 8, 8),
          new LevelGrid(16, 1, 1));
    }
  }

  @Test
  void findsTheGridOfALevelWithSymbolicChannelsByAFirstRun() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("symbolic_dims.onnx"), levels("y"))) {
      assertThat(b.levelGrids()).containsExactly(new LevelGrid(3, 8, 8));
    }
  }

  /** Files with a symbolic batch, a relaxed batch of 1, and a hard-coded batch of 1; batches split by 2 or not. */
  @ParameterizedTest
  @CsvSource({"tiny_cnn.onnx, 16", "tiny_cnn.onnx, 2", "tiny_cnn_batch1.onnx, 16", "tiny_cnn_batch1_reshape.onnx, 16"})
  void mapsAreTheSlicedOutputsAndPooledFeaturesAreUnchanged(String file, int maxBatch) throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource(file), levels(TinyCnn.LEVELS).withMaxBatch(maxBatch))) {
      float[] x = TinyCnn.input();
      int n = TinyCnn.IMAGES;
      int[] mapLevels = {2, 0}; // any order; the [N, C] level 'pooled' as a C x 1 x 1 map
      FeatureMaps fm = b.extractWithMaps(x, n, mapLevels);
      // the image features of the pooled-only call, bit for bit
      assertThat(fm.pooled()).isDeepEqualTo(b.extract(x, n));
      assertThat(fm.maps()).hasNumberOfRows(2);
      for (int k = 0; k < mapLevels.length; k++) {
        String name = TinyCnn.LEVELS[mapLevels[k]];
        LevelGrid grid = b.levelGrids().get(mapLevels[k]);
        // the graph run again, one image at a time, and its output sliced by hand
        for (int i = 0; i < n; i++) {
          float[] byHand = b.rawOutput(name, TinyCnn.images(i, 1), 1)[0];
          assertThat(byHand).hasSize(grid.values());
          assertThat(fm.maps()[k][i]).as("level %s image %d", name, i).containsExactly(byHand);
        }
      }
    }
  }

  /** Independent of OnnxBackbone's code: ONNX Runtime's own session and its [n][C][H][W] Java array. */
  @Test
  void mapsEqualTheGraphRunDirectlyByOnnxRuntimeIndexedByHand() throws Exception {
    float[] x = TinyCnn.input();
    int n = TinyCnn.IMAGES;
    int s = TinyCnn.SIZE_PX;
    float[][][][] s1;
    float[][][][] s2;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(TinyCnn.resource("tiny_cnn.onnx").toString());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 3, s, s});
        OrtSession.Result r = session.run(Map.of("input", in))) {
      s1 = (float[][][][]) r.get("s1").orElseThrow().getValue();
      s2 = (float[][][][]) r.get("s2").orElseThrow().getValue();
    }
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels(TinyCnn.LEVELS))) {
      FeatureMaps fm = b.extractWithMaps(x, n, new int[] {0, 1});
      float[][][][][] expected = {s1, s2};
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < n; i++) {
          float[][][] e = expected[k][i];
          int h = e[0].length;
          int w = e[0][0].length;
          assertThat(fm.maps()[k][i]).hasSize(e.length * h * w);
          for (int c = 0; c < e.length; c++) {
            for (int y = 0; y < h; y++) {
              for (int xx = 0; xx < w; xx++) {
                assertThat(fm.maps()[k][i][(c * h + y) * w + xx]).isEqualTo(e[c][y][xx]);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void noMapLevelsGivesNoMaps() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s2"))) {
      FeatureMaps fm = b.extractWithMaps(TinyCnn.images(0, 2), 2, new int[0]);
      assertThat(fm.maps()).isEmpty();
      assertThat(fm.pooled()).isDeepEqualTo(b.extract(TinyCnn.images(0, 2), 2));
    }
  }

  @Test
  void refusesRepeatedOrUnknownMapLevels() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s1", "s2"))) {
      float[] x = TinyCnn.images(0, 1);
      assertThatThrownBy(() -> b.extractWithMaps(x, 1, new int[] {1, 1}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
      assertThatThrownBy(() -> b.extractWithMaps(x, 1, new int[] {2}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..1");
      assertThatThrownBy(() -> b.extractWithMaps(x, 1, new int[] {-1}))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
