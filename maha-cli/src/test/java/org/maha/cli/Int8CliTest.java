package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;

/** {@code --int8}: offered where fit and score run in one process, validated before any work, float by default. */
class Int8CliTest {
  @TempDir Path dir;

  private Path data() throws Exception {
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(List.of("fabric"), 64, 8, 2, 2, 3L));
    return data;
  }

  @Test
  void evaluateWithInt8CalibratesOnTrainingImagesAndReportsTheFeatureDifference() throws Exception {
    Path data = data();
    String[] common = {"evaluate", "--backbone", "resnet18", "--random-init", "1", "--input-size", "64",
        "--backbone-cache", dir.resolve("cache").toString(), "--threads", "1", "--variants", "mvg,l2", "-q",
        data.toString()};
    var floatRun = CliHarness.run(common);
    assertThat(floatRun.exitCode()).as(floatRun.all()).isZero();
    assertThat(floatRun.err()).doesNotContain("int8");

    String[] withInt8 = java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.stream.Stream.of(
        "--int8", "4")).toArray(String[]::new);
    var int8Run = CliHarness.run(withInt8);
    assertThat(int8Run.exitCode()).as(int8Run.all()).isZero();
    assertThat(int8Run.err()).contains("int8: calibrating on 4 training images",
        "int8: 20 of 20 Conv nodes int8", "per level on the calibration images");
    assertThat(int8Run.out()).contains("int8").contains("mean of levels");
  }

  @Test
  void int8IsRefusedWhereTheQuantizedGraphCouldNotBeReused() throws Exception {
    Path data = data();
    Path good = data.resolve("fabric/train/good");
    var fit = CliHarness.run("fit", "--backbone", "resnet18", "--random-init", "1", "--int8", "8", "-o",
        dir.resolve("m.maha").toString(), good.toString());
    assertThat(fit.exitCode()).as(fit.all()).isEqualTo(2);
    assertThat(fit.err()).contains("--int8 is offered by bench, evaluate, demo and fashion-mnist only");

    var onnx = CliHarness.run("evaluate", "--onnx", dir.resolve("x.onnx").toString(), "--int8", "8",
        data.toString());
    assertThat(onnx.exitCode()).as(onnx.all()).isEqualTo(2);
    assertThat(onnx.err()).contains("--int8 needs --backbone NAME");

    for (String n : new String[] {"0", "257"}) {
      var bad = CliHarness.run("evaluate", "--backbone", "resnet18", "--random-init", "1", "--int8", n,
          data.toString());
      assertThat(bad.exitCode()).as(bad.all()).isEqualTo(2);
      assertThat(bad.err()).contains("--int8");
    }
  }
}
