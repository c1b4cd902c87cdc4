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
      // refused: fine, if the message is one short line (it is shown to the user, prefixed with the file)
      String m = expected.getMessage();
      if (m == null || m.length() > 500 || m.lines().count() != 1) {
        throw new AssertionError("message not one short line: " + m);
      }
    }
  }
}
