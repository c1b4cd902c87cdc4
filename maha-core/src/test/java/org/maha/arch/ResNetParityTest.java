package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.weights.Tensor;

/**
 * Issue 3 item 4: the Java-built graph, run by ONNX Runtime through {@link OnnxBackbone}, gives torchvision's
 * features. Fixtures: reduced-width random-weight torchvision ResNets from {@code make_fixtures.py}.
 */
class ResNetParityTest {

  /**
   * The tolerance: 1e-4 relative to the level's largest magnitude. Float32 with BN folded in float64
   * differs from PyTorch's unfused evaluation by ~1e-6 relative here; a wrong stride, pad or missing BN is ~1e-1.
   */
  private static final double REL_TOL = 1e-4;
  private static final int SIZE_PX = 64;
  private static final int IMAGES = 2;

  @TempDir
  Path tmp;

  private static float[] input() throws Exception {
    return NpzStateDicts.floats(Npy.read(NpzStateDicts.resource("resnet_input.npy")).data());
  }

  private Path buildGraph(String name, boolean fullMaps) throws Exception {
    Map<String, Tensor> sd = NpzStateDicts.stateDict(NpzStateDicts.resource("resnet_" + name + ".npz"));
    byte[] model = ResNet.toOnnx("resnet_" + name + ".npz", sd, new ResNet.Options(SIZE_PX, fullMaps));
    Path file = tmp.resolve(name + ".onnx");
    Files.write(file, model);
    return file;
  }

  private static BackboneOptions levels(List<String> names) {
    return BackboneOptions.defaults().withLevels(names).withThreads(2);
  }

  static void assertClose(String what, double[][] actual, double[][] expected, double relTol) {
    double scale = 0;
    for (double[] row : expected) {
      for (double v : row) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    assertThat(actual).as(what).hasNumberOfRows(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("%s image %d", what, i).hasSize(expected[i].length);
      for (int k = 0; k < expected[i].length; k++) {
        assertThat(actual[i][k]).as("%s image %d feature %d", what, i, k)
            .isCloseTo(expected[i][k], within(relTol * scale));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"basic", "bottleneck", "wide", "resnext"})
  void pooledLevelsAndLogitsMatchTorchvision(String name) throws Exception {
    Map<String, NpyArray> expected = NpzStateDicts.npz(NpzStateDicts.resource("resnet_" + name + "_expected.npz"));
    try (OnnxBackbone b = OnnxBackbone.open(buildGraph(name, false), levels(ResNet.LEVELS))) {
      assertThat(b.maxBatch()).as("symbolic batch axis").isGreaterThan(1);
      double[][][] features = b.extract(input(), IMAGES);
      for (int l = 0; l < ResNet.LEVELS.size(); l++) {
        String level = ResNet.LEVELS.get(l);
        assertClose(name + " " + level, features[l], expected.get(level).rows(), REL_TOL);
      }
      float[][] logits = b.rawOutput(ResNet.LOGITS, input(), IMAGES);
      double[][] widened = new double[IMAGES][];
      for (int i = 0; i < IMAGES; i++) {
        widened[i] = new double[logits[i].length];
        for (int k = 0; k < logits[i].length; k++) {
          widened[i][k] = logits[i][k];
        }
      }
      assertClose(name + " logits", widened, expected.get("logits").rows(), REL_TOL);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"basic", "bottleneck"})
  void fullMapsPoolToThePooledOutputs(String name) throws Exception {
    List<String> maps = new ArrayList<>();
    for (String level : ResNet.LEVELS) {
      maps.add(level + ResNet.MAP_SUFFIX);
    }
    Path file = buildGraph(name, true);
    try (OnnxBackbone pooled = OnnxBackbone.open(file, levels(ResNet.LEVELS));
        OnnxBackbone full = OnnxBackbone.open(file, levels(maps))) {
      // stem of 8 channels, 64 px / 4 after conv1 and maxpool; layer4 at 64 px / 32
      assertThat(full.describeOutputs()).contains("L0_map [N, 8, 16, 16]", "L0 [N, 8]", "logits [N, 10]");
      assertThat(full.describeOutputs().get(9)).endsWith(", 2, 2]");
      double[][][] a = pooled.extract(input(), IMAGES);
      double[][][] b = full.extract(input(), IMAGES);
      for (int l = 0; l < maps.size(); l++) {
        // GlobalAveragePool in float32 vs OnnxBackbone's float64 mean of the same map: ~1e-7 relative
        assertClose(name + " " + maps.get(l), b[l], a[l], 1e-6);
      }
    }
  }
}
