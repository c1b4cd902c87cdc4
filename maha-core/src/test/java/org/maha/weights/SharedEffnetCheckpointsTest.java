package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.maha.testing.SharedData;

/**
 * The efficientnet_pytorch 0.6.3 checkpoints in {@code ../shared/fixtures/effnet063} (skipped when absent):
 * counts from their manifest.json, and shapes and values as torch.load reads them (recorded by
 * make_fixtures.py in effnet063_expected.json).
 */
class SharedEffnetCheckpointsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(strings = {"tiny_legacy.pth", "tiny_zip.pth", "b0_legacy.pth"})
  void matchesTheManifestAndTorchLoad(String name) throws Exception {
    Path file = SharedData.require("fixtures/effnet063/" + name);
    JsonNode manifest = JSON.readTree(SharedData.require("fixtures/effnet063/manifest.json").toFile());
    JsonNode model = manifest.path("models").path(name.startsWith("b0") ? "b0" : "tiny");
    JsonNode expected = JSON.readTree(WeightFixtures.text("effnet063_expected.json")).path(name);

    Map<String, Tensor> sd = StateDicts.read(file);

    assertThat(sd).hasSize(model.path("n_state_dict_entries").asInt());
    long values = sd.values().stream().mapToLong(Tensor::numel).sum();
    assertThat(values).isEqualTo(model.path("n_state_dict_values").asLong());
    assertThat(sd.get("_conv_stem.weight").shape())
        .containsExactly(model.path("level_channels").get(0).asInt(), 3, 3, 3);
    assertThat(sd.get("_conv_head.weight").dim(0)).isEqualTo(model.path("level_channels").get(8).asInt());
    List<String> keys = new ArrayList<>(sd.keySet());
    for (int i = 0; i < 5; i++) {
      assertThat(keys.get(i)).isEqualTo(expected.path("first_keys").get(i).asText());
    }
    assertThat(keys.get(keys.size() - 1)).isEqualTo(expected.path("last_key").asText());
    for (Map.Entry<String, JsonNode> e : expected.path("picks").properties()) {
      Tensor t = sd.get(e.getKey());
      int[] shape = JSON.convertValue(expected.path("shapes").path(e.getKey()), int[].class);
      assertThat(t.shape()).as(e.getKey()).containsExactly(shape);
      JsonNode idx = e.getValue().path("index");
      for (int i = 0; i < idx.size(); i++) {
        // the JSON holds the float32 value printed as a double: exact
        assertThat(t.get(idx.get(i).asInt())).isEqualTo((float) e.getValue().path("value").get(i).asDouble());
      }
      double sum = 0;
      for (float v : t.data()) {
        sum += v;
      }
      assertThat(sum).as(e.getKey()).isCloseTo(e.getValue().path("sum").asDouble(), within(1e-9));
    }
    // README: every BatchNorm's num_batches_tracked is 0 (LongStorage) and running_var ~ U(0.5, 2.0)
    for (Tensor t : sd.values()) {
      if (t.name().endsWith("num_batches_tracked")) {
        assertThat(t.rank()).isZero();
        assertThat(t.get(0)).isZero();
      }
      if (t.name().endsWith("running_var")) {
        for (float v : t.data()) {
          assertThat(v).isBetween(0.5f, 2.0f);
        }
      }
    }
  }

  @Test
  void zipAndLegacyTinyCheckpointsHoldBitwiseTheSameTensors() throws Exception {
    Map<String, Tensor> legacy = StateDicts.read(SharedData.require("fixtures/effnet063/tiny_legacy.pth"));
    Map<String, Tensor> zip = StateDicts.read(SharedData.require("fixtures/effnet063/tiny_zip.pth"));
    assertThat(new ArrayList<>(zip.keySet())).containsExactlyElementsOf(legacy.keySet());
    assertThat(zip).isEqualTo(legacy);
  }
}
