package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Large inputs run in ONNX Runtime calls of fewer images (memory, issue 12 item 3). */
class CallBatchTest {

  @Test
  void callsHoldAtMostSixteenImagesOf224Pixels() {
    assertThat(OnnxBackbone.callBatch(16, 224)).isEqualTo(16);
    assertThat(OnnxBackbone.callBatch(16, 32)).isEqualTo(16);
    assertThat(OnnxBackbone.callBatch(4, 224)).isEqualTo(4);
    // EfficientNet-B4 at 380: 16 × 224² / 380² = 5.6
    assertThat(OnnxBackbone.callBatch(16, 380)).isEqualTo(5);
    assertThat(OnnxBackbone.callBatch(16, 600)).isEqualTo(2);
    assertThat(OnnxBackbone.callBatch(16, 1024)).isEqualTo(1);
    assertThat(OnnxBackbone.callBatch(1, 1024)).isEqualTo(1);
  }
}
