package org.maha.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bilinear upsampling, Gaussian smoothing and the channel subset against PyTorch, SciPy and the stated rule. */
class MapMathsTest {
  static Stream<JsonNode> bilinearCases() {
    return MapsFixtures.section("bilinear").stream();
  }

  static Stream<JsonNode> smoothingCases() {
    return MapsFixtures.section("smoothing").stream();
  }

  static Stream<JsonNode> concatCases() {
    return MapsFixtures.section("concat").stream();
  }

  static Stream<JsonNode> subsetCases() {
    return MapsFixtures.section("subsets").stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("bilinearCases")
  void matchesTorchInterpolateBilinearWithoutAlignCorners(JsonNode c) {
    double[] out = Bilinear.resize(MapsFixtures.doubles(c.get("map")), c.get("height").asInt(),
        c.get("width").asInt(), c.get("out_height").asInt(), c.get("out_width").asInt());
    double[] expected = MapsFixtures.doubles(c.get("out"));
    // same indices and weights, same operation order in float64: agreement to rounding of a few operations
    assertThat(out).containsExactly(expected, within(1e-14 * MapsFixtures.maxAbs(expected)));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("smoothingCases")
  void matchesScipyGaussianFilterWithReflectBorders(JsonNode c) {
    double[] out = GaussianSmoothing.smooth(MapsFixtures.doubles(c.get("map")), c.get("height").asInt(),
        c.get("width").asInt(), c.get("sigma").asDouble());
    double[] expected = MapsFixtures.doubles(c.get("out"));
    // up to 2·(2·16+1) products summed in another order than SciPy's: ~1e-15 relative
    assertThat(out).containsExactly(expected, within(1e-13 * MapsFixtures.maxAbs(expected)));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("concatCases")
  void concatenatesLevelsAsPadimsEmbeddingConcat(JsonNode c) {
    java.util.List<GridConcat.Level> levels = new java.util.ArrayList<>();
    for (int i = 0; i < c.get("shapes").size(); i++) {
      int[] s = MapsFixtures.ints(c.get("shapes").get(i));
      levels.add(new GridConcat.Level(MapsFixtures.floats(c.get("levels").get(i)), s[0], s[1], s[2]));
    }
    // a copy of values: exact
    assertThat(GridConcat.concatenate(levels)).containsExactly(MapsFixtures.floats(c.get("out")));
  }

  @Test
  void concatRefusesAFinerLaterLevel() {
    GridConcat.Level coarse = new GridConcat.Level(new float[4], 1, 2, 2);
    GridConcat.Level fine = new GridConcat.Level(new float[16], 1, 4, 4);
    assertThatThrownBy(() -> GridConcat.concatenate(java.util.List.of(coarse, fine)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finer");
    assertThatThrownBy(() -> new GridConcat.Level(new float[5], 1, 2, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("subsetCases")
  void channelSubsetFollowsTheStatedRule(JsonNode c) {
    int[] chosen = ChannelSubset.choose(c.get("total").asInt(), c.get("count").asInt(), c.get("seed").asLong());
    assertThat(chosen).containsExactly(MapsFixtures.ints(c.get("channels")));
  }

  @Test
  void smoothingKeepsAConstantMapReflectsRepeatedlyAndHasUnitMass() {
    double[] constant = new double[7 * 5];
    java.util.Arrays.fill(constant, 3.25);
    for (double v : GaussianSmoothing.smooth(constant, 7, 5, 4.0)) {
      assertThat(v).isCloseTo(3.25, within(1e-14)); // weights sum to 1 up to rounding
    }
    // radius 16 needs several reflections of a short axis: … c b a | a b c | c b a | a b c …
    int[] in = {-7, -5, -4, -1, 0, 1, 2, 3, 4, 5, 6, 8};
    int[] got = new int[in.length];
    for (int k = 0; k < in.length; k++) {
      got[k] = GaussianSmoothing.reflect(in[k], 3);
    }
    assertThat(got).containsExactly(0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 0, 2); // as numpy.pad(mode="symmetric")
    double[] kernel = GaussianSmoothing.kernel(4.0);
    assertThat(kernel).hasSize(17); // radius int(4·4 + 0.5) = 16
    double total = kernel[0];
    for (int k = 1; k < kernel.length; k++) {
      total += 2 * kernel[k];
    }
    assertThat(total).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void bilinearToTheSameSizeIsTheIdentity() {
    double[] m = {1, 2, 3, 4, 5, 6};
    assertThat(Bilinear.resize(m, 2, 3, 2, 3)).containsExactly(m);
    assertThatThrownBy(() -> Bilinear.resize(m, 2, 2, 4, 4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void channelSubsetIsSortedDistinctAndSelects() {
    int[] chosen = ChannelSubset.choose(448, 100, 1024);
    assertThat(chosen).hasSize(100).isSorted().doesNotHaveDuplicates();
    assertThat(chosen[0]).isGreaterThanOrEqualTo(0);
    assertThat(chosen[99]).isLessThan(448);
    assertThat(ChannelSubset.choose(448, 100, 1025)).isNotEqualTo(chosen);
    float[] grid = {0, 1, 10, 11, 20, 21}; // 3 channels x 2 positions
    assertThat(ChannelSubset.select(grid, 2, new int[] {0, 2})).containsExactly(0, 1, 20, 21);
    assertThatThrownBy(() -> ChannelSubset.select(grid, 2, new int[] {3})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChannelSubset.choose(4, 5, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
