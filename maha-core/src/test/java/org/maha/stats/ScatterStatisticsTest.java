package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property model updates rest on: the statistics of any split of the rows into parts, merged in any order,
 * equal the one-pass statistics of the union, and so does everything fitted from them (Ledoit–Wolf against
 * scikit-learn's fixtures).
 */
class ScatterStatisticsTest {
  private static final double REL_TOL = 1e-10;

  @RepeatedTest(20)
  void anySplitMergedInAnyOrderEqualsOnePass(RepetitionInfo rep) {
    Random random = new Random(1000 + rep.getCurrentRepetition());
    int n = 2 + random.nextInt(300);
    int d = 1 + random.nextInt(40);
    double[][] rows = CovarianceAccumulatorTest.gaussianRows(n, d, random.nextLong(), 50 * random.nextGaussian());
    ScatterStatistics onePass = ScatterStatistics.of(rows);
    ScatterStatistics merged = mergeRandomParts(rows, random);
    assertClose(merged, onePass, REL_TOL);
  }

  @Test
  void mergeIsCommutativeAndAssociative() {
    double[][] rows = CovarianceAccumulatorTest.gaussianRows(200, 9, 5, 3.0);
    ScatterStatistics a = ScatterStatistics.of(Arrays.copyOfRange(rows, 0, 17));
    ScatterStatistics b = ScatterStatistics.of(Arrays.copyOfRange(rows, 17, 130));
    ScatterStatistics c = ScatterStatistics.of(Arrays.copyOfRange(rows, 130, 200));
    ScatterStatistics all = ScatterStatistics.of(rows);
    assertClose(a.merge(b).merge(c), all, REL_TOL);
    assertClose(a.merge(b.merge(c)), all, REL_TOL);
    assertClose(c.merge(a).merge(b), all, REL_TOL);
    assertClose(b.merge(c.merge(a)), all, REL_TOL);
  }

  @Test
  void anAccumulatorRestoredFromStatisticsContinuesAsIfItHadTheRows() {
    double[][] rows = CovarianceAccumulatorTest.gaussianRows(150, 6, 7, -4.0);
    CovarianceAccumulator resumed = CovarianceAccumulator.of(ScatterStatistics.of(Arrays.copyOfRange(rows, 0, 70)));
    for (int i = 70; i < rows.length; i++) {
      resumed.add(rows[i]);
    }
    assertClose(resumed.statistics(), ScatterStatistics.of(rows), REL_TOL);
    assertThat(CovarianceAccumulator.of(ScatterStatistics.of(rows)).statistics()).isEqualTo(ScatterStatistics.of(rows));
  }

  /** The fixtures' rows split into random parts: Ledoit–Wolf from the merged statistics is sklearn's on the union. */
  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("org.maha.stats.LedoitWolfTest#sklearnCases")
  void ledoitWolfOfMergedStatisticsMatchesSklearnOnTheUnion(JsonNode c) throws NotPositiveDefiniteException {
    double[][] rows = Fixtures.rows(c.get("x"));
    Random random = new Random(c.get("name").asText().hashCode());
    for (int trial = 0; trial < 5; trial++) {
      LedoitWolfTest.assertMatchesSklearn(c, LedoitWolf.fit(mergeRandomParts(rows, random)));
    }
  }

  @Test
  void refusesInconsistentStatistics() {
    double[] mean = {0, 0};
    double[] u = {0, 0};
    DMatrixRMaj asym = new DMatrixRMaj(new double[][] {{1, 0.5}, {0.4, 1}});
    DMatrixRMaj ok = new DMatrixRMaj(new double[][] {{1, 0.5}, {0.5, 1}});
    assertThatThrownBy(() -> new ScatterStatistics(3, mean, asym, u, 1)).hasMessageContaining("symmetric");
    assertThatThrownBy(() -> new ScatterStatistics(0, mean, ok, u, 1)).hasMessageContaining("n >= 1");
    assertThatThrownBy(() -> new ScatterStatistics(3, new double[3], ok, u, 1)).hasMessageContaining("shapes");
    assertThatThrownBy(() -> new ScatterStatistics(3, new double[] {0, Double.NaN}, ok, u, 1))
        .hasMessageContaining("mean");
    assertThatThrownBy(() -> new ScatterStatistics(3, mean, ok, u, Double.POSITIVE_INFINITY))
        .hasMessageContaining("q");
    DMatrixRMaj negative = new DMatrixRMaj(new double[][] {{-1, 0}, {0, 1}});
    assertThatThrownBy(() -> new ScatterStatistics(3, mean, negative, u, 1)).hasMessageContaining("diagonal");
    assertThatThrownBy(() -> new CovarianceAccumulator(2).statistics()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void isImmutable() {
    ScatterStatistics s = ScatterStatistics.of(CovarianceAccumulatorTest.gaussianRows(10, 3, 9, 0));
    ScatterStatistics copy = ScatterStatistics.of(CovarianceAccumulatorTest.gaussianRows(10, 3, 9, 0));
    s.mean()[0] = 99;
    s.u()[0] = 99;
    s.scatter().set(0, 0, 99);
    assertThat(s).isEqualTo(copy);
  }

  /** The rows in 1 to 6 random contiguous parts of a shuffled order, each accumulated alone, merged in random order. */
  static ScatterStatistics mergeRandomParts(double[][] rows, Random random) {
    List<double[]> shuffled = new ArrayList<>(Arrays.asList(rows));
    Collections.shuffle(shuffled, random);
    int parts = 1 + random.nextInt(Math.min(6, rows.length));
    List<Integer> cuts = new ArrayList<>();
    while (cuts.size() < parts - 1) {
      int cut = 1 + random.nextInt(rows.length - 1);
      if (!cuts.contains(cut)) {
        cuts.add(cut);
      }
    }
    cuts.add(0);
    cuts.add(rows.length);
    Collections.sort(cuts);
    List<ScatterStatistics> stats = new ArrayList<>();
    for (int p = 0; p + 1 < cuts.size(); p++) {
      stats.add(ScatterStatistics.of(shuffled.subList(cuts.get(p), cuts.get(p + 1)).toArray(new double[0][])));
    }
    Collections.shuffle(stats, random);
    ScatterStatistics merged = stats.get(0);
    for (int p = 1; p < stats.size(); p++) {
      merged = random.nextBoolean() ? merged.merge(stats.get(p)) : stats.get(p).merge(merged);
    }
    return merged;
  }

  /** Equal to {@code relTol} relative: entrywise against the largest entry of each array (u against Σ‖z‖³). */
  static void assertClose(ScatterStatistics actual, ScatterStatistics expected, double relTol) {
    assertThat(actual.n()).isEqualTo(expected.n());
    double[] mean = expected.mean();
    double meanScale = Math.max(CovarianceAccumulatorTest.maxAbs(mean), Math.sqrt(trace(expected) / expected.n()));
    assertThat(actual.mean()).containsExactly(mean, within(relTol * meanScale));
    double[] t = expected.scatter().data;
    assertThat(actual.scatter().data).containsExactly(t, within(relTol * CovarianceAccumulatorTest.maxAbs(t)));
    assertThat(actual.q()).isCloseTo(expected.q(), within(relTol * expected.q()));
    assertThat(actual.u()).containsExactly(expected.u(), within(relTol * Math.pow(expected.q(), 0.75) * expected.n()));
  }

  private static double trace(ScatterStatistics s) {
    double t = 0;
    for (int i = 0; i < s.dim(); i++) {
      t += s.scatter().get(i, i);
    }
    return t;
  }
}
