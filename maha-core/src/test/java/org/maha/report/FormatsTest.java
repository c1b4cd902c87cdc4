package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.maha.eval.MeanSem;

class FormatsTest {
  @Test
  void percentagesRoundLikeEvaluationReport() {
    assertThat(Formats.pct(0.93751)).isEqualTo("93.8");
    assertThat(Formats.cell(new MeanSem(0.9, 0.0123, 15))).isEqualTo("90.0 ± 1.2");
    assertThat(Formats.cell(new MeanSem(0.9, Double.NaN, 1))).isEqualTo("90.0");
  }

  @Test
  void scoresKeepFourSignificantDigits() {
    assertThat(Formats.score(3.050231592688852)).isEqualTo("3.05");
    assertThat(Formats.score(123.456)).isEqualTo("123.5");
    assertThat(Formats.score(1500)).isEqualTo("1500");
    assertThat(Formats.score(0)).isEqualTo("0");
    assertThat(Formats.score(0.000123456)).isEqualTo("1.235e-04");
    assertThat(Formats.score(2.5e7)).isEqualTo("2.500e+07");
  }

  @Test
  void predictedRatesKeepThreeSignificantDigits() {
    assertThat(Formats.smallPct(0.3173105078629141)).isEqualTo("31.7");
    assertThat(Formats.smallPct(5.733031438470704e-7)).isEqualTo("0.0000573");
  }
}
