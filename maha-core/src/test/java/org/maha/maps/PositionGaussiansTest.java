package org.maha.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.maha.stats.NotPositiveDefiniteException;

class PositionGaussiansTest {
  static Stream<JsonNode> cases() {
    return MapsFixtures.section("gaussians").stream();
  }

  private static PositionAccumulator accumulate(JsonNode c, int from, int to) {
    PositionAccumulator acc =
        new PositionAccumulator(c.get("channels").asInt(), c.get("height").asInt(), c.get("width").asInt());
    for (int i = from; i < to; i++) {
      acc.add(MapsFixtures.floats(c.get("train").get(i)));
    }
    return acc;
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void matchesSklearnLedoitWolfAndMahalanobisPerPosition(JsonNode c) throws Exception {
    int n = c.get("train").size();
    int ch = c.get("channels").asInt();
    PositionGaussians g = accumulate(c, 0, n).fit();
    assertThat(g.n()).isEqualTo(n);
    double[] shrinkage = MapsFixtures.doubles(c.get("shrinkage"));
    assertThat(g.shrinkage()).containsExactly(shrinkage, within(1e-12));
    double[] means = g.means();
    double[] lower = g.packedLower();
    int packed = PositionGaussians.packedSize(ch);
    for (int p = 0; p < shrinkage.length; p++) {
      double[] mean = MapsFixtures.doubles(c.get("means").get(p));
      double[] cov = MapsFixtures.doubles(c.get("covariances").get(p));
      for (int i = 0; i < ch; i++) {
        assertThat(means[p * ch + i]).isCloseTo(mean[i], within(1e-12 * (1 + Math.abs(mean[i]))));
      }
      // L Lᵀ from the packed factor gives sklearn's covariance_ (float64 sums in other orders: ~1e-14 relative)
      double scale = MapsFixtures.maxAbs(cov);
      for (int i = 0; i < ch; i++) {
        for (int j = 0; j <= i; j++) {
          double s = 0;
          for (int k = 0; k <= j; k++) {
            s += lower[p * packed + i * (i + 1) / 2 + k] * lower[p * packed + j * (j + 1) / 2 + k];
          }
          assertThat(s).as("position %d, (%d, %d)", p, i, j).isCloseTo(cov[i * ch + j], within(1e-12 * scale));
        }
      }
    }
    for (int t = 0; t < c.get("test").size(); t++) {
      double[] expected = MapsFixtures.doubles(c.get("distances").get(t));
      double[] map = g.mahalanobisMap(MapsFixtures.floats(c.get("test").get(t)));
      // Cholesky solve vs numpy.linalg.solve of the same matrix: rounding of a well-conditioned C x C solve
      assertThat(map).containsExactly(expected, within(1e-9 * MapsFixtures.maxAbs(expected)));
    }
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("cases")
  void mergedHalvesGiveTheSameGaussians(JsonNode c) throws Exception {
    int n = c.get("train").size();
    PositionGaussians whole = accumulate(c, 0, n).fit();
    PositionAccumulator a = accumulate(c, 0, n / 3);
    a.merge(accumulate(c, n / 3, n));
    PositionGaussians merged = a.fit();
    assertThat(merged.n()).isEqualTo(n);
    assertThat(merged.packedLower())
        .containsExactly(whole.packedLower(), within(1e-10 * MapsFixtures.maxAbs(whole.packedLower())));
    assertThat(merged.means()).containsExactly(whole.means(), within(1e-12 * (1 + MapsFixtures.maxAbs(whole.means()))));
  }

  @Test
  void aConstantChannelIsReportedWithItsPosition() {
    // 2 channels, 1 x 2 grid: at position (0, 1) both channels are constant, so the shrunk covariance is 0
    PositionAccumulator acc = new PositionAccumulator(2, 1, 2);
    acc.add(new float[] {1, 5, 2, 5});
    acc.add(new float[] {2, 5, 3, 5});
    acc.add(new float[] {4, 5, 1, 5});
    assertThatThrownBy(acc::fit)
        .isInstanceOf(NotPositiveDefiniteException.class).hasMessageContaining("row 0, column 1");
  }

  @Test
  void refusesWrongGridsAndTooFewImages() {
    PositionAccumulator acc = new PositionAccumulator(2, 2, 2);
    assertThatThrownBy(() -> acc.add(new float[7])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 x 2 x 2 = 8");
    float[] nan = new float[8];
    nan[5] = Float.NaN;
    assertThatThrownBy(() -> acc.add(nan)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel 1, position 1");
    acc.add(new float[8]);
    assertThatThrownBy(acc::fit).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    assertThatThrownBy(() -> acc.merge(new PositionAccumulator(2, 1, 4))).isInstanceOf(IllegalArgumentException.class);
  }
}
