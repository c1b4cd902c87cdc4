package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneSpec;
import org.maha.model.Variant;
import org.maha.report.ExperimentReport;

/**
 * The experiment page on made-up features (no backbone): one PCA rule named per run, single-component sweep points
 * reported, unique Table II columns, ROC captions and σ columns that say what they show, and a Files list of
 * files that exist. Small: 2 categories of 8 training vectors in 12 dimensions.
 */
class ExperimentReportTest {
  static final int[] DIMS = {12};
  static final OffsetDateTime DATE = OffsetDateTime.of(2026, 1, 2, 3, 4, 0, 0, ZoneOffset.UTC);

  /** Fewer vectors than dimensions and one dominant direction: null components and c = 0 at low t. */
  static List<CategoryFeatures> categories(Path root) {
    List<CategoryFeatures> out = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      SplittableRandom rng = new SplittableRandom(name.hashCode());
      List<double[][]> train = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        double[] v = new double[12];
        for (int j = 0; j < v.length; j++) {
          v[j] = rng.nextGaussian() * (j == 0 ? 10 : 1);
        }
        train.add(new double[][] {v});
      }
      out.add(SyntheticFeatures.category(root, name, train, 6, name.hashCode() + 1, DIMS, null, List.of()));
    }
    return out;
  }

  static ExperimentResults results(List<CategoryFeatures> cats, Evaluation.Protocol protocol, boolean official,
      List<String> experiments) throws Exception {
    BackboneSpec spec = SyntheticFeatures.spec(DIMS);
    EvaluationReport levels = Experiments.evaluate(spec, cats, Experiments.TABLE_I, protocol, "x.onnx");
    Optional<EvaluationReport> pca = experiments.contains("pca")
        ? Optional.of(Experiments.evaluate(spec, cats, Experiments.pcaTable(official ? Variant.PcaRule.OFFICIAL : Variant.PcaRule.MAHA), protocol, "x.onnx"))
        : Optional.empty();
    List<Experiments.SweepPoint> sweep = experiments.contains("sweep")
        ? Experiments.varianceSweep(cats, protocol, official ? Variant.PcaRule.OFFICIAL
            : Variant.PcaRule.MAHA) : List.of();
    Optional<ExperimentResults.SigmaTable> sigma = Optional.empty();
    if (experiments.contains("sigma")) {
      String v = pca.orElseThrow().variants().get(2); // npca at 0.99: k varies with the folds' fit vectors
      sigma = Optional.of(new ExperimentResults.SigmaTable(v, 0, "L0", 12, Experiments.sigmaTable(pca.get(), v, 0),
          Experiments.sigmaCounts(pca.get(), v, 0)));
    }
    List<ExperimentResults.BackboneRun> backbones = new ArrayList<>();
    if (experiments.contains("backbones")) {
      // two ONNX files of the same preset: same backbone name
      backbones.add(new ExperimentResults.BackboneRun("first.onnx", "w", levels));
      backbones.add(new ExperimentResults.BackboneRun("second.onnx", "w", levels));
    }
    return new ExperimentResults("weights", "/data", DATE, experiments, levels, pca, sweep, sigma, backbones,
        ExperimentResults.splits(cats, protocol));
  }

  static String page(ExperimentResults r, String file) {
    Map<String, byte[]> files = ExperimentReport.render(r);
    return new String(files.get(file), StandardCharsets.UTF_8);
  }

  @Test
  void namesTheRuleOfTheRunAndTheSweepPointsThatKeepASingleComponent(@TempDir Path root) throws Exception {
    List<CategoryFeatures> cats = categories(root);
    Evaluation.Protocol folds = Evaluation.Protocol.paper();
    List<String> ex = List.of("levels", "pca", "sweep");
    String official = page(results(cats, folds, true, ex), "experiments.md");
    assertThat(official).contains("Component rule: the official slice", "npca-official:0.99")
        .doesNotContain("Component rule: maha's")
        // 2 categories × 5 folds × 1 level, c = 0 at t = 0.5: only the last, null, component
        .contains("npca-official kept a single component in some of the 10 level fits (categories × folds × "
            + "levels) — t = 0.5: 10 (10 with zero variance)");
    String maha = page(results(cats, folds, false, ex), "experiments.md");
    assertThat(maha).contains("Component rule: maha's", "npca:0.99").doesNotContain("npca-official")
        .doesNotContain("npca kept a single component");
  }

  @Test
  void tableIiColumnsAreUniqueAndTheSigmaThresholdSaysItIsAMean(@TempDir Path root) throws Exception {
    ExperimentResults r = results(categories(root), Evaluation.Protocol.paper(), false,
        List.of("levels", "pca", "sigma", "backbones"));
    assertThat(r.sigma().orElseThrow().dofVaries()).isTrue();
    String md = page(r, "experiments.md");
    assertThat(md).contains("| level | synthetic (first.onnx) | synthetic (second.onnx) |")
        .contains("| σ | mean threshold |", "the threshold column is their mean over categories and folds");
  }

  @Test
  void fullTrainRocCaptionsDoNotMentionFoldsAndFilesListsOnlyWhatIsWritten(@TempDir Path root) throws Exception {
    ExperimentResults r = results(categories(root), Evaluation.Protocol.fullTrain(), false, List.of("levels"));
    String html = page(r, "experiments.html");
    assertThat(html).contains("one model fitted on all training images").doesNotContain("fold 0")
        .doesNotContain("other folds");
    String files = html.substring(html.indexOf("<section id=\"files\">"));
    assertThat(files).contains("auroc_per_fold.csv", "folds.json", "scores.csv")
        .doesNotContain("sweep.csv", "sigma_counts.csv", "backbones_auroc_per_fold.csv");
  }

  @Test
  void namesAreTheFilesWritten(@TempDir Path root) throws Exception {
    List<CategoryFeatures> cats = categories(root);
    for (List<String> ex : List.of(List.of("levels"), List.of("levels", "pca", "sweep", "sigma", "backbones"))) {
      ExperimentResults r = results(cats, Evaluation.Protocol.paper(), false, ex);
      List<String> written = new ArrayList<>(ExperimentFiles.files(r).keySet());
      written.addAll(ReportFiles.files(r.levels()).keySet());
      assertThat(written).containsAll(ExperimentFiles.names(r));
      assertThat(ExperimentFiles.names(r)).containsAll(ExperimentFiles.files(r).keySet());
    }
  }
}
