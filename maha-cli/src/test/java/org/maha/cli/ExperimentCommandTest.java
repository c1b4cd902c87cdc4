package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;
import org.maha.stats.ChiSquare;

class ExperimentCommandTest {
  @TempDir Path dir;

  @Test
  void writesEveryTableAndFigureAndTheSigmaRatesMatchTheScores() throws Exception {
    Path onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    Path other = CliHarness.tinyCnn(dir, "tiny_cnn_batch1.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 2), 48, 10, 4, 2, 5L));
    Path out = dir.resolve("exp");
    var r = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--folds", "3",
        "--sigma-level", "s2", "--compare", other.toString(), "--cache",
        dir.resolve("cache").toString(), "-o", out.toString(), data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("Table I", "PCA and NPCA", "variance retained", "χ² thresholds", "Table II");
    for (String f : List.of("experiments.html", "experiments.md", "experiments.json", "report.html", "auroc.csv",
        "scores.csv", "figures/variance_sweep.png", "figures/levels_across_backbones.png")) {
      assertThat(out.resolve(f)).exists();
    }
    // σ = 2 row: FPR recomputed from the per-fold test distances at level s2 in scores.csv
    JsonNode sigma = new ObjectMapper().readTree(out.resolve("experiments.json").toFile()).path("sigma").get(1);
    double t = ChiSquare.thresholdDistance(16, 2);
    assertThat(sigma.path("threshold").asDouble()).isCloseTo(t, within(1e-12));
    double[] fpr = new double[2];
    List<String> lines = Files.readAllLines(out.resolve("scores.csv"));
    String[] header = lines.get(0).split(",");
    int col = List.of(header).indexOf("d_s2");
    String firstCat = lines.get(1).split(",")[0];
    int[][] counts = new int[2][2 * 3];
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      if (!f[1].equals("mvg") || !f[5].equals("0")) {
        continue;
      }
      int c = f[0].equals(firstCat) ? 0 : 1;
      int fold = Integer.parseInt(f[2]);
      counts[c][2 * fold] += Double.parseDouble(f[col]) > t ? 1 : 0;
      counts[c][2 * fold + 1]++;
    }
    for (int c = 0; c < 2; c++) {
      for (int fold = 0; fold < 3; fold++) {
        fpr[c] += (double) counts[c][2 * fold] / counts[c][2 * fold + 1] / 3;
      }
    }
    assertThat(sigma.path("fpr").path("mean").asDouble()).isCloseTo((fpr[0] + fpr[1]) / 2, within(1e-12));

    // the rerun reads the cached features and gives the same numbers
    Path out2 = dir.resolve("exp2");
    var again = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q",
        "--folds", "3", "--experiments", "levels", "--cache", dir.resolve("cache").toString(), "-o", out2.toString(),
        data.toString());
    assertThat(again.exitCode()).as(again.all()).isZero();
    assertThat(Files.readString(out2.resolve("auroc.csv"))).isEqualTo(Files.readString(out.resolve("auroc.csv")));

