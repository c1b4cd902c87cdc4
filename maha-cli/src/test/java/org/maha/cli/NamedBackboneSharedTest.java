package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.testing.SharedData;

/** EfficientNet and MobileNetV2 graphs built in Java from weight files, through the CLI (shared files or skip). */
class NamedBackboneSharedTest {
  @TempDir Path dir;

  @Test
  void exportsEfficientNetB0FromA063CheckpointWithNineLevels() throws Exception {
    Path pth = SharedData.require("fixtures/effnet063/b0_legacy.pth");
    Path out = dir.resolve("b0.onnx");
    var r = CliHarness.run("backbones", "--cache", dir.resolve("cache").toString(), "export", "efficientnet-b0",
        "--weights", pth.toString(), "-o", out.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("unverified");
    try (OnnxBackbone b = OnnxBackbone.open(out, new BackboneOptions(
        List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"), null, 1, 4))) {
      assertThat(b.spec().levelDims()).containsExactly(32, 16, 24, 40, 80, 112, 192, 320, 1280);
      assertThat(b.spec().inputSizePx()).isEqualTo(224);
    }
  }

  @Test
  void exportsMobileNetV2FromTheVerifiedCoralFile() throws Exception {
    Path tflite = SharedData.require("models/tf2_mobilenet_v2_1.0_224_ptq.tflite");
    Path out = dir.resolve("mnv2.onnx");
    var r = CliHarness.run("backbones", "--cache", dir.resolve("cache").toString(), "export", "mobilenet_v2",
        "--weights", tflite.toString(), "-o", out.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).doesNotContain("unverified");
    try (OnnxBackbone b = OnnxBackbone.open(out, new BackboneOptions(
        List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"), null, 1, 4))) {
      assertThat(b.spec().levelDims()).containsExactly(32, 16, 24, 32, 64, 96, 160, 320, 1280);
      assertThat(b.maxBatch()).isGreaterThan(1);
    }
  }

  /** The owl is the known miss (ruffed grouse); PIL's antialiased resize, as in Coral's examples, does not fix it. */
  @Test
  void classifyPrintsTheTopFiveClassesOfTheSharedPhotosWithTheBackgroundOffset() throws Exception {
    Path tflite = SharedData.require("models/tf2_mobilenet_v2_1.0_224_ptq.tflite");
    Path images = SharedData.require("images");
    var r = CliHarness.run("classify", "--backbone", "mobilenet_v2", "--weights", tflite.toString(),
        "--backbone-cache", dir.resolve("cache").toString(), images.resolve("cat.bmp").toString(),
        images.resolve("parrot.jpg").toString(), images.resolve("hot_dog.jpg").toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(18);
    // PROVENANCE.md: cat.bmp → Egyptian cat, p ≈ 0.67 (ImageNet class 285 is output 286 of the 1001)
    assertThat(lines.get(0)).endsWith("cat.bmp");
    assertThat(lines.get(1)).matches("  0\\.6[0-9]{3}  Egyptian cat");
    assertThat(lines.get(7)).endsWith("  macaw");
    assertThat(lines.get(13)).endsWith("  hotdog");
    double sum = 0;
    for (String l : lines.subList(1, 6)) {
      sum += Double.parseDouble(l.trim().split("  ")[0]);
    }
    assertThat(sum).isBetween(0.67, 1.0);
  }

  @Test
  void classifyWithTheSharedOnnxReadsItsSoftmaxOutputAndAgrees() throws Exception {
    Path onnx = SharedData.require("models/mobilenet_v2_imagenet.onnx");
    Path cat = SharedData.require("images/cat.bmp");
    var r = CliHarness.run("classify", "--onnx", onnx.toString(), "--top", "1", cat.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out().lines().toList().get(1)).matches("  0\\.6[0-9]{3}  Egyptian cat");
  }
}
