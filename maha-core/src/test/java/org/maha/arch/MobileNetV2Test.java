package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.OnnxBackbone;
import org.maha.testing.SharedData;
import org.maha.weights.TfliteModel;

/**
 * Structure of the MobileNetV2 graph built from Coral's TFLite file: TF "SAME" padding, weight layout, the level
 * taps of PROVENANCE.md, graph hygiene, and a clear error for a TFLite CNN that is not a MobileNetV2. The tests
 * that need the file skip when ../shared is absent.
 */
class MobileNetV2Test {

  @TempDir
  Path tmp;

  private static int[] pads(int size, int k, int stride) {
    return MobileNetV2Converter.samePads(size, size, k, k, new int[] {stride, stride}, new int[] {1, 1});
  }

  @Test
  void samePaddingPutsTheOddPixelAtTheBottomRightAsTensorFlowDoes() {
    // out = ceil(in / s); total = (out − 1)·s + k − in; top/left = total / 2 (floor)
    assertThat(pads(224, 3, 2)).containsExactly(0, 0, 1, 1);
    assertThat(pads(112, 3, 1)).containsExactly(1, 1, 1, 1);
    assertThat(pads(7, 3, 2)).containsExactly(1, 1, 1, 1);
    assertThat(pads(225, 3, 2)).containsExactly(1, 1, 1, 1);
    assertThat(pads(14, 1, 1)).containsExactly(0, 0, 0, 0);
    assertThat(pads(224, 1, 2)).containsExactly(0, 0, 0, 0);
    assertThat(pads(10, 5, 2)).containsExactly(1, 1, 2, 2);
    assertThat(MobileNetV2Converter.samePads(8, 9, 3, 3, new int[] {2, 1}, new int[] {1, 2}))
        .as("H: stride 2 at even size; W: dilation 2 spans 5").containsExactly(0, 2, 1, 2);
  }

  @Test
  void permuteMovesTfliteWeightAxesToOnnxOrder() {
    // OHWI [2, 1, 2, 3] → OIHW [2, 3, 1, 2]: value at (o, 0, w, i) = 100·o + 10·w + i
    float[] ohwi = new float[12];
    for (int o = 0; o < 2; o++) {
      for (int w = 0; w < 2; w++) {
        for (int i = 0; i < 3; i++) {
          ohwi[o * 6 + w * 3 + i] = 100 * o + 10 * w + i;
        }
      }
    }
    float[] oihw = MobileNetV2Converter.permute(ohwi, new int[] {2, 1, 2, 3}, new int[] {0, 3, 1, 2});
    assertThat(oihw).containsExactly(0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112);
    // depthwise 1HWC [1, 1, 2, 3] → C1HW [3, 1, 1, 2]
    float[] dw = {0, 1, 2, 10, 11, 12};
    assertThat(MobileNetV2Converter.permute(dw, new int[] {1, 1, 2, 3}, new int[] {3, 0, 1, 2}))
        .containsExactly(0, 10, 1, 11, 2, 12);
  }

  @Test
  void findsTheNineLevelTapsOfProvenanceByPositionInTheGraph() throws Exception {
    Path file = SharedData.require(MobileNetV2ParityTest.TFLITE);
    TfliteModel m = TfliteModel.read(file);
    // PROVENANCE.md: L0..L8 = TFLite tensors 110, 112, 119, 130, 145, 156, 167, 170, 171
    assertThat(MobileNetV2.tapTensors("coral", m)).containsExactly(110, 112, 119, 130, 145, 156, 167, 170, 171);
    assertThat(MobileNetV2.logitsTensor("coral", m)).as("the SOFTMAX's input").isEqualTo(174);
  }

  @Test
  void graphHasOneConvPerTfliteConvAndNoTransposeDequantizeOrIdentity() throws Exception {
    Path file = SharedData.require(MobileNetV2ParityTest.TFLITE);
    TfliteModel m = TfliteModel.read(file);
    String full = text(MobileNetV2.fromTflite("coral", m, MobileNetV2.Options.defaults()));
    // 35 CONV_2D (incl. the 1×1 classifier) + 17 DEPTHWISE_CONV_2D = 52 + 1; 35 fused ReLU6; 10 residual ADDs
    assertThat(count(full, "\"\u0004Conv")).isEqualTo(53);
    assertThat(count(full, "\"\u0004Clip")).isEqualTo(35);
    assertThat(count(full, "\"\u0003Add")).isEqualTo(10);
    assertThat(count(full, "\"\u0011GlobalAveragePool")).as("one per level, shared with the MEAN").isEqualTo(9);
    assertThat(count(full, "\"\u0007Flatten")).as("one per level + the RESHAPE").isEqualTo(10);
    assertThat(count(full, "\"\u0007Softmax")).as("the probabilities output").isEqualTo(1);
    assertThat(full).doesNotContain("Transpose", "DequantizeLinear", "QuantizeLinear", "Identity", "\"\u0003Pad");
    String features = text(MobileNetV2.fromTflite("coral", m, new MobileNetV2.Options(false, false)));
    assertThat(features).doesNotContain("Softmax");
    assertThat(count(features, "\"\u0004Conv")).as("no classifier").isEqualTo(52);
    assertThat(count(features, "\"\u0007Flatten")).isEqualTo(9);
  }

  @Test
  void exposesPooledLevelsFullMapsAndTheClassifierWithADynamicBatch() throws Exception {
    Path file = SharedData.require(MobileNetV2ParityTest.TFLITE);
    Path onnx = tmp.resolve("mnv2_maps.onnx");
    Files.write(onnx, MobileNetV2.fromTflite(file.toString(), TfliteModel.read(file),
        new MobileNetV2.Options(true, true)));
    List<String> maps = new ArrayList<>();
    for (String level : MobileNetV2.LEVELS) {
      maps.add(level + MobileNetV2.MAP_SUFFIX);
    }
    try (OnnxBackbone b = OnnxBackbone.open(onnx, MobileNetV2ParityTest.options(maps, 1, 4))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(224);
      assertThat(b.maxBatch()).isEqualTo(4);
      assertThat(b.spec().levelDims()).containsExactlyElementsOf(MobileNetV2.LEVEL_DIMS);
      assertThat(b.describeOutputs()).containsExactly("L0 [N, 32]", "L1 [N, 16]", "L2 [N, 24]", "L3 [N, 32]",
          "L4 [N, 64]", "L5 [N, 96]", "L6 [N, 160]", "L7 [N, 320]", "L8 [N, 1280]",
          "L0_map [N, 32, 112, 112]", "L1_map [N, 16, 112, 112]", "L2_map [N, 24, 56, 56]",
          "L3_map [N, 32, 28, 28]", "L4_map [N, 64, 14, 14]", "L5_map [N, 96, 14, 14]", "L6_map [N, 160, 7, 7]",
          "L7_map [N, 320, 7, 7]", "L8_map [N, 1280, 7, 7]", "logits [N, 1001]",
          "probabilities [N, 1001]");
    }
  }

  @Test
  void refusesATfliteCnnThatIsNotAMobileNetV2NamingTheFile() throws Exception {
    Path v1 = SharedData.require("models/mobilenet_v1_0.25_128_quant.tflite");
    TfliteModel m = TfliteModel.read(v1);
    assertThatThrownBy(() -> MobileNetV2.fromTflite(v1.toString(), m, MobileNetV2.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith(v1 + ": not a MobileNetV2 graph")
        .hasMessageContaining("13 stage(s)");
  }

  private static String text(byte[] model) {
    return new String(model, StandardCharsets.ISO_8859_1);
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
