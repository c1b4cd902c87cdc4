package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AurocTest {
  static Stream<JsonNode> sklearnCases() {
    return Fixtures.cases("roc_cases.json").stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("sklearnCases")
  void matchesSklearnRocAucScore(JsonNode c) {
    double auroc = Auroc.auroc(Fixtures.vector(c.get("scores")), Fixtures.labels(c.get("anomalous")));
    // sklearn integrates trapezoids in float64, maha divides exact counts: they differ by rounding only.
    assertThat(auroc).as(c.get("name").asText()).isCloseTo(c.get("auroc").asDouble(), within(1e-12));
  }

  @Test
  void tiesBetweenClassesCountHalf() {
    // pairs (anomalous, normal): (2,1) 1, (2,2) ½, (3,1) 1, (3,2) 1 → 3.5 / 4
    assertThat(Auroc.auroc(new double[] {1, 2, 2, 3}, new boolean[] {false, false, true, true})).isEqualTo(0.875);
    assertThat(Auroc.auroc(new double[] {5, 5, 5}, new boolean[] {true, false, false})).isEqualTo(0.5);
  }

  @Test
  void negatingTheScoresGivesOneMinusTheArea() {
    double[] s = {0.3, 0.1, 0.1, 0.7, 0.5, 0.5, 0.2};
    boolean[] y = {true, false, true, true, false, true, false};
    double[] neg = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      neg[i] = -s[i];
    }
    assertThat(Auroc.auroc(s, y) + Auroc.auroc(neg, y)).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void rejectsOneClassNonFiniteScoresAndLengthMismatch() {
    assertThatThrownBy(() -> Auroc.auroc(new double[] {1, 2}, new boolean[] {true, true}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 anomalous and 0 normal");
    assertThatThrownBy(() -> Auroc.auroc(new double[] {1, Double.NaN}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1");
    assertThatThrownBy(() -> Auroc.auroc(new double[] {1, Double.POSITIVE_INFINITY}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Auroc.auroc(new double[] {1}, new boolean[] {true, false}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 1");
  }
}
