package org.maha.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of {@link StateDicts#read} on whole files (PyTorch zip and legacy checkpoints, and
 * whatever else the bytes look like): read or {@link WeightFileException}, nothing else. Seeds: the zip and legacy
 * fixtures. Replays {@code TorchCheckpointFuzzTestInputs/} under {@code mvn test}.
 */
class TorchCheckpointFuzzTest {
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("maha-fuzz", ".pth");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) throws IOException {
    Files.write(FILE, data);
    try {
      StateDicts.read(FILE, 1 << 22);
    } catch (WeightFileException expected) {
      // refused with a message: fine
    }
  }
}
