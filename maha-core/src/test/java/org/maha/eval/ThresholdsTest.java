package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdsTest {
  private static final double[] SCORES = {1, 2, 3, 4, 5, 3, 6, 7};
  private static final boolean[] ANOMALOUS = {false, false, false, false, true, true, true, true};

  @Test
  void flagsOnlyScoresStrictlyAboveTheThreshold() {
    // normal 1, 2, 3, 4 → one above 3; anomalous 5, 3, 6, 7 → three above 3 (3 itself is not flagged)
    assertThat(Thresholds.ratesAbove(SCORES, ANOMALOUS, 3.0)).isEqualTo(new Rates(0.25, 0.75));
    assertThat(Thresholds.ratesAbove(SCORES, ANOMALOUS, 0.0)).isEqualTo(new Rates(1.0, 1.0));
    assertThat(Thresholds.ratesAbove(SCORES, ANOMALOUS, 7.0)).isEqualTo(new Rates(0.0, 0.0));
    assertThat(Thresholds.ratesAbove(SCORES, ANOMALOUS, Double.POSITIVE_INFINITY)).isEqualTo(new Rates(0.0, 0.0));
  }

  @Test
  void rejectsNaNThresholdAndMissingClass() {
    assertThatThrownBy(() -> Thresholds.ratesAbove(SCORES, ANOMALOUS, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Thresholds.ratesAbove(new double[] {1}, new boolean[] {false}, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
