package org.maha.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the safetensors reader: read or {@link WeightFileException}, nothing else. Replays
 * {@code SafetensorsFuzzTestInputs/} under {@code mvn test}; {@code scripts/fuzz.sh} fuzzes it.
 */
class SafetensorsFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) {
    try {
      Safetensors.read(ByteBuffer.wrap(data), "fuzz.safetensors", 1 << 22);
    } catch (WeightFileException expected) {
      // refused with a message: fine
    }
  }
}
