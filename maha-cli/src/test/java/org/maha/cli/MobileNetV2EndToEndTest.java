package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.testing.SharedData;

/** The README's path on the genuine ImageNet MobileNetV2 from ../shared (skipped when it is absent). */
class MobileNetV2EndToEndTest {
  @TempDir Path dir;

  @Test
  void defaultBackboneFitsScoresAndEvaluates() throws Exception {
    Path onnx = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 1), 96, 10, 3, 1, 11L));
    Path cat;
    try (var s = Files.list(data)) {
      cat = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    Path model = dir.resolve("m.maha");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "-q", "-o", model.toString(),
        cat.resolve("train/good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    GaussianAdModel m = ModelFile.read(model);
    // the preset: nine levels, x/127.5 - 1, stem to head
    assertThat(m.info().backbone().name()).isEqualTo("mobilenet_v2");
    assertThat(m.info().backbone().levelDims()).containsExactly(32, 16, 24, 32, 64, 96, 160, 320, 1280);
    assertThat(m.info().backbone().normalization().id()).isEqualTo("minus1to1");

    // the model remembers its backbone file, so score needs no --onnx
    var score = CliHarness.run("score", "-m", model.toString(), "-q", "--format", "csv",
        cat.resolve("test").toString() + "/good");
    assertThat(score.exitCode()).as(score.all()).isZero();
    assertThat(score.out().lines().count()).isEqualTo(1 + 3);

    var eval = CliHarness.run("evaluate", "--onnx", onnx.toString(), "-q", "--variants", "mvg,l2", cat.toString());
    assertThat(eval.exitCode()).as(eval.all()).isZero();
    assertThat(eval.out()).contains("| L8 | 1280 |").contains("| **mean of levels** | 2024 |");
  }
}
