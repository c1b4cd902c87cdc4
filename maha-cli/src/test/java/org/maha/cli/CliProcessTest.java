package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM harness itself: a bad option is refused cleanly; a missing model names the file. */
class CliProcessTest {
  @TempDir Path dir;

  @Test
  void runsMahaInAChildJvmAndSeesItsExitCodeAndStderr() throws Exception {
    Path before = Files.writeString(dir.resolve("keep.txt"), "x");
    var snap = CliProcess.snapshot(dir);
    var r = CliProcess.run(60, dir, "score", "-m", dir.resolve("absent.maha").toString(), before.toString());
    CliProcess.assertCleanRefusal(r, "absent.maha");
    assertThat(CliProcess.snapshot(dir)).isEqualTo(snap);
  }
}
