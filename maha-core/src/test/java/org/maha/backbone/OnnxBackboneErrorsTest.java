package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBackboneErrorsTest {

  private static BackboneOptions levels(String... names) {
    return BackboneOptions.defaults().withLevels(List.of(names));
  }

  @Test
  void rejectsAnUnknownLevelNameListingTheOutputs() {
    Path file = TinyCnn.resource("tiny_cnn.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("s1", "s3")))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": no output named 's3' for --levels (available: s1 [N, 8, 16, 16], s2 [N, 16, 8, 8],"
            + " pooled [N, 16])");
  }

  @Test
  void asksForLevelsWhenTheFileIsNoPreset() {
    Path file = TinyCnn.resource("tiny_cnn.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, BackboneOptions.defaults()))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": name the outputs to use as levels with --levels (available: s1 [N, 8, 16, 16],"
            + " s2 [N, 16, 8, 8], pooled [N, 16])");
  }

  @Test
  void rejectsALevelNamedTwice() {
    Path file = TinyCnn.resource("tiny_cnn.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("s1", "s1")))
        .isInstanceOf(BackboneException.class)
        .hasMessageStartingWith(file + ": level 's1' is named twice");
  }

  @Test
  void rejectsAnInputThatIsNotAnImageBatch() {
    Path file = TinyCnn.resource("bad_rank.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("y")))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": input 'x' is float32 [N, 3, 32], expected float32 [N, 3, S, S]"
            + " (batch N symbolic or 1, square size S fixed)");
  }

  @Test
  void rejectsALevelOfUnsupportedRankNamingItsShape() {
    Path file = TinyCnn.resource("rank3_output.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("seq")))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": output 'seq' has shape [N, 3, 64], a level must be [N, C, H, W] (averaged over H×W)"
            + " or [N, C]");
  }

  @Test
  void rejectsAFileThatIsNotOnnx(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.onnx");
    Files.writeString(file, "<html><body>404 Not Found</body></html>\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("x")))
        .isInstanceOf(BackboneException.class)
        .hasMessageStartingWith(file + ": not an ONNX model (");
  }

  @Test
  void rejectsAnEmptyFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty.onnx");
    Files.write(file, new byte[0]);
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("x")))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": not an ONNX model (no graph (ModelProto field 7) in 0 bytes)");
  }

  @Test
  void rejectsATruncatedModel(@TempDir Path dir) throws Exception {
    byte[] whole = Files.readAllBytes(TinyCnn.resource("tiny_cnn.onnx"));
    Path file = dir.resolve("truncated.onnx");
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("s1")))
        .isInstanceOf(BackboneException.class)
        .hasMessageStartingWith(file + ": not an ONNX model (");
  }

  @Test
  void rejectsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("nowhere.onnx");
    assertThatThrownBy(() -> OnnxBackbone.open(file, levels("x")))
        .isInstanceOf(BackboneException.class)
        .hasMessage(file + ": cannot read the model (no such file)");
  }

  @Test
  void closeIsIdempotentAndExtractAfterCloseFails() throws Exception {
    OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s1"));
    float[] x = TinyCnn.images(0, 1);
    b.close();
    assertThatCode(b::close).doesNotThrowAnyException();
    assertThatThrownBy(() -> b.extract(x, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> b.rawOutput("s1", x, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rejectsAnInputArrayOfTheWrongLength() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s1"))) {
      assertThatThrownBy(() -> b.extract(new float[3 * 32 * 32 + 1], 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("nchw: expected 1 × 3 × 32 × 32 = 3072 floats, found 3073");
      assertThatThrownBy(() -> b.extract(new float[0], 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void rawOutputRejectsAnUnknownOutput() throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(TinyCnn.resource("tiny_cnn.onnx"), levels("s1"))) {
      assertThatThrownBy(() -> b.rawOutput("logits", TinyCnn.images(0, 1), 1))
          .isInstanceOf(BackboneException.class)
          .hasMessageContaining("no float32 output named 'logits'");
    }
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> new BackboneOptions(List.of(), null, -1, 16))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    assertThatThrownBy(() -> new BackboneOptions(List.of(), null, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatch");
    assertThat(new BackboneOptions(null, null, 0, 1).levels()).isEmpty();
  }
}
