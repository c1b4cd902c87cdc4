package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;

/** fit and score --sigma say when the model has too few training images for its χ² thresholds (issue 14, item 8). */
class WeakStatisticsCliTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static final String LEVELS = "s1,s2,pooled";

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(demo.categories().subList(0, 1), 64, 12, 3, 2,
        11L));
    try (var s = Files.list(data)) {
      good = s.filter(Files::isDirectory).findFirst().orElseThrow().resolve("train/good");
    }
  }

  private static List<String> warnings(String err) {
    return err.lines().filter(l -> l.startsWith("warning:")).toList();
  }

  @Test
  void fitOnFewImagesWarnsAndScoreSigmaSaysSoOnce() throws Exception {
    List<String> three;
    try (var s = Files.list(good)) {
      three = s.sorted().limit(3).map(Path::toString).toList();
    }
    Path model = dir.resolve("few.maha");
    List<String> args = new java.util.ArrayList<>(List.of("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q",
        "-o", model.toString()));
    args.addAll(three);
    var fit = CliHarness.run(args.toArray(new String[0]));
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(warnings(fit.err())).singleElement().asString()
        .contains("N = 3", "chi-square", "false alarms", "--calibrate", "--augment");

    var sigma = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q", "--sigma", "3",
        good.toString());
    assertThat(sigma.exitCode()).as(sigma.all()).isZero();
    assertThat(warnings(sigma.err())).singleElement().asString()
        .contains(model.toString(), "N = 3", "--sigma", "unreliable", "--calibrate");

    var plain = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q", good.toString());
    assertThat(plain.exitCode()).as(plain.all()).isZero();
    assertThat(warnings(plain.err())).isEmpty();
  }

  @Test
  void enoughTrainingVectorsGiveNoWarning() {
    Path model = dir.resolve("many.maha");
    // 12 images x 10 augmented passes = 120 vectors per level: enough for D = 8 and 16
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--augment", "10", "-o",
        model.toString(), good.toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(warnings(fit.err())).isEmpty();
    var sigma = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q", "--sigma", "3",
        good.toString());
    assertThat(sigma.exitCode()).as(sigma.all()).isZero();
    assertThat(warnings(sigma.err())).isEmpty();
  }
}
