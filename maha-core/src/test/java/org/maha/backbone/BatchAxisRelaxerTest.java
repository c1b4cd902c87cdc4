package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class BatchAxisRelaxerTest {

  @Test
  void relaxedFixedBatchModelIsByteIdenticalToTheDynamicOne() throws Exception {
    // make_tiny_cnn.py writes both files from one graph, differing only in dim 0 (1 vs dim_param "N"), and
    // protobuf serialisation is canonical for them: the rewrite must reproduce the dynamic file exactly.
    byte[] fixed = Files.readAllBytes(TinyCnn.resource("tiny_cnn_batch1.onnx"));
    byte[] dynamic = Files.readAllBytes(TinyCnn.resource("tiny_cnn.onnx"));
    BatchAxisRelaxer.Result r = BatchAxisRelaxer.relax(fixed);
    assertThat(r.inputsRelaxed()).isEqualTo(1);
    assertThat(r.outputsRelaxed()).isEqualTo(3);
    assertThat(r.bytes()).isEqualTo(dynamic);
  }

  @Test
  void leavesASymbolicBatchUntouched() throws Exception {
    byte[] dynamic = Files.readAllBytes(TinyCnn.resource("tiny_cnn.onnx"));
    BatchAxisRelaxer.Result r = BatchAxisRelaxer.relax(dynamic);
    assertThat(r.inputsRelaxed()).isZero();
    assertThat(r.outputsRelaxed()).isZero();
    assertThat(r.bytes()).isSameAs(dynamic);
  }

  @Test
  void rejectsBytesThatAreNotProtobuf() {
    assertThatThrownBy(() -> BatchAxisRelaxer.relax(new byte[] {0x0a, 0x7f, 0x01}))
        .isInstanceOf(BatchAxisRelaxer.ProtoFormatException.class)
        .hasMessageContaining("runs past the end");
    assertThatThrownBy(() -> BatchAxisRelaxer.relax(new byte[] {0x0b}))
        .isInstanceOf(BatchAxisRelaxer.ProtoFormatException.class)
        .hasMessageContaining("wire type 3");
    assertThatThrownBy(() -> BatchAxisRelaxer.relax(new byte[] {0x08, (byte) 0x96, 0x01}))
        .isInstanceOf(BatchAxisRelaxer.ProtoFormatException.class)
        .hasMessageContaining("no graph");
  }
}
