package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maha.stats.ScatterStatistics;

/**
 * {@link Detector#accumulate}, {@link FitStatistics} and {@link Detector#fit(FitStatistics, FitOptions)}: parts of
 * the images accumulated apart, merged in any order and grouping (also through bytes), fit the model of the union.
 */
class FitStatisticsTest {
  private static Detector detector;

  @BeforeAll
  static void open() throws Exception {
    detector = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build();
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  private static void assertClose(double[] actual, double[] expected, String what) {
    assertThat(actual).hasSameSizeAs(expected);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < actual.length; i++) {
      assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]", what, i).isLessThanOrEqualTo(1e-10 * scale);
    }
  }

  /** Every stored array of the two models (per level mean, scatter, u, q) to 1e-10 relative, and the scores. */
  private static void assertSameModel(FittedModel actual, FittedModel expected, List<byte[]> probes)
      throws Exception {
    List<ScatterStatistics> a = actual.internal().statistics().levels();
    List<ScatterStatistics> e = expected.internal().statistics().levels();
    assertThat(a).hasSameSizeAs(e);
    for (int l = 0; l < a.size(); l++) {
      assertThat(a.get(l).n()).isEqualTo(e.get(l).n());
      assertClose(a.get(l).mean(), e.get(l).mean(), "mean");
      assertClose(a.get(l).scatter().data, e.get(l).scatter().data, "scatter");
      assertClose(a.get(l).u(), e.get(l).u(), "u");
      assertClose(new double[] {a.get(l).q()}, new double[] {e.get(l).q()}, "q");
    }
    List<Score> sa = detector.scoreAll(actual, Images.encoded(probes));
    List<Score> se = detector.scoreAll(expected, Images.encoded(probes));
    for (int i = 0; i < sa.size(); i++) {
      assertClose(new double[] {sa.get(i).score()}, new double[] {se.get(i).score()}, "score");
    }
  }

  @Test
  void partsMergedInAnyOrderAndGroupingFitTheModelOfTheUnion() throws Exception {
    List<byte[]> all = ApiFixtures.pngs(100, 23);
    List<byte[]> probes = ApiFixtures.pngs(900, 3);
    for (String variant : List.of("mvg", "sed")) {
      FittedModel union = detector.fit(Images.encoded(all), FitOptions.defaults().withVariant(variant));
      Random random = new Random(7 + variant.hashCode());
      for (int trial = 0; trial < 4; trial++) {
        List<byte[]> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, random);
        int parts = 2 + random.nextInt(5);
        List<FitStatistics> stats = new ArrayList<>();
        int from = 0;
        for (int p = 0; p < parts; p++) { // random cuts; some parts may be empty
          int to = p == parts - 1 ? shuffled.size() : from + random.nextInt(shuffled.size() - from + 1);
          FitStatistics s = detector.accumulate(Images.encoded(shuffled.subList(from, to)));
          assertThat(s.images()).isEqualTo(to - from);
          stats.add(random.nextBoolean() ? FitStatistics.fromBytes(s.toBytes()) : s);
          from = to;
        }
        while (stats.size() > 1) { // merge random neighbours, in either order: any tree of merges
          int i = random.nextInt(stats.size() - 1);
          FitStatistics x = stats.remove(i);
          FitStatistics y = stats.remove(i);
          stats.add(i, random.nextBoolean() ? x.merge(y) : y.merge(x));
        }
        FitStatistics merged = stats.get(0).describedAs("the union");
        FittedModel fitted = detector.fit(merged, FitOptions.defaults().withVariant(variant));
        assertThat(fitted.trainedOn()).isEqualTo("the union");
        assertThat(fitted.trainingImages()).isEqualTo(all.size());
        assertSameModel(fitted, union, probes);
      }
    }
  }

  @Test
  void bytesRoundTripBitForBitAndAnEmptyPartIsTheIdentity() throws Exception {
    FitStatistics s = detector.accumulate(Images.encoded(ApiFixtures.pngs(100, 5)));
    byte[] bytes = s.toBytes();
    FitStatistics back = FitStatistics.fromBytes(bytes);
    assertThat(back.toBytes()).isEqualTo(bytes);
    assertThat(back.levels()).isEqualTo(List.of("s1", "s2", "pooled"));
    FitStatistics empty = detector.accumulate(Images.encoded(List.of()));
    assertThat(empty.images()).isZero();
    assertThat(FitStatistics.fromBytes(empty.toBytes()).images()).isZero();
    assertThat(s.merge(empty)).isSameAs(s);
    assertThat(empty.merge(s)).isSameAs(s);
  }

  @Test
  void hostileBytesAreRefusedInOneLineBeforeAllocating() throws Exception {
    byte[] bytes = detector.accumulate(Images.encoded(ApiFixtures.pngs(100, 3))).toBytes();
    assertThatThrownBy(() -> FitStatistics.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(MahaException.class)
        .hasMessageStartingWith("fit statistics: ");
    assertThatThrownBy(() -> FitStatistics.fromBytes(Arrays.copyOf(bytes, bytes.length - 9)))
        .isInstanceOf(MahaException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> FitStatistics.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(MahaException.class).hasMessageContaining("after the last level");
    byte[] wrongMagic = bytes.clone();
    wrongMagic[0] = 'X';
    assertThatThrownBy(() -> FitStatistics.fromBytes(wrongMagic)).isInstanceOf(MahaException.class)
        .hasMessageContaining("MAHAFST1");
    byte[] nan = bytes.clone(); // the last double is the last scatter entry: make it NaN
    java.nio.ByteBuffer.wrap(nan).putDouble(nan.length - 8, Double.NaN);
    assertThatThrownBy(() -> FitStatistics.fromBytes(nan)).isInstanceOf(MahaException.class)
        .hasMessageStartingWith("fit statistics: ");
    byte[] huge = bytes.clone(); // a text length of 2^31-1: refused, not allocated
    java.nio.ByteBuffer.wrap(huge).putInt(8, Integer.MAX_VALUE);
    assertThatThrownBy(() -> FitStatistics.fromBytes(huge)).isInstanceOf(MahaException.class)
        .hasMessageContaining("out of bounds");
  }

  @Test
  void statisticsOfAnotherBackboneFewImagesAndRowVariantsAreRefused() throws Exception {
    FitStatistics one = detector.accumulate(Images.encoded(ApiFixtures.pngs(100, 1)));
    assertThatThrownBy(() -> detector.fit(one, FitOptions.defaults())).isInstanceOf(MahaException.class)
        .hasMessageContaining("need at least 2");
    FitStatistics two = one.merge(detector.accumulate(Images.encoded(ApiFixtures.pngs(200, 2))));
    assertThatThrownBy(() -> detector.fit(two, FitOptions.defaults().withVariant("pca:0.99")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mvg, l2 and sed");
    try (Detector other = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled")
        .normalization("minus1to1").build()) {
      FitStatistics o = other.accumulate(Images.encoded(ApiFixtures.pngs(300, 2)));
      assertThatThrownBy(() -> two.merge(o)).isInstanceOf(MahaException.class)
          .hasMessageContaining("cannot be merged").hasMessageContaining("minus1to1");
      assertThatThrownBy(() -> other.fit(two, FitOptions.defaults())).isInstanceOf(MahaException.class)
          .hasMessageContaining("another backbone");
    }
  }

  @Test
  void unreadableImagesAreReportedAndOptionsSayWhetherTheyFitFromStatistics() throws Exception {
    List<byte[]> images = new ArrayList<>(ApiFixtures.pngs(100, 2));
    images.add(1, new byte[] {1, 2, 3});
    Accumulated a = detector.accumulateWithReport(Images.encoded(images).skippingUnreadable());
    assertThat(a.statistics().images()).isEqualTo(2);
    assertThat(a.skipped()).hasSize(1);
    assertThat(a.skipped().get(0).name()).endsWith("-1");
    assertThatThrownBy(() -> detector.accumulate(Images.encoded(images))).isInstanceOf(MahaException.class);
    assertThat(FitOptions.defaults().fitsFromStatistics()).isTrue();
    assertThat(FitOptions.defaults().withVariant("sed").fitsFromStatistics()).isTrue();
    assertThat(FitOptions.defaults().withVariant("npca:0.99").fitsFromStatistics()).isFalse();
  }
}
