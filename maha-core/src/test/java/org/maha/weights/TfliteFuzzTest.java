package org.maha.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the TFLite reader: parse, then dequantise every constant tensor; each step succeeds or
 * raises {@link WeightFileException}. Seed: a one-convolution model written by scripts/make_hostile_weights.py.
 */
class TfliteFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) {
    TfliteModel m;
    try {
      m = TfliteModel.parse(data, "fuzz.tflite");
    } catch (WeightFileException expected) {
      return;
    }
    for (TfliteTensor t : m.tensors()) {
      if (t.hasData()) {
        try {
          m.toTensor(t.index());
        } catch (WeightFileException refused) {
          // refused with a message: fine
        }
      }
    }
  }
}
