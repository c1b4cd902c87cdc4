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
  void fitWithInt8RecordsTheGraphAndScoreUpdateAndMergeFollowIt() throws Exception {
    Path data = data();
    Path good = data.resolve("fabric/train/good");
    Path test = data.resolve("fabric/test");
    String cache = dir.resolve("cache").toString();
    String[] named = {"--backbone", "resnet18", "--random-init", "1", "--input-size", "64", "--backbone-cache", cache,
        "--threads", "1"};
    Path int8 = dir.resolve("int8.maha");
    Path plain = dir.resolve("float.maha");
    var fit = CliHarness.run(concat(new String[] {"fit", "-q", "--int8", "4", "-o", int8.toString()}, named,
        new String[] {good.toString()}));
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(fit.err()).contains("int8: calibrating on the first 4 training images",
        "int8: the model records its graph: int8, ", "calibrated on 4 images");
    var fitFloat = CliHarness.run(concat(new String[] {"fit", "-q", "-o", plain.toString()}, named,
        new String[] {good.toString()}));
    assertThat(fitFloat.exitCode()).as(fitFloat.all()).isZero();

    String[] score = {"score", "-q", "--format", "csv", "--threads", "1", "--recursive"};
    var a = CliHarness.run(concat(score, new String[] {"-m", int8.toString(), test.toString()}));
    var b = CliHarness.run(concat(score, new String[] {"-m", int8.toString(), test.toString()}));
    var f = CliHarness.run(concat(score, new String[] {"-m", plain.toString(), test.toString()}));
    assertThat(a.exitCode()).as(a.all()).isZero();
    assertThat(f.exitCode()).as(f.all()).isZero();
    assertThat(b.out()).as("the int8 graph is rebuilt the same every time").isEqualTo(a.out());
    assertThat(a.out()).as("and it is not the float graph").isNotEqualTo(f.out());
    assertThat(a.out().lines().count()).isGreaterThan(2);

    // update through the same graph; merge refuses to add features of different graphs
    Path updated = dir.resolve("updated.maha");
    var up = CliHarness.run("update", "-q", "-m", int8.toString(), "-o", updated.toString(),
        data.resolve("fabric/test/good").toString());
    assertThat(up.exitCode()).as(up.all()).isZero();
    var upScore = CliHarness.run(concat(score, new String[] {"-m", updated.toString(), test.toString()}));
    assertThat(upScore.exitCode()).as(upScore.all()).isZero();
    var merge = CliHarness.run("merge", int8.toString(), plain.toString(), "-o", dir.resolve("m.maha").toString());
    assertThat(merge.exitCode()).as(merge.all()).isNotZero();
    assertThat(merge.err()).contains("float32 graph").contains("int8 graph");
    assertThat(dir.resolve("m.maha")).doesNotExist();
  }

  @Test
  void aTiledModelFittedWithInt8ScoresThroughItsGraph() throws Exception {
    Path data = data();
    Path good = data.resolve("fabric/train/good");
    Path test = data.resolve("fabric/test/good");
    String[] named = {"--backbone", "resnet18", "--random-init", "1", "--input-size", "64", "--backbone-cache",
        dir.resolve("cache").toString(), "--threads", "1"};
    // (--maps needs levels with a spatial grid; the named backbones' levels are pooled in the graph)
    for (String[] kind : new String[][] {{"--tile", "32"}}) {
      Path model = dir.resolve(kind[0].substring(2) + ".maha");
      var fit = CliHarness.run(concat(new String[] {"fit", "-q", "--int8", "3", "-o", model.toString()}, kind, named,
          new String[] {good.toString()}));
      assertThat(fit.exitCode()).as(fit.all()).isZero();
      assertThat(fit.err()).contains("int8: calibrating on 3 training images");
      String[] score = kind[0].equals("--maps")
          ? new String[] {"score", "-q", "--format", "csv", "--maps", dir.resolve("maps-out").toString()}
          : new String[] {"score", "-q", "--format", "csv"};
      var a = CliHarness.run(concat(score, new String[] {"-m", model.toString(), test.toString()}));
      var b = CliHarness.run(concat(score, new String[] {"-m", model.toString(), test.toString()}));
      assertThat(a.exitCode()).as(a.all()).isZero();
      assertThat(a.out()).as(kind[0]).isEqualTo(b.out()).contains(".png");
      try (var z = new java.util.zip.ZipFile(model.toFile())) {
        String manifest = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
        assertThat(manifest).as(kind[0]).contains("\"int8\"", "\"graphSha256\"");
      }
    }
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }

  @Test
  void int8IsRefusedWhereTheModelDecidesTheGraph() throws Exception {
    Path data = data();
    Path good = data.resolve("fabric/train/good");
    var score = CliHarness.run("score", "-m", dir.resolve("m.maha").toString(), "--backbone", "resnet18",
        "--random-init", "1", "--int8", "8", good.toString());
    assertThat(score.exitCode()).as(score.all()).isEqualTo(2);
    assertThat(score.err()).contains("--int8 is given where a model is fitted");

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
