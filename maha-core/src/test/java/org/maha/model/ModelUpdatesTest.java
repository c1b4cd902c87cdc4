package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.backbone.BackboneSpec;
import org.maha.image.Normalization;

/** Update and merge give the model of one fit on the union of the images, whatever the order and split. */
class ModelUpdatesTest {
  static final double REL_TOL = 1e-10;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"mvg", "l2", "sed"})
  void fitThenUpdateEqualsFitOfTheUnion(String variant) throws Exception {
    double[][][] a = ModelFileTest.features(37, 11);
    double[][][] b = ModelFileTest.features(90, 12);
    GaussianAdModel base = ModelFileTest.fit(Variant.parse(variant), a);
    GaussianAdFitter resumed = GaussianAdFitter.resume(readBack(base));
    for (double[][] x : b) {
      resumed.add(x);
    }
    GaussianAdModel updated = resumed.fit("ignored");
    GaussianAdModel union = ModelFileTest.fit(Variant.parse(variant), concat(a, b));
    ModelAssertions.assertSameModel(updated, union, REL_TOL);
    assertThat(updated.info().nTrain()).isEqualTo(127);
  }

  @Test
  void mergeOfPartsInAnyOrderEqualsFitOfTheUnion() throws Exception {
    double[][][] all = ModelFileTest.features(150, 13);
    int[] cuts = {0, 3, 64, 101, 150};
    List<ModelUpdates.Source> parts = new ArrayList<>();
    for (int p = 0; p + 1 < cuts.length; p++) {
      GaussianAdModel m = ModelFileTest.fit(new Variant.Mvg(), Arrays.copyOfRange(all, cuts[p], cuts[p + 1]));
      parts.add(new ModelUpdates.Source(readBack(m), "part" + p + ".maha", "00".repeat(32)));
    }
    GaussianAdModel union = ModelFileTest.fit(new Variant.Mvg(), all);
    for (int[] order : new int[][] {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}}) {
      List<ModelUpdates.Source> ordered = new ArrayList<>();
      for (int i : order) {
        ordered.add(parts.get(i));
      }
      GaussianAdModel merged = ModelUpdates.merge(ordered, new ArrayList<>());
      ModelAssertions.assertSameModel(merged, union, REL_TOL);
      List<TrainingStatistics.Step> history = merged.statistics().history();
      assertThat(history).hasSize(8); // four fits, then one merge step per part
      assertThat(history.subList(4, 8)).extracting(TrainingStatistics.Step::modelFile)
          .containsExactly(Arrays.stream(order).mapToObj(i -> "part" + i + ".maha").toArray(String[]::new));
      assertThat(history.stream().filter(s -> s.action().equals("merge")).mapToLong(TrainingStatistics.Step::n).sum())
          .isEqualTo(150);
    }
    // merging a merge: ((0 + 1) + (2 + 3)) is the same model again
    GaussianAdModel left = ModelUpdates.merge(parts.subList(0, 2), new ArrayList<>());
    GaussianAdModel right = ModelUpdates.merge(parts.subList(2, 4), new ArrayList<>());
    GaussianAdModel nested = ModelUpdates.merge(List.of(new ModelUpdates.Source(readBack(left), "l.maha", "11"),
        new ModelUpdates.Source(readBack(right), "r.maha", "22")), new ArrayList<>());
    ModelAssertions.assertSameModel(nested, union, REL_TOL);
  }

  @Test
  void updatedModelDropsTheThresholdAndRecordsTheStep() throws Exception {
    GaussianAdModel base = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(20, 14))
        .withCalibration(new Calibration(3.5, 0.01, 99, true, "cal/"));
    GaussianAdFitter f = GaussianAdFitter.resume(base);
    for (double[][] x : ModelFileTest.features(5, 15)) {
      f.add(x);
    }
    GaussianAdModel u = ModelUpdates.updated(f.fit("x"), new ModelUpdates.Source(base, "old.maha", "ab12"), "new/", 5, null);
    assertThat(u.threshold()).isEmpty();
    assertThat(u.info().trainSource()).isEqualTo("train/ + new/");
    assertThat(u.info().nTrain()).isEqualTo(25);
    assertThat(u.statistics().history()).extracting(TrainingStatistics.Step::action).containsExactly("fit", "update");
    TrainingStatistics.Step step = u.statistics().history().get(1);
    assertThat(step).extracting(TrainingStatistics.Step::modelFile, TrainingStatistics.Step::modelSha256,
        TrainingStatistics.Step::n, TrainingStatistics.Step::source).containsExactly("old.maha", "ab12", 5L, "new/");
    GaussianAdModel back = readBack(u);
    assertThat(back.statistics()).isEqualTo(u.statistics());
  }

  @Test
  void refusesToMergeModelsThatHoldTheSameImages() throws Exception {
    GaussianAdModel a = readBack(ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(20, 22)));
    GaussianAdFitter f = GaussianAdFitter.resume(a);
    for (double[][] x : ModelFileTest.features(6, 23)) {
      f.add(x);
    }
    GaussianAdModel ab = readBack(ModelUpdates.updated(f.fit("x"), new ModelUpdates.Source(a, "a.maha", "01"),
        "b/", 6, null));
    GaussianAdModel c = readBack(ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(9, 24)));
    GaussianAdModel ac = ModelUpdates.merge(List.of(new ModelUpdates.Source(a, "a.maha", "01"),
        new ModelUpdates.Source(c, "c.maha", "03")), new ArrayList<>());
    assertThatThrownBy(() -> ModelUpdates.merge(List.of(new ModelUpdates.Source(a, "a.maha", "01"),
        new ModelUpdates.Source(ab, "ab.maha", "02")), new ArrayList<>())).isInstanceOf(ModelFileException.class)
        .hasMessage("ab.maha: cannot be merged with a.maha: both hold the images of the fit of train/ (20 images, "
            + a.statistics().history().get(0).at() + "), which would count twice");
    assertThatThrownBy(() -> ModelUpdates.merge(List.of(new ModelUpdates.Source(ab, "ab.maha", "02"),
        new ModelUpdates.Source(readBack(ac), "ac.maha", "04")), new ArrayList<>()))
        .hasMessageStartingWith("ac.maha: cannot be merged with ab.maha: both hold the images of the fit");
    // the same fit twice in one second from the same folder is still two fits
    GaussianAdModel again = readBack(ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(20, 22)));
    assertThat(ModelUpdates.merge(List.of(new ModelUpdates.Source(a, "a.maha", "01"),
        new ModelUpdates.Source(again, "a2.maha", "05")), new ArrayList<>()).info().nTrain()).isEqualTo(40);
  }

  @Test
  void statisticsRoundTripExactlyThroughTheFile() throws Exception {
    for (String v : List.of("mvg", "l2", "sed")) {
      GaussianAdModel m = ModelFileTest.fit(Variant.parse(v), ModelFileTest.features(70, 16));
      assertThat(readBack(m).statistics()).isEqualTo(m.statistics());
    }
    GaussianAdModel pca = ModelFileTest.fit(Variant.parse("npca:0.9"), ModelFileTest.features(30, 17));
    assertThat(pca.trainingStatistics()).isEmpty();
    assertThat(readBack(pca).trainingStatistics()).isEmpty();
  }

  @Test
  void refusesVersion1PcaAndUnlikeModels() throws Exception {
    Path v1 = dir.resolve("old.maha");
    try (InputStream in = getClass().getResourceAsStream(GoldenModelFileTest.DIR + "golden-v1-mvg.maha")) {
      Files.copy(in, v1);
    }
    GaussianAdModel old = ModelFile.read(v1);
    assertThat(old.trainingStatistics()).isEmpty();
    assertThatThrownBy(() -> ModelUpdates.requireUpdatable(old, "old.maha")).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("old.maha").hasMessageContaining("version 1").hasMessageContaining("cannot be updated");
    GaussianAdModel pca = ModelFileTest.fit(Variant.parse("pca:0.9"), ModelFileTest.features(30, 18));
    assertThatThrownBy(() -> ModelUpdates.requireUpdatable(pca, "p.maha")).hasMessageContaining("pca:0.9 model");

    GaussianAdModel mvg = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(30, 19));
    GaussianAdModel sed = ModelFileTest.fit(new Variant.Sed(), ModelFileTest.features(30, 20));
    assertMergeRefused(mvg, sed, "variant sed differs from mvg");
    BackboneSpec s = ModelFileTest.SPEC;
    BackboneSpec otherFile = new BackboneSpec(s.name(), "cd".repeat(32), s.inputName(), s.inputSizePx(),
        s.normalization(), s.levelNames(), s.levelDims());
    assertMergeRefused(mvg, fitOn(otherFile), "backbone");
    BackboneSpec otherLevels = new BackboneSpec(s.name(), s.onnxSha256(), s.inputName(), s.inputSizePx(),
        s.normalization(), List.of("a", "c"), s.levelDims());
    assertMergeRefused(mvg, fitOn(otherLevels), "levels");
    BackboneSpec otherNorm = new BackboneSpec(s.name(), s.onnxSha256(), s.inputName(), s.inputSizePx(),
        Normalization.MINUS1_TO_1, s.levelNames(), s.levelDims());
    assertMergeRefused(mvg, fitOn(otherNorm), "normalisation");
    assertThatThrownBy(() -> ModelUpdates.merge(List.of(new ModelUpdates.Source(mvg, "a.maha", "1"),
        new ModelUpdates.Source(old, "old.maha", "2")), new ArrayList<>())).hasMessageContaining("old.maha");
  }

  private static GaussianAdModel fitOn(BackboneSpec spec) throws FitException {
    GaussianAdFitter f = new GaussianAdFitter(spec, "toy.onnx", new Variant.Mvg());
    for (double[][] x : ModelFileTest.features(30, 21)) {
      f.add(x);
    }
    return f.fit("other/");
  }

  private static void assertMergeRefused(GaussianAdModel a, GaussianAdModel b, String why) {
    assertThatThrownBy(() -> ModelUpdates.merge(List.of(new ModelUpdates.Source(a, "a.maha", "1"),
        new ModelUpdates.Source(b, "b.maha", "2")), new ArrayList<>()))
        .isInstanceOf(ModelFileException.class).hasMessageStartingWith("b.maha: cannot be merged with a.maha")
        .hasMessageContaining(why);
  }

  private GaussianAdModel readBack(GaussianAdModel m) throws Exception {
    Path f = Files.createTempFile(dir, "m", ".maha");
    ModelFile.write(m, f);
    return ModelFile.read(f);
  }

  static double[][][] concat(double[][][] a, double[][][] b) {
    double[][][] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
