package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DistancesTest {
  @Test
  void l2IsTheRootMeanSquareNotTheNorm() {
    // differences 3, 4, 0, 0: sum of squares 25, mean 25/4
    assertThat(Distances.l2Rms(new double[] {4, 6, 1, 1}, new double[] {1, 2, 1, 1})).isEqualTo(2.5);
  }

  @Test
  void sedIsTheRootMeanSquareOfStandardisedDifferences() {
    // (2/2)², (3/1)², (1/0.5)² → 1 + 9 + 4 = 14, over 3
    double sed = Distances.sedRms(new double[] {2, 3, 1}, new double[3], new double[] {2, 1, 0.5});
    assertThat(sed).isCloseTo(Math.sqrt(14.0 / 3), within(1e-15));
  }

  @Test
  void sedLeavesOutZeroStdFeaturesAndAveragesOverTheRest() {
    double kept = Distances.sedRms(new double[] {2, 3, 1e6}, new double[3], new double[] {2, 1, 0});
    assertThat(kept).isCloseTo(Math.sqrt(10.0 / 2), within(1e-15));
  }

  @Test
  void sedWithOnlyZeroStdFeaturesIsRejected() {
    assertThatThrownBy(() -> Distances.sedRms(new double[] {1, 2}, new double[2], new double[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all 2 std values are 0");
    assertThatThrownBy(() -> Distances.sedRms(new double[] {1}, new double[1], new double[] {-1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Distances.l2Rms(new double[2], new double[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 2").hasMessageContaining("3");
  }

  @Test
  void unbiasedStdDividesByNMinusOne() {
    CovarianceAccumulator acc = new CovarianceAccumulator(2);
    for (double v : new double[] {1, 2, 3, 4}) {
      acc.add(new double[] {v, 7});
    }
    // torch.tensor([1., 2, 3, 4]).std() = sqrt(5/3)
    assertThat(Distances.unbiasedStd(acc)).containsExactly(new double[] {Math.sqrt(5.0 / 3), 0}, within(1e-15));
    CovarianceAccumulator one = new CovarianceAccumulator(2);
    one.add(new double[] {1, 2});
    assertThatThrownBy(() -> Distances.unbiasedStd(one)).isInstanceOf(IllegalArgumentException.class);
  }
}
