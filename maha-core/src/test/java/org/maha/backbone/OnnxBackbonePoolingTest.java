package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.onnx.GraphBuilder;
import org.maha.testing.SharedData;
import org.maha.weights.Tensor;

/**
 * In-graph pooling ({@link InGraphPooling}): the GlobalAveragePool appended to a user graph gives the Java mean of
 * the same map (float32 sum in ONNX Runtime against float64 in Java) within the bound below, the full map is still
 * there for anomaly maps, and a graph the rewrite does not fit is pooled in Java.
 */
class OnnxBackbonePoolingTest {

  /**
   * Bound per channel: |in-graph − Java| ≤ {@value #UNIT_ROUNDOFFS} · u · mean|x| + 2⁻²⁴ · |Java| with u = 2⁻²⁴ the
   * float32 unit roundoff, a bound for any float32 summation order of at most 2²² values, and 2⁻²⁴ · |Java| for
   * the rounding of the mean to float32 (the Java mean stays in float64).
   */
  private static final double UNIT_ROUNDOFFS = 4096;
  private static final double U = Math.scalb(1.0, -24);

  @Test
  void tinyCnnMapLevelsArePooledInTheGraphWithinTheFloat32Bound() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"),
        BackboneOptions.defaults().withLevels(List.of(TinyCnn.LEVELS)))) {
      // s1 and s2 are [N, C, H, W] maps, pooled is already [N, C]
      assertThat(b.levelsPooledInGraph()).containsExactly(true, true, false);
      assertThat(b.describeOutputs()).noneMatch(o -> o.contains(InGraphPooling.SUFFIX));
      float[] x = TinyCnn.input();
      double worst = checkAgainstJavaMeans(b, x, TinyCnn.IMAGES);
      assertThat(worst).isLessThan(1e-5);
    }
  }

  @Test
  void sharedNineTapMobileNetV2IsPooledInTheGraphWithinTheFloat32Bound() throws Exception {
    Path file = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    try (OnnxBackbone b = OnnxBackbone.open(file, BackboneOptions.defaults().withThreads(2))) {
      assertThat(b.levelsPooledInGraph()).containsOnly(true);
      int s = b.spec().inputSizePx();
      float[] x = new float[4 * 3 * s * s];
      SplittableRandom random = new SplittableRandom(12);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (random.nextDouble() * 2 - 1);
      }
      double worst = checkAgainstJavaMeans(b, x, 4);
      System.out.printf("9-tap MobileNetV2: in-graph vs Java pooling, worst |diff| / max|feature| of a level = %.2e%n",
          worst);
      assertThat(worst).isLessThan(1e-5);
    }
  }

  @Test
  void aNameCollisionFallsBackToJavaPooling(@TempDir Path dir) throws Exception {
    Path plain = dir.resolve("plain.onnx");
    Path clash = dir.resolve("clash.onnx");
    Files.write(plain, twoOutputGraph("other"));
    Files.write(clash, twoOutputGraph("m" + InGraphPooling.SUFFIX));
    float[] x = new float[2 * 3 * 8 * 8];
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    try (OnnxBackbone inGraph = OnnxBackbone.open(plain, BackboneOptions.defaults().withLevels(List.of("m")));
        OnnxBackbone java = OnnxBackbone.open(clash, BackboneOptions.defaults().withLevels(List.of("m")))) {
      assertThat(inGraph.levelsPooledInGraph()).containsExactly(true);
      assertThat(java.levelsPooledInGraph()).containsExactly(false);
      // the user's own output of that name is still there and listed
      assertThat(java.describeOutputs()).anyMatch(o -> o.startsWith("m" + InGraphPooling.SUFFIX));
      checkAgainstJavaMeans(inGraph, x, 2);
      checkAgainstJavaMeans(java, x, 2);
    }
  }

  /** Conv 3→4 (3×3, pad 1) as output "m" [N, 4, 8, 8], and its ReLU as output {@code second}. */
  private static byte[] twoOutputGraph(String second) {
    GraphBuilder g = new GraphBuilder("two");
    String in = g.input("input", 3, 8, 8);
    float[] w = new float[4 * 3 * 3 * 3];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }
    String m = g.conv(in, new Tensor("w", new int[] {4, 3, 3, 3}, w), null, new int[] {1, 1},
        new int[] {1, 1, 1, 1}, 1, new int[] {1, 1});
    String r = g.relu(m);
    g.output("m", m);
    g.output(second, r);
    return g.toModelBytes();
  }

  /**
   * Compares each level's features with the float64 mean of its full map from the same run, channel by channel,
   * against the bound; returns the worst |diff| / max|feature| over levels.
   */
  private static double checkAgainstJavaMeans(OnnxBackbone b, float[] x, int n) throws Exception {
    int levels = b.spec().levelCount();
    int[] all = new int[levels];
    for (int l = 0; l < levels; l++) {
      all[l] = l;
    }
    FeatureMaps fm = b.extractWithMaps(x, n, all);
    double[][][] pooled = b.extract(x, n);
    double worst = 0;
    for (int l = 0; l < levels; l++) {
      LevelGrid grid = b.levelGrids().get(l);
      int positions = grid.height() * grid.width();
      double max = 0;
      double diff = 0;
      for (int i = 0; i < n; i++) {
        // extract and extractWithMaps give the same pooled features, bit for bit
        assertThat(fm.pooled()[l][i]).containsExactly(pooled[l][i]);
        float[] map = fm.maps()[l][i];
        for (int c = 0; c < grid.channels(); c++) {
          double sum = 0;
          double abs = 0;
          for (int k = 0; k < positions; k++) {
            sum += map[c * positions + k];
            abs += Math.abs(map[c * positions + k]);
          }
          double mean = sum / positions;
          double bound = UNIT_ROUNDOFFS * U * abs / positions + U * Math.abs(mean);
          double d = Math.abs(pooled[l][i][c] - mean);
          assertThat(d).as("level %d image %d channel %d", l, i, c).isLessThanOrEqualTo(bound);
          diff = Math.max(diff, d);
          max = Math.max(max, Math.abs(mean));
        }
      }
      worst = Math.max(worst, diff / Math.max(max, Double.MIN_NORMAL));
    }
    return worst;
  }
}
