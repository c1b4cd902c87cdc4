package org.maha.npy;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the .npy reader (inside every .maha model): any bytes either parse or raise
 * {@link NpyFormatException}; never another exception, a hang or an oversized allocation. Under {@code mvn test}
 * this replays the inputs in {@code src/test/resources/org/maha/npy/NpyFuzzTestInputs/} (valid seeds of
 * several dtypes and shapes, so that mutations start past the magic); {@code scripts/fuzz.sh} fuzzes it.
 */
class NpyFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) {
    try {
      Npy.read(data);
    } catch (NpyFormatException expected) {
      // refused with a message: fine
    }
  }
}
