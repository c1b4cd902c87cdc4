package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maha.stats.ScatterStatistics;

/**
 * {@link GaussianAdFitter#fromStatistics}: statistics of parts gathered apart (as maha-spark's partitions do) and
 * merged give the model of one fit on all the rows; statistics that do not fit the backbone are refused.
 */
class FitterFromStatisticsTest {
  @Test
  void mergedStatisticsOfPartsFitTheModelOfTheUnion() throws Exception {
    double[][][] all = ModelFileTest.features(90, 31);
    int[] cuts = {0, 1, 40, 90};
    List<ScatterStatistics> merged = null;
    for (int p = 0; p + 1 < cuts.length; p++) {
      double[][][] part = Arrays.copyOfRange(all, cuts[p], cuts[p + 1]);
      List<ScatterStatistics> stats = new ArrayList<>();
      for (int l = 0; l < 2; l++) {
        double[][] rows = new double[part.length][];
        for (int i = 0; i < part.length; i++) {
          rows[i] = part[i][l];
        }
        stats.add(ScatterStatistics.of(rows));
      }
      if (merged == null) {
        merged = stats;
      } else {
        for (int l = 0; l < 2; l++) {
          merged.set(l, merged.get(l).merge(stats.get(l)));
        }
      }
    }
    for (Variant v : List.of(new Variant.Mvg(), new Variant.L2(), new Variant.Sed())) {
      GaussianAdModel model = GaussianAdFitter.fromStatistics(ModelFileTest.SPEC, null, v,
          new TrainingStatistics(merged, List.of(TrainingStatistics.Step.now("fit", "parts", 90, null, null))))
          .fit("parts");
      ModelAssertions.assertSameModel(model, ModelFileTest.fit(v, all), 1e-12);
      assertThat(model.statistics().history()).extracting(TrainingStatistics.Step::action).containsExactly("fit");
    }
  }

  @Test
  void refusesStatisticsThatDoNotFitTheBackbone() {
    ScatterStatistics four = ScatterStatistics.of(new double[][] {{1, 2, 3, 4}, {2, 3, 4, 6}});
    ScatterStatistics seven = ScatterStatistics.of(new double[][] {{1, 2, 3, 4, 5, 6, 7}, {2, 3, 4, 6, 5, 1, 0}});
    List<TrainingStatistics.Step> h = List.of(TrainingStatistics.Step.now("fit", "x", 2, null, null));
    assertThatThrownBy(() -> GaussianAdFitter.fromStatistics(ModelFileTest.SPEC, null, new Variant.Mvg(),
        new TrainingStatistics(List.of(four), h))).hasMessageContaining("2 levels, got 1");
    assertThatThrownBy(() -> GaussianAdFitter.fromStatistics(ModelFileTest.SPEC, null, new Variant.Mvg(),
        new TrainingStatistics(List.of(four, four), h))).hasMessageContaining("level 1: expected statistics of "
        + "dimension 7, got 4");
    assertThatThrownBy(() -> GaussianAdFitter.fromStatistics(ModelFileTest.SPEC, null,
        Variant.parse("pca:0.99"), new TrainingStatistics(List.of(four, seven), h)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the training rows");
  }
}
