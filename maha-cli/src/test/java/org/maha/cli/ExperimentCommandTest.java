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
  }
}
