package org.maha.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void writesEveryFileAndLeavesNoTemporaryFileOrRegistration() throws IOException {
    AtomicFiles.writeAll(dir, Map.of("a.txt", new byte[] {1}, "sub/b.txt", new byte[] {2, 3}));
    assertThat(Files.readAllBytes(dir.resolve("a.txt"))).containsExactly(1);
    assertThat(Files.readAllBytes(dir.resolve("sub/b.txt"))).containsExactly(2, 3);
    assertThat(names(dir)).containsExactlyInAnyOrder("a.txt", "sub", "sub/b.txt");
    assertThat(AtomicFiles.live()).noneMatch(p -> p.startsWith(dir));
  }

  @Test
  void aFailedWriteLeavesNeitherOutputNorTemporaryFile() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("a.txt", new byte[] {1});
    files.put("../escape.txt", new byte[] {2});
    assertThatThrownBy(() -> AtomicFiles.writeAll(dir, files)).isInstanceOf(IllegalArgumentException.class);
    assertThat(names(dir)).isEmpty();
    assertThat(AtomicFiles.live()).noneMatch(p -> p.startsWith(dir));
  }

  @Test
  void theShutdownHookDeletesTemporaryFilesInFlight() throws Exception {
    // a writer blocked in the middle of a write, as when SIGTERM arrives: its temp file is registered and the
    // hook's cleanup removes it
    byte[] big = new byte[1 << 20];
    Thread writer = new Thread(() -> {
      try {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
          files.put("f" + i + ".bin", big);
        }
        AtomicFiles.writeAll(dir.resolve("out"), files);
      } catch (IOException | RuntimeException e) {
        // the cleanup removed a temp file under it: the write fails, as it should
      }
    });
    writer.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (AtomicFiles.live().stream().noneMatch(p -> p.startsWith(dir)) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(AtomicFiles.live()).anyMatch(p -> p.startsWith(dir));
    AtomicFiles.deleteLive(false);
    writer.join(30_000);
    AtomicFiles.deleteLive(false); // anything created between the first cleanup and the writer's end
    try (Stream<Path> s = Files.walk(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private static java.util.List<String> names(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).toList();
    }
  }
}
