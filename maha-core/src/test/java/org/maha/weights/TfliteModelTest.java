package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.testing.SharedData;
import org.maha.weights.TfliteOptions.Activation;
import org.maha.weights.TfliteOptions.Padding;

/**
 * Coral's quantised MobileNetV2 ({@code ../shared/models}, skipped when absent) against tflite_expected.json,
 * which make_fixtures.py wrote with an independent pure-Python flatbuffer walk and checked against the shared
 * ONNX conversion of the same file.
 */
class TfliteModelTest {

  private static final String MODEL = "models/tf2_mobilenet_v2_1.0_224_ptq.tflite";
  @TempDir Path tmp;

  private static JsonNode expected() throws Exception {
    return new ObjectMapper().readTree(WeightFixtures.text("tflite_expected.json"));
  }

  @Test
  void readsTheGraphStructureOfCoralMobileNetV2() throws Exception {
    TfliteModel m = TfliteModel.read(SharedData.require(MODEL));
    JsonNode e = expected();
    assertThat(m.version()).isEqualTo(3);
    assertThat(m.tensors()).hasSize(e.path("tensors").asInt());
    assertThat(m.operators()).hasSize(e.path("operators").asInt());
    assertThat(m.inputs()).containsExactly(e.path("inputs").get(0).asInt());
    assertThat(m.outputs()).containsExactly(e.path("outputs").get(0).asInt());
    Map<String, Integer> counts = new TreeMap<>();
    m.operators().forEach(op -> counts.merge(op.opName(), 1, Integer::sum));
    Map<String, Integer> want = new TreeMap<>();
    e.path("operator_counts").properties().forEach(x -> want.put(x.getKey(), x.getValue().asInt()));
    assertThat(counts).isEqualTo(want);
    assertThat(counts).containsEntry("CONV_2D", 36).containsEntry("DEPTHWISE_CONV_2D", 17);
    assertThat(m.tensor(171).shape()).containsExactly(1, 7, 7, 1280);
    assertThat(m.tensor(0).type()).isEqualTo(TfliteType.UINT8);
  }

  @Test
  void readsTheFirstConvolutionAndDequantisesItsPerChannelInt8Weights() throws Exception {
    TfliteModel m = TfliteModel.read(SharedData.require(MODEL));
    JsonNode e = expected().path("first_conv");
    TfliteOperator conv = m.operators().get(e.path("operator").asInt());
    assertThat(conv.opName()).isEqualTo("CONV_2D");
    assertThat(conv.builtinCode()).isEqualTo(3);
    assertThat(conv.inputs()).containsExactly(ints(e.path("inputs")));
    assertThat(conv.options()).isEqualTo(new TfliteOptions.Conv2D(Padding.SAME, 2, 2, Activation.RELU6, 1, 1));

    TfliteTensor w = m.tensor(conv.inputs()[1]);
    assertThat(w.name()).isEqualTo(e.path("weight_name").asText());
    assertThat(w.shape()).containsExactly(32, 3, 3, 3);
    assertThat(w.type()).isEqualTo(TfliteType.INT8);
    assertThat(w.quantization().isPerChannel()).isTrue();
    assertThat(w.quantization().scale()).hasSize(32);
    assertThat(w.quantization().scale()[1]).isEqualTo((float) e.path("weight_scale_first3").get(1).asDouble());
    float[] values = m.dequantized(w.index());
    JsonNode picks = e.path("weight_picks");
    for (int i = 0; i < picks.size(); i++) {
      // the script computed (q - z) * s in float64 and rounded once, as dequantized() does: exact
      assertThat(values[picks.get(i).asInt()]).isEqualTo((float) e.path("weight_values").get(i).asDouble());
    }
    TfliteTensor bias = m.tensor(conv.inputs()[2]);
    assertThat(bias.type()).isEqualTo(TfliteType.INT32);
    float[] b = m.dequantized(bias.index());
    for (int i = 0; i < 5; i++) {
      assertThat(b[i]).isEqualTo((float) e.path("bias_values_first5").get(i).asDouble());
    }
  }

  @Test
  void readsDepthwiseOptionsAndDequantisesAlongTheLastDimension() throws Exception {
    TfliteModel m = TfliteModel.read(SharedData.require(MODEL));
    JsonNode e = expected().path("first_depthwise");
    TfliteOperator dw = m.operators().get(e.path("operator").asInt());
    assertThat(dw.opName()).isEqualTo("DEPTHWISE_CONV_2D");
    TfliteOptions.DepthwiseConv2D o = (TfliteOptions.DepthwiseConv2D) dw.options();
    assertThat(o.depthMultiplier()).isEqualTo(e.path("options").path("depth_multiplier").asInt());
    assertThat(o.activation()).isEqualTo(Activation.RELU6);
    TfliteTensor w = m.tensor(dw.inputs()[1]);
    assertThat(w.shape()).containsExactly(ints(e.path("weight_shape")));
    assertThat(w.quantization().quantizedDimension()).isEqualTo(3);
    float[] values = m.dequantized(w.index());
    JsonNode picks = e.path("weight_picks");
    for (int i = 0; i < picks.size(); i++) {
      assertThat(values[picks.get(i).asInt()]).isEqualTo((float) e.path("weight_values").get(i).asDouble());
    }
  }

  @Test
  void refusesAnActivationTensorAsConstantData() throws Exception {
    TfliteModel m = TfliteModel.read(SharedData.require(MODEL));
    assertThat(m.tensor(171).hasData()).isFalse();
    assertThatThrownBy(() -> m.dequantized(171)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("tensor 171 '").hasMessageEndingWith("' has no constant data");
  }

  @Test
  void refusesTruncatedAndForeignFiles() throws Exception {
    byte[] all = Files.readAllBytes(SharedData.require(MODEL));
    for (int n : new int[] {0, 7, 100, 5000, all.length / 2}) {
      Path cut = tmp.resolve("cut" + n + ".tflite");
      Files.write(cut, Arrays.copyOf(all, n));
      assertThatThrownBy(() -> TfliteModel.read(cut)).as("cut at %d", n).isInstanceOf(WeightFileException.class)
          .hasMessageStartingWith(cut + ": ");
    }
    Path pth = WeightFixtures.path("sd_zip.pth");
    assertThatThrownBy(() -> TfliteModel.read(pth)).isInstanceOf(WeightFileException.class)
        .hasMessage(pth + ": not a TFLite model (no TFL3 identifier)");
  }

  private static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }
}
