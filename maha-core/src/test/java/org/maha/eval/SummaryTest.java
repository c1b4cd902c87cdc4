package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SummaryTest {
  static Stream<JsonNode> scipyCases() {
    return Fixtures.cases("mean_sem_cases.json").stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("scipyCases")
  void matchesNumpyMeanAndScipySem(JsonNode c) {
    double[] values = Fixtures.vector(c.get("values"));
    MeanSem ms = Summary.meanSem(values);
    double mean = c.get("mean").asDouble();
    double sem = c.get("sem").asDouble();
    // summation order differs from numpy's pairwise sum: rounding only
    assertThat(ms.mean()).isCloseTo(mean, within(1e-14 * Math.abs(mean)));
    assertThat(ms.sem()).as("sem, relative 1e-10 (the 1e6 offset case loses ~6 digits in the deviations)")
        .isCloseTo(sem, within(1e-10 * sem));
    assertThat(ms.n()).isEqualTo(values.length);
  }

  @Test
  void reproducesTheHeadlineNinetyFivePointEightPlusMinusOnePointTwo() {
    // PAPER.md §3.3: the NPCA + augmentation column gives 95.81 ± 1.20 (ddof = 1) over the 15 categories.
    double[] npca = {1.000, 0.897, 1.000, 0.998, 0.996, 1.000, 0.950, 0.951, 0.991, 0.947, 0.887, 0.852, 0.969,
        0.955, 0.979};
    MeanSem ms = Summary.meanSem(npca);
    assertThat(100 * ms.mean()).isCloseTo(95.81, within(0.005));
    assertThat(100 * ms.sem()).isCloseTo(1.20, within(0.005));
  }

  @Test
  void singleValueHasNaNSemAndEmptyInputIsRejected() {
    MeanSem one = Summary.meanSem(new double[] {0.9});
    assertThat(one.mean()).isEqualTo(0.9);
    assertThat(one.sem()).isNaN();
    assertThat(one.n()).isEqualTo(1);
    assertThatThrownBy(() -> Summary.meanSem(new double[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Summary.meanSem(new double[] {1, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1");
  }
}
