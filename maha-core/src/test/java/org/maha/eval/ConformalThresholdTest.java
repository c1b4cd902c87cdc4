package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConformalThresholdTest {

  @Test
  void picksTheConformalRank() {
    double[] s = new double[19];
    for (int i = 0; i < s.length; i++) {
      s[i] = 19 - i; // 19..1, unsorted on purpose
    }
    // n = 19, α = 0.05: k = ceil(20 * 0.95) = 19 → the largest score
    ConformalThreshold t = ConformalThreshold.of(s, 0.05);
    assertThat(t.threshold()).isEqualTo(19);
    assertThat(t.guaranteed()).isTrue();
    // α = 0.1: k = ceil(20 * 0.9) = 18
    assertThat(ConformalThreshold.of(s, 0.1).threshold()).isEqualTo(18);
    // α = 0.01 needs 99 images: not guaranteed, falls back to the maximum
    ConformalThreshold small = ConformalThreshold.of(s, 0.01);
    assertThat(small.guaranteed()).isFalse();
    assertThat(small.threshold()).isEqualTo(19);
    assertThat(ConformalThreshold.minimumImages(0.01)).isEqualTo(99);
  }

  @Test
  void falsePositiveRateOnFreshGoodImagesStaysBelowTheTarget() {
    // the guarantee is on average over calibration draws: check it empirically
    Random r = new Random(1);
    double alpha = 0.1;
    double fp = 0;
    int trials = 2000;
    for (int t = 0; t < trials; t++) {
      double[] cal = new double[29];
      for (int i = 0; i < cal.length; i++) {
        cal[i] = r.nextGaussian();
      }
      double thr = ConformalThreshold.of(cal, alpha).threshold();
      fp += r.nextGaussian() > thr ? 1 : 0;
    }
    // expected exactly 1 - 27/30 = 0.1 here; 4 standard errors of slack
    assertThat(fp / trials).isLessThan(alpha + 4 * Math.sqrt(alpha * (1 - alpha) / trials));
    assertThat(fp / trials).isGreaterThan(0.05);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> ConformalThreshold.of(new double[0], 0.1)).hasMessageContaining("no calibration");
    assertThatThrownBy(() -> ConformalThreshold.of(new double[] {1}, 1.5)).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> ConformalThreshold.of(new double[] {Double.NaN}, 0.1)).hasMessageContaining("finite");
  }
}
