package org.maha.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maha.stats.CovarianceAccumulator;

/**
 * What the benchmark's aggregation measures is the real thing: partials of synthetic rows, shipped through Java
 * serialization and merged in any grouping, are the statistics of all the rows; and the tree depth keeps the fan-in
 * of every merge at 8 or less.
 */
class SparkBenchTest {

  private static SparkBench.Partial roundTrip(SparkBench.Partial p) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (SparkBench.Partial) in.readObject();
    }
  }

  @Test
  void partialsMergedInAnyGroupingAreTheStatisticsOfAllRows() throws Exception {
    int dim = 5;
    long[] rows = {70, 0, 130, 1};
    SparkBench.Partial[] parts = new SparkBench.Partial[rows.length];
    for (int p = 0; p < rows.length; p++) {
      parts[p] = roundTrip(SparkBench.accumulate(rows[p], dim, 1000L + p));
    }
    SparkBench.Partial left = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]));
    SparkBench.Partial right = roundTrip(parts[3].merge(SparkBench.Partial.EMPTY).merge(parts[1]))
        .merge(parts[2]).merge(parts[0]);
    // the same rows, generated as the benchmark does, in one accumulator
    CovarianceAccumulator all = new CovarianceAccumulator(dim);
    for (int p = 0; p < rows.length; p++) {
      SplittableRandom random = new SplittableRandom(1000L + p);
      for (long i = 0; i < rows[p]; i++) {
        double[] x = new double[dim];
        for (int j = 0; j < dim; j++) {
          x[j] = 1 + (0.5 + j % 7) * (random.nextDouble() - 0.5);
        }
        all.add(x);
      }
    }
    for (SparkBench.Partial merged : new SparkBench.Partial[] {left, right}) {
      org.maha.stats.ScatterStatistics s = merged.statistics();
      org.maha.stats.ScatterStatistics e = all.statistics();
      assertThat(s.n()).isEqualTo(201);
      for (int j = 0; j < dim; j++) {
        assertThat(s.mean()[j]).isCloseTo(e.mean()[j], org.assertj.core.data.Offset.offset(1e-12));
        for (int k = 0; k < dim; k++) {
          double v = e.scatter().get(j, k);
          assertThat(s.scatter().get(j, k)).isCloseTo(v, org.assertj.core.data.Offset.offset(1e-10 * Math.abs(v)));
        }
      }
      assertThat(s.q()).isCloseTo(e.q(), org.assertj.core.data.Offset.offset(1e-10 * e.q()));
    }
  }

  @Test
  void theTreeDepthKeepsEveryMergesFanInAtEightOrLess() {
    for (int partitions : new int[] {1, 2, 8, 9, 64, 65, 512, 513, 10_000, 1_000_000}) {
      int depth = MahaSpark.aggregationDepth(partitions);
      assertThat(depth).isGreaterThanOrEqualTo(2);
      // Spark's treeAggregate merges ceil(partitions^(1/depth)) partials per task (at least 2)
      assertThat((int) Math.ceil(Math.pow(partitions, 1.0 / depth) - 1e-9)).as("%d partitions", partitions)
          .isLessThanOrEqualTo(8);
      if (depth > 2) { // and is no deeper than it needs to be
        assertThat(Math.pow(8, depth - 1)).as("%d partitions", partitions).isLessThan(partitions);
      }
    }
  }
}
