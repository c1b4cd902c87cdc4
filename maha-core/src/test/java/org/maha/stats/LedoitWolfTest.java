package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LedoitWolfTest {
  /**
   * Both sides are float64 and follow the same formulas; only summation order differs, which costs ~1e-15
   * relative. 1e-10 leaves room for the mild cancellation in β̂/n − δ̂ and still catches any formula slip.
   */
  private static final double REL_TOL = 1e-10;

  static Stream<JsonNode> sklearnCases() {
    List<JsonNode> cases = new ArrayList<>();
    Fixtures.load("ledoit_wolf_cases.json").get("cases").forEach(cases::add);
    return cases.stream();
  }

  @Test
  void matchesPaperWorkedExample() throws NotPositiveDefiniteException {
    double[][] x = {{1, 2, 0}, {3, 5, 1}, {4, 4, 2}, {0, 1, 1}, {2, 2, 2}, {5, 3, 0}};
    ShrunkCovariance fit = LedoitWolf.fit(x);
    // PAPER.md §1.6 prints 10 decimals, hence 1e-9.
    assertThat(fit.mean()).containsExactly(new double[] {2.5, 2.8333333333, 1.0}, within(1e-9));
    assertThat(fit.traceMean()).isCloseTo(1.7962962963, within(1e-9));
    assertThat(fit.shrinkage()).isCloseTo(0.38995668651868, within(1e-13));
    double[][] expected = {{2.4797707494, 0.9659019130, 0}, {0.9659019130, 1.8019448455, 0.1016738856},
        {0, 0.1016738856, 1.1071732940}};
    DMatrixRMaj cov = fit.covariance();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(cov.get(i, j)).as("Σ(%d,%d)", i, j).isCloseTo(expected[i][j], within(1e-9));
      }
    }
    assertThat(fit.n()).isEqualTo(6);
    Gaussian g = Gaussian.of(fit);
    assertThat(g.mahalanobisDistance(new double[] {6, 0, 3})).isCloseTo(4.70098684676891, within(1e-13));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("sklearnCases")
  void matchesSklearnLedoitWolf(JsonNode c) throws NotPositiveDefiniteException {
    assertMatchesSklearn(c, LedoitWolf.fit(Fixtures.rows(c.get("x"))));
  }

  /** {@code fit} equals scikit-learn's LedoitWolf of case {@code c}: location, shrinkage and Σ to 1e-10 relative. */
  static void assertMatchesSklearn(JsonNode c, ShrunkCovariance fit) throws NotPositiveDefiniteException {
    String name = c.get("name").asText();

    double[] location = Fixtures.vector(c.get("location"));
    double[] mean = fit.mean();
    double scale = maxAbs(location);
    for (int j = 0; j < location.length; j++) {
      assertThat(mean[j]).as("%s location[%d], tolerance relative to max|location|", name, j)
          .isCloseTo(location[j], within(REL_TOL * scale));
    }

    double expectedShrinkage = c.get("shrinkage").asDouble();
    assertThat(fit.shrinkage()).as("%s shrinkage, relative 1e-10", name)
        .isCloseTo(expectedShrinkage, within(REL_TOL * Math.abs(expectedShrinkage)));

    DMatrixRMaj expected = Fixtures.matrix(c.get("covariance"));
    DMatrixRMaj actual = fit.covariance();
    double covScale = maxAbs(expected.data);
    for (int i = 0; i < expected.numRows; i++) {
      for (int j = 0; j < expected.numCols; j++) {
        // entrywise relative tolerance fails on exact zeros, so scale by the largest entry
        assertThat(actual.get(i, j)).as("%s covariance(%d,%d), tolerance 1e-10 x max|Σ|", name, i, j)
            .isCloseTo(expected.get(i, j), within(REL_TOL * covScale));
      }
    }

    if (!c.get("mahalanobis_x").isNull()) {
      Gaussian g = Gaussian.of(fit);
      assertDistances(name + " mahalanobis(x)", g, Fixtures.rows(c.get("x")), Fixtures.vector(c.get("mahalanobis_x")));
      assertDistances(name + " mahalanobis(y)", g, Fixtures.rows(c.get("y")), Fixtures.vector(c.get("mahalanobis_y")));
    }
  }

  /**
   * A case for the large-problem path: d = 96 (native dsyrk and dpotrf when a native BLAS loads) and 700 rows
   * (several 256-row blocks, so the shifted sums span blocks), on both kernels; the rows are a formula, so the
   * fixture holds only scikit-learn's answers (make_fixtures.py: ledoit_wolf_block_fixtures).
   */
  @Test
  void matchesSklearnOnSeveralBlocksAtALargeDimensionOnEveryKernel() throws NotPositiveDefiniteException {
    JsonNode c = Fixtures.load("ledoit_wolf_blocks.json").get("cases").get(0);
    int n = c.get("n").asInt();
    int d = c.get("d").asInt();
    double[][] x = blockRows(n, d, 0.0);
    double[][] y = blockRows(5, d, c.get("y_shift").asDouble());
    List<Blas> kernels = new ArrayList<>(List.of(Blas.JAVA));
    if (Blas.NATIVE != null) {
      kernels.add(Blas.NATIVE);
    }
    for (Blas k : kernels) {
      CovarianceAccumulator acc = new CovarianceAccumulator(d, k);
      for (double[] row : x) {
        acc.add(row);
      }
      ShrunkCovariance fit = LedoitWolf.fit(acc);
      String name = c.get("name").asText() + (k == Blas.NATIVE ? " native" : " java");
      double[] location = Fixtures.vector(c.get("location"));
      assertThat(fit.mean()).as("%s location", name).containsExactly(location, within(REL_TOL * maxAbs(location)));
      double shrinkage = c.get("shrinkage").asDouble();
      assertThat(fit.shrinkage()).as("%s shrinkage", name).isCloseTo(shrinkage, within(REL_TOL * shrinkage));
      DMatrixRMaj expected = Fixtures.matrix(c.get("covariance"));
      assertThat(fit.covariance().data).as("%s covariance", name)
          .containsExactly(expected.data, within(REL_TOL * maxAbs(expected.data)));
      assertDistances(name + " mahalanobis(y)", Gaussian.of(fit.mean(), fit.covariance(), k), y,
          Fixtures.vector(c.get("mahalanobis_y")));
    }
  }

  /** make_fixtures.py's block_x: the same formula (Math.sin/cos agree with C's libm to an ulp). */
  static double[][] blockRows(int n, int d, double shift) {
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = 3.0 + Math.sin(0.37 * i + 1.3 * j) + 0.5 * Math.cos(0.11 * i * (j % 5 + 1))
            + 0.2 * Math.sin(0.013 * i * j) + 0.01 * j + shift;
      }
    }
    return x;
  }

  @Test
  void oneSampleHasZeroShrinkageZeroCovarianceAndNoGaussian() {
    ShrunkCovariance fit = LedoitWolf.fit(new double[][] {{1, 2, 3}});
    assertThat(fit.shrinkage()).isZero();
    assertThat(fit.covariance().data).containsOnly(0.0);
    assertThatThrownBy(() -> Gaussian.of(fit)).isInstanceOf(NotPositiveDefiniteException.class);
  }

  @Test
  void oneFeatureIsNeverShrunkAndGivesTheBiasedVariance() {
    ShrunkCovariance fit = LedoitWolf.fit(new double[][] {{1}, {2}, {4}});
    assertThat(fit.shrinkage()).isZero();
    // mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9, divided by n = 3
    assertThat(fit.covariance().get(0, 0)).isCloseTo(42.0 / 27.0, within(1e-15));
  }

  @Test
  void sphericalSampleCovarianceGivesZeroShrinkageNotNaN() {
    // S = I exactly: δ = 0, so sklearn would compute 0/0; any shrinkage gives the same Σ.
    ShrunkCovariance fit = LedoitWolf.fit(new double[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}});
    assertThat(fit.shrinkage()).isZero();
    assertThat(fit.covariance().data).containsExactly(0.5, 0.0, 0.0, 0.5);
  }

  @Test
  void accumulatorAndRowsGiveTheSameFit() {
    double[][] rows = new double[70][5];
    java.util.Random random = new java.util.Random(3);
    CovarianceAccumulator acc = new CovarianceAccumulator(5);
    for (double[] row : rows) {
      for (int j = 0; j < 5; j++) {
        row[j] = random.nextGaussian();
      }
      acc.add(row);
    }
    ShrunkCovariance a = LedoitWolf.fit(acc);
    ShrunkCovariance b = LedoitWolf.fit(rows);
    assertThat(a.shrinkage()).isEqualTo(b.shrinkage());
    assertThat(a.covariance().data).containsExactly(b.covariance().data);
  }

  @Test
  void rejectsEmptyInput() {
    assertThatThrownBy(() -> LedoitWolf.fit(new double[0][])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 row");
    assertThatThrownBy(() -> LedoitWolf.fit(new CovarianceAccumulator(3)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shrunkCovarianceCopiesItsArrays() {
    double[] mean = {1, 2};
    DMatrixRMaj cov = new DMatrixRMaj(new double[][] {{1, 0}, {0, 1}});
    ShrunkCovariance fit = new ShrunkCovariance(mean, cov, 0.5, 1.0, 3);
    mean[0] = 99;
    cov.set(0, 0, 99);
    fit.mean()[1] = 99;
    fit.covariance().set(1, 1, 99);
    assertThat(fit.mean()).containsExactly(1, 2);
    assertThat(fit.covariance().data).containsExactly(1, 0, 0, 1);
  }

  private static void assertDistances(String what, Gaussian g, double[][] points, double[] expected) {
    for (int i = 0; i < points.length; i++) {
      assertThat(g.mahalanobisDistance(points[i])).as("%s[%d], relative 1e-10", what, i)
          .isCloseTo(expected[i], within(REL_TOL * expected[i]));
    }
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }
}
