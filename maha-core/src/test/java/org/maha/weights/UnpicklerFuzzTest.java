package org.maha.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the safe unpickler with torch's persistent ids: any bytes either unpickle to a state
 * dict or raise {@link WeightFileException}; never another exception, a hang or an oversized allocation. Replays
 * {@code UnpicklerFuzzTestInputs/} under {@code mvn test}; {@code scripts/fuzz.sh} fuzzes it.
 */
class UnpicklerFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void loadsOrRefuses(byte[] data) {
    TorchStorages storages = new TorchStorages("fuzz.pkl", 1 << 20, 1 << 20);
    try {
      storages.stateDict(new Unpickler(ByteBuffer.wrap(data), "fuzz.pkl", storages).load()).forEach((k, t) -> {
        try {
          storages.checkBounds(k, t);
        } catch (WeightFileException refused) {
          // fine
        }
      });
    } catch (WeightFileException expected) {
      // refused with a message: fine
    }
  }
}
