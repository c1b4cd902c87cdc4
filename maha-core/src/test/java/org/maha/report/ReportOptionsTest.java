package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ReportOptionsTest {
  static final ReportOptions DEFAULTS = ReportOptions.defaults(OffsetDateTime.of(2024, 1, 2, 3, 4, 0, 0,
      ZoneOffset.UTC));

  @Test
  void defaultsShowMvgAtItsBestLevelWithSixAndSixThumbnails() {
    assertThat(DEFAULTS.histogramVariant()).isEqualTo("mvg");
    assertThat(DEFAULTS.histogramLevel()).isEqualTo(ReportOptions.AUTO_LEVEL);
    assertThat(DEFAULTS.extremesPerSide()).isEqualTo(6);
    assertThat(DEFAULTS.thumbnailPx()).isEqualTo(96);
  }

  @Test
  void withersChangeOnlyTheirField() {
    ReportOptions o = DEFAULTS.withTitle("t").withHistogram("l2", "L3").withThumbnails(3, 64);
    assertThat(o).isEqualTo(new ReportOptions("t", DEFAULTS.generated(), "l2", "L3", 3, 64,
        DEFAULTS.thumbnailLimits()));
  }

  @Test
  void rejectsBlankTextAndOutOfRangeSizes() {
    assertThatThrownBy(() -> DEFAULTS.withTitle(" ")).hasMessage("title: expected non-blank text, found ''");
    assertThatThrownBy(() -> DEFAULTS.withHistogram("mvg", null))
        .hasMessage("histogramLevel: expected non-blank text, found null");
    assertThatThrownBy(() -> DEFAULTS.withThumbnails(0, 96)).hasMessage("extremesPerSide: expected 1..50, found 0");
    assertThatThrownBy(() -> DEFAULTS.withThumbnails(6, 8)).hasMessage("thumbnailPx: expected 16..512, found 8");
  }
}
