package org.maha.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The image score from tile scores: the maximum rule, against a direct loop. */
class TileScoresTest {
  @Test
  void maximumOfCombinedAndOfEachLevel() {
    double[] combined = {1.0, 3.0, 2.0};
    double[][] levels = {{0.5, 1.5}, {2.0, 4.0}, {5.0, -1.0}};
    TileScores.Combined c = TileScores.max(combined, levels);
    assertThat(c.score()).isEqualTo(3.0);
    assertThat(c.worstTile()).isEqualTo(1);
    assertThat(c.levels()).containsExactly(5.0, 4.0);
  }

  @Test
  void firstTileWinsATie() {
    assertThat(TileScores.max(new double[] {2, 2}, new double[][] {{1}, {1}}).worstTile()).isZero();
  }

  @Test
  void matchesADirectMaximumOnRandomScores() {
    Random r = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int tiles = 1 + r.nextInt(50);
      int levels = 1 + r.nextInt(5);
      double[][] d = new double[tiles][levels];
      double[] comb = new double[tiles];
      for (int t = 0; t < tiles; t++) {
        for (int l = 0; l < levels; l++) {
          d[t][l] = r.nextDouble() * 10;
          comb[t] += d[t][l] / levels;
        }
      }
      TileScores.Combined c = TileScores.max(comb, d);
      double best = Double.NEGATIVE_INFINITY;
      for (double x : comb) {
        best = Math.max(best, x);
      }
      assertThat(c.score()).isEqualTo(best);
      assertThat(comb[c.worstTile()]).isEqualTo(best);
      for (int l = 0; l < levels; l++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < tiles; t++) {
          m = Math.max(m, d[t][l]);
        }
        assertThat(c.levels()[l]).isEqualTo(m);
      }
      // the combined maximum never exceeds the mean of the level maxima
      double mean = 0;
      for (double x : c.levels()) {
        mean += x / levels;
      }
      assertThat(c.score()).isLessThanOrEqualTo(mean + 1e-12);
    }
  }

  @Test
  void refusesNoTilesAndNaN() {
    assertThatThrownBy(() -> TileScores.max(new double[0], new double[0][])).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> TileScores.max(new double[] {Double.NaN}, new double[][] {{1}}))
        .hasMessageContaining("NaN");
  }
}
