package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class CovarianceAccumulatorTest {
  private static final int DIM = 7;
  /** Different summation orders of the same float64 sums: agreement to ~1e-14 relative is expected. */
  private static final double REL_TOL = 1e-12;

  @Test
  void singlePassMatchesTheDirectTwoPassFormulas() {
    double[][] rows = gaussianRows(150, DIM, 11, 0.0);
    assertMatchesDirect(accumulate(rows, 0, rows.length), rows, REL_TOL);
  }

  @Test
  void mergeOfTwoHalvesEqualsSinglePass() {
    double[][] rows = gaussianRows(150, DIM, 12, 3.0);
    CovarianceAccumulator a = accumulate(rows, 0, 61);
    CovarianceAccumulator b = accumulate(rows, 61, 150);
    a.merge(b);
    assertSame(a, accumulate(rows, 0, rows.length), REL_TOL);
    assertMatchesDirect(a, rows, REL_TOL);
  }

  @Test
  void blocksAtAnOffsetEqualSingleRowsMixedWithBufferedOnes() {
    double[][] rows = gaussianRows(150, DIM, 15, 1.5);
    CovarianceAccumulator blocks = new CovarianceAccumulator(DIM);
    blocks.add(rows[0]); // a buffered row is folded before the first block
    int[] cuts = {1, 4, 5, 80, 150};
    for (int k = 0; k + 1 < cuts.length; k++) {
      int count = cuts[k + 1] - cuts[k];
      double[] data = new double[3 + count * DIM]; // rows start at offset 3
      for (int i = 0; i < count; i++) {
        System.arraycopy(rows[cuts[k] + i], 0, data, 3 + i * DIM, DIM);
      }
      blocks.addBlock(data, 3, count);
    }
    assertSame(blocks, accumulate(rows, 0, rows.length), REL_TOL);
    assertMatchesDirect(blocks, rows, REL_TOL);
    assertThatThrownBy(() -> blocks.addBlock(new double[DIM], 1, 1)).isInstanceOf(IllegalArgumentException.class);
    double[] bad = new double[2 * DIM];
    bad[DIM + 2] = Double.NaN;
    assertThatThrownBy(() -> blocks.addBlock(bad, 0, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1, index 2");
    assertThat(blocks.count()).isEqualTo(150);
  }

  @Test
  void resultDoesNotDependOnMergeOrderOrRowOrder() {
    double[][] rows = gaussianRows(200, DIM, 13, -2.0);
    CovarianceAccumulator abc = accumulate(rows, 0, 10);
    abc.merge(accumulate(rows, 10, 130));
    abc.merge(accumulate(rows, 130, 200));

    CovarianceAccumulator cba = accumulate(rows, 130, 200);
    CovarianceAccumulator ba = accumulate(rows, 10, 130);
    ba.merge(accumulate(rows, 0, 10));
    cba.merge(ba);

    double[][] reversed = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      reversed[i] = rows[rows.length - 1 - i];
    }
    assertSame(abc, cba, REL_TOL);
    assertSame(abc, accumulate(reversed, 0, reversed.length), REL_TOL);
  }

  @Test
  void largeCommonOffsetDoesNotCancel() {
    // Means are 1e4 times the spread. x − offset is exact (Sterbenz), so the statistics of the exact residuals
    // e = x − offset, computed without any offset, are the true answer for x.
    int n = 300;
    double[][] rows = gaussianRows(n, DIM, 14, 0.0);
    double[] offset = new double[DIM];
    double[][] residuals = new double[n][DIM];
    for (int j = 0; j < DIM; j++) {
      offset[j] = 1e4 * (1 + j);
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < DIM; j++) {
        rows[i][j] += offset[j];
        residuals[i][j] = rows[i][j] - offset[j];
      }
    }
    CovarianceAccumulator shifted = accumulate(rows, 0, 77);
    shifted.merge(accumulate(rows, 77, n));
    CovarianceAccumulator reference = accumulate(residuals, 0, n);
    // 1e-10: the offset costs ~log2(1e4) ≈ 13 bits in the mean (≈ 1e-12 · spread); a naive Σxxᵀ − n·x̄x̄ᵀ loses all.
    assertThat(shifted.scatter().data).containsExactly(reference.scatter().data,
        within(1e-10 * maxAbs(reference.scatter().data)));
    assertThat(shifted.sumFourthPowerNorms())
        .isCloseTo(reference.sumFourthPowerNorms(), within(1e-10 * reference.sumFourthPowerNorms()));
    double[] mean = shifted.mean();
    double[] refMean = reference.mean();
    for (int j = 0; j < DIM; j++) {
      assertThat(mean[j] - offset[j]).isCloseTo(refMean[j], within(1e-11));
    }
  }

  @Test
  void manyBlocksOfADriftingStreamMatchTheDirectFormulas() {
    // 1100 rows: four full blocks and a partial one. The mean moves by ~100 spreads along the stream, so the sums
    // about the first block's mean are settled and restarted on the way (MAX_DRIFT).
    double[][] rows = gaussianRows(1100, DIM, 18, 0.0);
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < DIM; j++) {
        rows[i][j] += 0.1 * i * (j + 1);
      }
    }
    CovarianceAccumulator acc = accumulate(rows, 0, rows.length);
    assertMatchesDirect(acc, rows, REL_TOL);
    CovarianceAccumulator split = accumulate(rows, 0, 300);
    split.merge(accumulate(rows, 300, 1100));
    assertSame(split, acc, REL_TOL);
  }

  @Test
  void readingBetweenAddsDoesNotChangeTheResult() {
    double[][] rows = gaussianRows(700, DIM, 19, 2.0);
    CovarianceAccumulator read = new CovarianceAccumulator(DIM);
    for (int i = 0; i < rows.length; i++) {
      read.add(rows[i]);
      if (i % 97 == 0) {
        read.statistics(); // settles the shifted sums; later rows start a new shift
      }
    }
    assertMatchesDirect(read, rows, REL_TOL);
  }

  @Test
  void javaAndNativeKernelsAgreeAtALargeDimension() {
    // d >= Blas.NATIVE_MIN_DIM: the native dsyrk when a native BLAS is loaded, netlib's Java dsyrk otherwise
    int d = 96;
    double[][] rows = gaussianRows(600, d, 20, 5.0);
    CovarianceAccumulator java = new CovarianceAccumulator(d, Blas.JAVA);
    for (double[] r : rows) {
      java.add(r);
    }
    assertMatchesDirect(java, rows, REL_TOL);
    org.junit.jupiter.api.Assumptions.assumeTrue(Blas.NATIVE != null,
        "no native BLAS loaded (" + Blas.description() + "): only the pure-Java kernels were compared");
    CovarianceAccumulator nat = new CovarianceAccumulator(d, Blas.NATIVE);
    for (double[] r : rows) {
      nat.add(r);
    }
    assertSame(nat, java, REL_TOL);
  }

  @Test
  void mergeLeavesTheOtherAccumulatorUnchanged() {
    double[][] rows = gaussianRows(90, DIM, 15, 1.0);
    CovarianceAccumulator a = accumulate(rows, 0, 40);
    CovarianceAccumulator b = accumulate(rows, 40, 90); // 50 rows, still buffered
    CovarianceAccumulator bCopy = accumulate(rows, 40, 90);
    a.merge(b);
    assertSame(b, bCopy, 0.0);
    b.add(rows[0]);
    assertThat(b.count()).isEqualTo(51);
    assertThat(a.count()).isEqualTo(90);
  }

  @Test
  void emptyAccumulatorsMergeAsNeutralElements() {
    double[][] rows = gaussianRows(20, DIM, 16, 0.0);
    CovarianceAccumulator a = new CovarianceAccumulator(DIM);
    a.merge(accumulate(rows, 0, 20));
    a.merge(new CovarianceAccumulator(DIM));
    assertSame(a, accumulate(rows, 0, 20), 0.0);
    assertThat(new CovarianceAccumulator(DIM).count()).isZero();
  }

  @Test
  void rejectsWrongLengthNonFiniteValuesAndDimensionMismatch() {
    CovarianceAccumulator acc = new CovarianceAccumulator(3);
    assertThatThrownBy(() -> acc.add(new double[2])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length 3").hasMessageContaining("found 2");
    assertThatThrownBy(() -> acc.add(new double[] {0, Double.NaN, 0}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1");
    assertThatThrownBy(() -> acc.merge(new CovarianceAccumulator(4))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> acc.merge(acc)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CovarianceAccumulator(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gettersReturnCopies() {
    CovarianceAccumulator acc = accumulate(gaussianRows(5, 2, 17, 0.0), 0, 5);
    double before = acc.scatter().get(0, 0);
    acc.scatter().set(0, 0, 1e9);
    acc.mean()[0] = 1e9;
    assertThat(acc.scatter().get(0, 0)).isEqualTo(before);
    assertThat(acc.mean()[0]).isNotEqualTo(1e9);
  }

  private static void assertMatchesDirect(CovarianceAccumulator acc, double[][] rows, double relTol) {
    int n = rows.length;
    int d = rows[0].length;
    double[] mean = new double[d];
    for (double[] row : rows) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / n;
      }
    }
    double[] t = new double[d * d];
    double[] u = new double[d];
    double q = 0;
    for (double[] row : rows) {
      double[] z = new double[d];
      double norm2 = 0;
      for (int j = 0; j < d; j++) {
        z[j] = row[j] - mean[j];
        norm2 += z[j] * z[j];
      }
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          t[i * d + j] += z[i] * z[j];
        }
        u[i] += norm2 * z[i];
      }
      q += norm2 * norm2;
    }
    assertThat(acc.count()).isEqualTo(n);
    assertThat(acc.mean()).containsExactly(mean, within(relTol * (1 + maxAbs(mean))));
    assertThat(acc.scatter().data).containsExactly(t, within(relTol * maxAbs(t)));
    // u sums signed terms that nearly cancel, so compare on the scale of Σ‖z‖³.
    assertThat(acc.sumSquaredNormTimesCentered()).containsExactly(u, within(relTol * Math.pow(q, 0.75) * n));
    assertThat(acc.sumFourthPowerNorms()).isCloseTo(q, within(relTol * q));
  }

  private static void assertSame(CovarianceAccumulator a, CovarianceAccumulator b, double relTol) {
    assertThat(a.count()).isEqualTo(b.count());
    assertThat(a.mean()).containsExactly(b.mean(), within(relTol * (1 + maxAbs(b.mean()))));
    DMatrixRMaj tb = b.scatter();
    assertThat(a.scatter().data).containsExactly(tb.data, within(relTol * maxAbs(tb.data)));
    double q = b.sumFourthPowerNorms();
    assertThat(a.sumFourthPowerNorms()).isCloseTo(q, within(relTol * q));
    assertThat(a.sumSquaredNormTimesCentered())
        .containsExactly(b.sumSquaredNormTimesCentered(), within(relTol * Math.pow(q, 0.75) * b.count()));
  }

  static CovarianceAccumulator accumulate(double[][] rows, int from, int to) {
    CovarianceAccumulator acc = new CovarianceAccumulator(rows[0].length);
    for (int i = from; i < to; i++) {
      acc.add(rows[i]);
    }
    return acc;
  }

  /** Correlated, skewed rows (so u ≠ 0) with a common offset. */
  static double[][] gaussianRows(int n, int d, long seed, double offset) {
    Random random = new Random(seed);
    double[][] mix = new double[d][d];
    for (double[] row : mix) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextGaussian();
      }
    }
    double[][] rows = new double[n][d];
    for (double[] row : rows) {
      double[] e = new double[d];
      for (int j = 0; j < d; j++) {
        double g = random.nextGaussian();
        e[j] = g + 0.5 * g * g;
      }
      for (int i = 0; i < d; i++) {
        double s = offset;
        for (int j = 0; j < d; j++) {
          s += mix[i][j] * e[j];
        }
        row[i] = s;
      }
    }
    return rows;
  }

  static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
