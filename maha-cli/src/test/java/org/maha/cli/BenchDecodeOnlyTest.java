package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code maha bench --decode-only}: decoding alone, PNG by both paths side by side, without a backbone. */
class BenchDecodeOnlyTest {
  @Test
  void decodeOnlyNeedsNoBackboneAndShowsBothPngPaths() {
    CliHarness.Result r = CliHarness.run("bench", "--decode-only", "--decode-px", "32", "--images", "9");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("| decode PNG (as commands do) 32px").contains("| decode PNG via ImageIO 32px")
        .contains("| decode PNG filtered via ImageIO 32px").contains("| decode JPEG 32px").containsPattern("thread CPU [0-9.]+ ms/image");
  }

  @Test
  void decodeOnlyWithoutSizesIsAUsageError() {
    CliHarness.Result r = CliHarness.run("bench", "--decode-only");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--decode-only needs --decode-px");
  }
}
