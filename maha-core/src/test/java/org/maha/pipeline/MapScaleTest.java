package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MapScaleTest {
  /** 19 maps, map j holds the values j .. j + 99: median of the pooled samples and conformal quantile of maxima. */
  @Test
  void calmIsThePooledMedianAndContourTheConformalQuantileOfMaxima() {
    MapScale.Builder b = new MapScale.Builder();
    for (int j = 0; j < 19; j++) {
      double[] map = new double[100];
      for (int i = 0; i < 100; i++) {
        map[i] = j + i;
      }
      b.add(map);
    }
    MapScale s = b.build(0.1, MapScale.CALIBRATION);
    // pooled values j + i, i < 100, j < 19: 1900 values, the 950th (0-based) in sorted order is 59
    assertThat(s.calm()).isEqualTo(59.0);
    // maxima 99..117; k = ceil(20 * 0.9) = 18: the 18th smallest, 116
    assertThat(s.contour()).isEqualTo(116.0);
    assertThat(s.images()).isEqualTo(19);
    assertThat(s.position(59)).isZero();
    assertThat(s.position(116)).isEqualTo(1.0);
  }

  @Test
  void inconsistentScalesAreRefused() {
    assertThatThrownBy(() -> new MapScale(2, 1, 0.1, 3, MapScale.CALIBRATION))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MapScale(1, 2, 0.1, 3, "guess")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MapScale(Double.NaN, 2, 0.1, 3, MapScale.TRAINING))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
