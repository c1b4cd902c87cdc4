package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.weights.Tensor;

/** Architecture inference from torchvision keys, graph structure, and errors for weights that do not fit. */
class ResNetTest {

  @TempDir
  Path tmp;

  @Test
  void infersTheTorchvisionArchitecturesAndThePapersLevelDims() throws Exception {
    ResNet.Architecture r18 = ResNet.inspect("r18", TorchvisionResNets.resnet18());
    assertThat(r18.name()).isEqualTo("resnet18");
    assertThat(r18.levelDims()).containsExactly(64, 64, 128, 256, 512); // PAPER.md §1.4
    ResNet.Architecture r34 = ResNet.inspect("r34",
        TorchvisionResNets.stateDict(false, new int[] {3, 4, 6, 3}, 1, 64, 1000));
    assertThat(r34.name()).isEqualTo("resnet34");
    ResNet.Architecture r50 = ResNet.inspect("r50",
        TorchvisionResNets.stateDict(true, new int[] {3, 4, 6, 3}, 1, 64, 1000));
    assertThat(r50.name()).isEqualTo("resnet50");
    assertThat(r50.levelDims()).containsExactly(64, 256, 512, 1024, 2048);
    assertThat(r50.classes()).isEqualTo(1000);
    ResNet.Architecture wide = ResNet.inspect("w50",
        TorchvisionResNets.stateDict(true, new int[] {3, 4, 6, 3}, 1, 128, 1000));
    assertThat(wide.levelDims()).as("PAPER.md §1.4: wide_resnet50_2 has resnet50's level dims")
        .containsExactly(64, 256, 512, 1024, 2048);
    assertThat(wide.name()).isEqualTo("wide_resnet50_2");
    assertThat(ResNet.inspect("w101", TorchvisionResNets.stateDict(true, new int[] {3, 4, 23, 3}, 1, 128, 1000))
        .name()).isEqualTo("wide_resnet101_2");
    ResNet.Architecture resnext = ResNet.inspect("x50",
        TorchvisionResNets.stateDict(true, new int[] {3, 4, 6, 3}, 32, 4, 0));
    assertThat(resnext.groups()).isEqualTo(32);
    assertThat(resnext.name()).isEqualTo("resnext50_32x4d");
    assertThat(ResNet.inspect("tiny", TorchvisionResNets.stateDict(false, new int[] {1, 1, 1, 1}, 1, 64, 0))
        .name()).isEqualTo("resnet(basic [1, 1, 1, 1], dims [64, 64, 128, 256, 512], inner [64, 128, 256, 512])");
    assertThat(resnext.classes()).isZero();
  }

  @Test
  void fullSizeResnet18HasThePapersTapsAndAFusableGraph() throws Exception {
    byte[] model = ResNet.toOnnx("resnet18", TorchvisionResNets.resnet18(), ResNet.Options.defaults());
    Path file = tmp.resolve("resnet18.onnx");
    Files.write(file, model);
    try (OnnxBackbone b = OnnxBackbone.open(file,
        BackboneOptions.defaults().withLevels(ResNet.LEVELS).withThreads(1))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(224);
      assertThat(b.spec().levelDims()).containsExactly(64, 64, 128, 256, 512);
      assertThat(b.describeOutputs()).containsExactly("L0 [N, 64]", "L1 [N, 64]", "L2 [N, 128]", "L3 [N, 256]",
          "L4 [N, 512]", "logits [N, 1000]");
    }
  }

  @Test
  void graphHasOneConvPerTorchConvAndNoTransposeIdentityOrBatchNorm() throws Exception {
    // NodeProto.op_type is field 4: tag 0x22 ('"'), then the length, then the name
    byte[] model = ResNet.toOnnx("resnet18", TorchvisionResNets.resnet18(), new ResNet.Options(64, true));
    String text = new String(model, java.nio.charset.StandardCharsets.ISO_8859_1);
    // 20 convs in resnet18 (1 stem + 8 blocks × 2 + 3 downsample)
    assertThat(count(text, "\"\u0004Conv")).isEqualTo(20);
    assertThat(count(text, "\"\u0004Relu")).isEqualTo(17);
    assertThat(count(text, "\"\u0003Add")).isEqualTo(8);
    assertThat(text).doesNotContain("Transpose", "Identity", "BatchNormalization");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void namesTheMissingKey() {
    Map<String, Tensor> sd = new LinkedHashMap<>(TorchvisionResNets.resnet18());
    sd.remove("layer3.1.bn2.running_var");
    assertThatThrownBy(() -> ResNet.toOnnx("resnet18-f37072fd.pth", sd, ResNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith("resnet18-f37072fd.pth: missing key layer3.1.bn2.running_var (the file has "
            + sd.size() + " tensors: ").hasMessageEndingWith(", ...)");
  }

  @Test
  void refusesKeysOfAnotherArchitecture() {
    Map<String, Tensor> sd = new LinkedHashMap<>(TorchvisionResNets.resnet18());
    sd.put("_blocks.0._depthwise_conv.weight", new Tensor("x", new int[] {1}, new float[1]));
    assertThatThrownBy(() -> ResNet.toOnnx("w.pth", sd, ResNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith("w.pth: 1 key(s) that a resnet18 does not have")
        .hasMessageContaining("_blocks.0._depthwise_conv.weight");
  }

  @Test
  void namesAWeightOfTheWrongShape() {
    Map<String, Tensor> sd = new LinkedHashMap<>(TorchvisionResNets.resnet18());
    sd.put("layer2.0.conv2.weight", new Tensor("layer2.0.conv2.weight", new int[] {128, 64, 3, 3},
        new float[128 * 64 * 9]));
    assertThatThrownBy(() -> ResNet.toOnnx("w.pth", sd, ResNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith("w.pth: layer2.0.conv2.weight: shape [128, 64, 3, 3] does not fit an input of 128");
  }

  @Test
  void refusesAStateDictWithoutResNetStages() {
    Map<String, Tensor> sd = new LinkedHashMap<>();
    sd.put("conv1.weight", new Tensor("conv1.weight", new int[] {8, 3, 7, 7}, new float[8 * 3 * 49]));
    assertThatThrownBy(() -> ResNet.inspect("mobilenet.pth", sd))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageContaining("mobilenet.pth: missing key layer1.0.conv1.weight");
    assertThatThrownBy(() -> ResNet.inspect("empty.pth", Map.of()))
        .isInstanceOf(ArchitectureException.class).hasMessage("empty.pth: missing key conv1.weight (the file has no tensors)");
  }

  @Test
  void rejectsInputsTooSmallForFiveStrideTwoStages() {
    assertThatThrownBy(() -> new ResNet.Options(16, false)).isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(ResNet.LEVELS.get(0), ResNet.LOGITS)).containsExactly("L0", "logits");
  }
}
