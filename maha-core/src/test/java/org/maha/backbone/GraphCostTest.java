package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maha.onnx.GraphBuilder;
import org.maha.weights.Tensor;

class GraphCostTest {
  private static Tensor zeros(String name, int... shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return new Tensor(name, shape, new float[n]);
  }

  @Test
  void countsConvDepthwiseAndGemmMultiplyAddsFromTheShapesOnnxRuntimeComputes() throws Exception {
    // 3 -> 8 channels, 3x3, stride 2, pad 1 at 20 px: 10 x 10 output; then depthwise 3x3 (8 groups), pad 1;
    // global average pool, flatten, Gemm 8 -> 5. The graph's input batch is symbolic: counted at batch 1.
    GraphBuilder g = new GraphBuilder("cost");
    String x = g.input("image", 3, 20, 20);
    String c1 = g.conv(x, zeros("w1", 8, 3, 3, 3), null, new int[] {2, 2}, new int[] {1, 1, 1, 1}, 1,
        new int[] {1, 1});
    String c2 = g.conv(g.relu(c1), zeros("w2", 8, 1, 3, 3), zeros("b2", 8), new int[] {1, 1},
        new int[] {1, 1, 1, 1}, 8, new int[] {1, 1});
    g.output("c2", c2); // an intermediate that is already an output is counted once too
    g.output("logits", g.gemm(g.flatten(g.globalAveragePool(c2)), zeros("w3", 5, 8), null));
    GraphCost.Cost cost = GraphCost.count(g.toModelBytes(), 20);
    long expected = 8L * 10 * 10 * (3 * 3 * 3) + 8L * 10 * 10 * (1 * 3 * 3) + 5L * 8;
    assertThat(cost.macsPerImage()).isEqualTo(expected);
    assertThat(cost.gflopsPerImage()).isEqualTo(2.0 * expected / 1e9);
    assertThat(cost.nodesByOp()).isEqualTo(Map.of("Conv", 2, "Gemm", 1));
    assertThat(cost.inputShape()).containsExactly(1, 3, 20, 20);
  }

  @Test
  void notAModelIsAOneLineError() {
    assertThatThrownBy(() -> GraphCost.count(new byte[] {1, 2, 3}, 20)).isInstanceOf(BackboneException.class)
        .hasMessageContaining("cannot read the ONNX graph");
  }

  @Test
  void gemmPeakIsPositive() throws Exception {
    assertThat(GraphCost.gemmPeakGflops(1, 128, 0.05)).isPositive();
  }
}
