package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RocTest {
  static Stream<JsonNode> sklearnCases() {
    return Fixtures.cases("roc_cases.json").stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("sklearnCases")
  void matchesSklearnRocCurveWithoutDroppingPoints(JsonNode c) {
    String name = c.get("name").asText();
    double[] scores = Fixtures.vector(c.get("scores"));
    boolean[] anomalous = Fixtures.labels(c.get("anomalous"));
    RocCurve roc = Roc.curve(scores, anomalous);
    double[] thresholds = Fixtures.vector(c.get("thresholds"));
    // Both compute count / total in float64: identical bits.
    assertThat(roc.fpr()).as("%s fpr", name).containsExactly(Fixtures.vector(c.get("fpr")), within(0.0));
    assertThat(roc.tpr()).as("%s tpr", name).containsExactly(Fixtures.vector(c.get("tpr")), within(0.0));
    // sklearn 1.2 writes max + 1 as the leading threshold; maha (like sklearn >= 1.3) writes +inf.
    assertThat(roc.thresholds()[0]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Arrays.copyOfRange(roc.thresholds(), 1, thresholds.length)).as("%s thresholds", name)
        .containsExactly(Arrays.copyOfRange(thresholds, 1, thresholds.length), within(0.0));
    assertThat(trapezoidArea(roc)).as("%s area", name).isCloseTo(Auroc.auroc(scores, anomalous), within(1e-12));
  }

  private static double trapezoidArea(RocCurve roc) {
    double[] x = roc.fpr();
    double[] y = roc.tpr();
    double area = 0;
    for (int i = 1; i < x.length; i++) {
      area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
    }
    return area;
  }
}
