package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PcaTest {
  private static final JsonNode FIXTURE = Fixtures.load("pca_cases.json");

  static Stream<JsonNode> fits() {
    List<JsonNode> fits = new ArrayList<>();
    FIXTURE.get("fits").forEach(fits::add);
    return fits.stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("fits")
  void matchesSklearnPcaUpToComponentSigns(JsonNode c) {
    String name = c.get("name").asText();
    PcaFit fit = Pca.fit(Fixtures.rows(c.get("x")));
    double[] ratio = Fixtures.vector(c.get("explained_variance_ratio"));
    double[] variance = Fixtures.vector(c.get("explained_variance"));
    assertThat(fit.explainedVarianceRatio()).as(name).hasSize(ratio.length);
    // Different SVD codes (EJML vs LAPACK) agree to ~1e-15 of the largest singular value squared.
    assertThat(fit.explainedVarianceRatio()).as("%s ratio, absolute 1e-12", name).containsExactly(ratio, within(1e-12));
    assertThat(fit.explainedVariance()).as("%s variance, 1e-10 x largest", name)
        .containsExactly(variance, within(1e-10 * variance[0]));
    assertThat(fit.mean()).containsExactly(Fixtures.vector(c.get("mean")), within(1e-12));

    DMatrixRMaj expected = Fixtures.matrix(c.get("components"));
    DMatrixRMaj actual = fit.components();
    for (int k = 0; k < ratio.length; k++) {
      if (ratio[k] < 1e-12) {
        continue; // null-space direction (N ≤ D): arbitrary in both libraries
      }
      double dot = 0;
      for (int j = 0; j < expected.numCols; j++) {
        dot += expected.get(k, j) * actual.get(k, j);
      }
      assertThat(Math.abs(dot)).as("%s |<component %d>|", name, k).isCloseTo(1.0, within(1e-8));
    }
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("fits")
  void selectsTheSameComponentsAsTheOfficialSlice(JsonNode c) {
    PcaFit fit = Pca.fit(Fixtures.rows(c.get("x")));
    for (JsonNode s : c.get("selections")) {
      double t = s.get("threshold").asDouble();
      boolean negated = s.get("negated").asBoolean();
      int[] expected = {s.get("range").get(0).asInt(), s.get("range").get(1).asInt()};
      assertThat(Pca.selectComponents(fit.explainedVarianceRatio(), t, negated))
          .as("%s t=%s negated=%s (c=%d)", c.get("name").asText(), t, negated, s.get("c").asInt())
          .containsExactly(expected);
    }
  }

  @Test
  void selectionRuleMatchesNumpyOnHandMadeRatiosIncludingNoneExceeding() {
    int checked = 0;
    boolean sawCZeroNegated = false;
    for (JsonNode s : FIXTURE.get("rule_cases")) {
      double[] ratio = Fixtures.vector(s.get("ratio"));
      double t = s.get("threshold").asDouble();
      boolean negated = s.get("negated").asBoolean();
      int[] expected = {s.get("range").get(0).asInt(), s.get("range").get(1).asInt()};
      assertThat(Pca.selectComponents(ratio, t, negated)).as("ratio=%s t=%s negated=%s", s.get("ratio"), t, negated)
          .containsExactly(expected);
      sawCZeroNegated |= negated && s.get("c").asInt() == 0;
      checked++;
    }
    assertThat(checked).isEqualTo(56);
    assertThat(sawCZeroNegated).isTrue();
  }

  @Test
  void firstComponentAloneAboveThresholdKeepsOnlyTheLastForNpca() {
    double[] ratio = {0.96, 0.03, 0.01};
    assertThat(Pca.selectComponents(ratio, 0.95, false)).containsExactly(0, 1);
    assertThat(Pca.selectComponents(ratio, 0.95, true)).containsExactly(2, 3);
    assertThat(Pca.selectComponents(ratio, 0.98, true)).containsExactly(0, 3); // c = 1 → [0, r)
    assertThat(Pca.selectComponents(ratio, 0.99, false)).containsExactly(0, 3); // strict >: 0.99 is not > 0.99
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("fits")
  void projectionMatchesSklearnTransform(JsonNode c) {
    double[][] x = Fixtures.rows(c.get("x"));
    double[] mean = Fixtures.vector(c.get("mean"));
    DMatrixRMaj components = Fixtures.matrix(c.get("components"));
    double[][] expected = Fixtures.rows(c.get("transform_first3"));
    int r = components.numRows;
    for (int i = 0; i < 3; i++) {
      assertThat(Pca.project(x[i], mean, components, 0, r)).containsExactly(expected[i], within(1e-10));
      assertThat(Pca.project(x[i], mean, components, 1, r - 1)[0]).isCloseTo(expected[i][1], within(1e-10));
    }
  }

  @Test
  void rejectsTooFewRowsAndEmptyRanges() {
    assertThatThrownBy(() -> Pca.fit(new double[][] {{1, 2}})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2 rows");
    DMatrixRMaj w = new DMatrixRMaj(2, 2);
    assertThatThrownBy(() -> Pca.project(new double[2], new double[2], w, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Pca.project(new double[2], new double[2], w, 0, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
