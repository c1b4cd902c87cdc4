package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;
import org.maha.npy.Npy;
import org.maha.testing.SharedData;

/**
 * {@code fit/score/evaluate --maps} with the genuine ImageNet MobileNetV2 from ../shared (3 levels; skipped, and
 * counted as skipped, when it is absent) on a small synthetic set with masks.
 */
class MapsMobileNetV2CliTest {
  @TempDir Path dir;

  @Test
  void mapsLocateSyntheticDefectsThroughTheCli() throws Exception {
    Path onnx = SharedData.require("models/mobilenet_v2_imagenet.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(List.of("fabric"), 160, 20, 3, 2, 5L));
    Path out = dir.resolve("eval");
    var eval = CliHarness.run("evaluate", "--onnx", onnx.toString(), "-q", "--variants", "mvg", "--maps", "-o",
        out.toString(), data.toString());
    assertThat(eval.exitCode()).as(eval.all()).isZero();
    String[] row = Files.readAllLines(out.resolve("pixel_metrics.csv")).get(1).split(",");
    assertThat(Double.parseDouble(row[2])).as("pixel AUROC").isGreaterThan(0.8);
    assertThat(Double.parseDouble(row[3])).as("AU-PRO(0.3)").isGreaterThan(0.5);

    Path model = dir.resolve("m.maha");
    Path cat = data.resolve("fabric");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "-q", "--maps", "-o", model.toString(),
        cat.resolve("train/good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    Path maps = dir.resolve("maps");
    var score = CliHarness.run("score", "-m", model.toString(), "-q", "--maps", maps.toString(),
        cat.resolve("test").toString() + "/good");
    assertThat(score.exitCode()).as(score.all()).isZero();
    try (var files = Files.list(maps)) {
      List<Path> npy = files.filter(p -> p.toString().endsWith(".npy")).toList();
      assertThat(npy).hasSize(3);
      for (Path p : npy) {
        assertThat(Npy.read(Files.readAllBytes(p)).shape()).containsExactly(160, 160);
      }
    }
  }
}