    // with augmentation: stated in the protocol, cached (a rerun gives the same numbers), different from the plain fit
    String[] augmented = {"experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--folds", "3",
        "--experiments", "levels", "--augment", "2", "--cache", dir.resolve("cache").toString(), "-o", null,
        data.toString()};
    augmented[augmented.length - 2] = dir.resolve("aug1").toString();
    var aug1 = CliHarness.run(augmented);
    augmented[augmented.length - 2] = dir.resolve("aug2").toString();
    var aug2 = CliHarness.run(augmented);
    assertThat(aug1.exitCode()).as(aug1.all()).isZero();
    assertThat(aug2.exitCode()).as(aug2.all()).isZero();
    assertThat(Files.readString(dir.resolve("aug1/experiments.md"))).contains("each fit on 2 augmented copies");
    assertThat(Files.readString(dir.resolve("aug2/auroc.csv")))
        .isEqualTo(Files.readString(dir.resolve("aug1/auroc.csv")))
        .isNotEqualTo(Files.readString(out.resolve("auroc.csv")));
  }

  @Test
  void foldsJsonMatchesScikitLearnAndEverySummaryCellIsRecomputedFromThePerFoldCsv() throws Exception {
    Path onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 3), 48, 60, 4, 2, 9L));
    Path out = dir.resolve("exp");
    var r = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q",
        "--experiments", "levels,pca", "--pca-rule", "official", "--no-cache", "-o", out.toString(),
        data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    ObjectMapper json = new ObjectMapper();

    // folds.json: scikit-learn's KFold(5, shuffle=True, random_state=0) for n = 60 (maha-core's kfold_cases.json,
    // written by make_fixtures.py with scikit-learn 1.2.1) and the name-sorted training files
    JsonNode expected = null;
    try (var in = getClass().getResourceAsStream("/org/maha/data/kfold_cases.json")) {
      for (JsonNode c : json.readTree(in).path("kfold")) {
        if (c.path("n").asInt() == 60 && c.path("k").asInt() == 5 && c.path("seed").asInt() == 0) {
          expected = c.path("held_out");
        }
      }
    }
    assertThat(expected).as("n=60 case in kfold_cases.json").isNotNull();
    JsonNode folds = json.readTree(out.resolve("folds.json").toFile()).path("categories");
    assertThat(folds.size()).isEqualTo(3);
    for (JsonNode c : folds) {
      assertThat(c.path("n_train").asInt()).isEqualTo(60);
      assertThat(c.path("held_out")).isEqualTo(expected);
      assertThat(c.path("n_fit_per_fold").toString()).isEqualTo("[48,48,48,48,48]");
      List<String> files = new java.util.ArrayList<>();
      c.path("train_files").forEach(f -> files.add(f.asText()));
      assertThat(files).hasSize(60).isSorted();
    }

    // every summary cell = mean over categories of the fold means in auroc_per_fold.csv, ± std (ddof 1) / sqrt(n)
    java.util.Map<String, java.util.Map<String, double[]>> perCat = new java.util.TreeMap<>();
    List<String> lines = Files.readAllLines(out.resolve("auroc_per_fold.csv"));
    assertThat(lines.get(0)).isEqualTo("category,variant,level,fold,auroc");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      double[] acc = perCat.computeIfAbsent(f[1] + "|" + f[2], k -> new java.util.TreeMap<>())
          .computeIfAbsent(f[0], k -> new double[2]);
      acc[0] += Double.parseDouble(f[4]);
      acc[1]++;
    }
    List<String> summary = Files.readAllLines(out.resolve("auroc_summary.csv"));
    assertThat(summary.get(0)).isEqualTo("experiment,backbone,variant,level,dim,mean,sem,n_categories");
    assertThat(summary).hasSize(1 + (3 + 5) * 4);
    JsonNode levelsJson = json.readTree(out.resolve("experiments.json").toFile()).path("levels");
    for (String line : summary.subList(1, summary.size())) {
      String[] f = line.split(",");
      java.util.Map<String, double[]> cats = perCat.get(f[2] + "|" + f[3]);
      double[] means = cats.values().stream().mapToDouble(a -> {
        assertThat(a[1]).isEqualTo(5); // five folds per category
        return a[0] / a[1];
      }).toArray();
      double mean = java.util.Arrays.stream(means).average().orElseThrow();
      double ss = java.util.Arrays.stream(means).map(x -> (x - mean) * (x - mean)).sum();
      double sem = Math.sqrt(ss / (means.length - 1)) / Math.sqrt(means.length);
      // summing in another order moves the last bits only
      assertThat(Double.parseDouble(f[5])).as(line).isCloseTo(mean, within(1e-12));
      assertThat(Double.parseDouble(f[6])).as(line).isCloseTo(sem, within(1e-12));
      assertThat(Integer.parseInt(f[7])).isEqualTo(3);
      if (f[0].equals("levels")) {
        assertThat(levelsJson.path(f[2]).path(f[3]).path("mean").asDouble()).isCloseTo(mean, within(1e-12));
      }
    }
    String page = Files.readString(out.resolve("experiments.html"));
    assertThat(page).contains("id=\"table-i-table\"", "id=\"pca-npca-table\"", "id=\"toc\"",
        "How to read this", "for comparison only", "n_train");
    // --pca-rule official: the table's variants are the official slice, and the page names the rule
    assertThat(summary).anyMatch(l -> l.startsWith("pca,") && l.contains(",npca-official:0.99,combined,"))
        .noneMatch(l -> l.contains(",npca:0.99,"));
    assertThat(page).contains("Component rule: the official slice");
  }

  @Test
  void anUnknownPcaRuleIsRefusedBeforeAnyWork() {
    var r = CliHarness.run("experiment", "--onnx", dir.resolve("missing.onnx").toString(), "--pca-rule", "paper",
        "-o", dir.resolve("x").toString(), dir.resolve("no-data").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n", "Exception")
        .contains("--pca-rule: expected maha or official, got 'paper'");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void compareAcceptsCatalogNamesWithRandomInitAndTheSharedMobileNetV2() throws Exception {
    Path mobileNet = org.maha.testing.SharedData.mobileNetV2();
    Path onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 2), 64, 10, 4, 2, 5L));
    Path out = dir.resolve("exp");
    var r = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--folds",
        "2", "--experiments", "levels,backbones", "--no-cache", "--backbone-cache", dir.resolve("zoo").toString(),
        "--compare", "resnet18@random:3," + mobileNet, "-o", out.toString(), data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("NOT pretrained");
    JsonNode backbones = new ObjectMapper().readTree(out.resolve("experiments.json").toFile()).path("backbones");
    assertThat(backbones.size()).isEqualTo(3);
    assertThat(backbones.get(1).path("name").asText()).isEqualTo("resnet18 (random init, NOT pretrained)");
    assertThat(backbones.get(1).path("weights").asText()).contains("random init (seed 3), NOT pretrained");
    assertThat(backbones.get(1).path("inputSizePx").asInt()).isEqualTo(224);
    assertThat(backbones.get(1).path("normalization").asText()).isEqualTo("imagenet");
    assertThat(backbones.get(1).path("summary").path("mvg").size()).isEqualTo(5 + 1);
    assertThat(backbones.get(2).path("normalization").asText()).isEqualTo("minus1to1");
    assertThat(backbones.get(2).path("weights").asText()).contains("preset mobilenet_v2");
    assertThat(Files.readString(out.resolve("experiments.html")))
        .contains("resnet18 (random init, NOT pretrained)", "id=\"table-ii-table\"", "id=\"table-ii-published\"");
    assertThat(Files.readAllLines(out.resolve("backbones_auroc_per_fold.csv"))).hasSize(1 + 2 * 2 * (4 + 6 + 4));

    var bad = CliHarness.run("experiment", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q",
        "--compare", "resnet17", "-o", dir.resolve("x").toString(), data.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("'resnet17' is neither an existing ONNX file nor a backbone");
  }
}
