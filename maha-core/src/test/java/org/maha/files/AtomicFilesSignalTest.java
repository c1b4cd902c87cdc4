package org.maha.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGTERM / SIGINT to a JVM caught while its temporary files exist (seen on disk before the signal is sent):
 * the shutdown hook removes them. Without it, {@code finally} never runs and the hidden files stay.
 */
class AtomicFilesSignalTest {
  @TempDir Path dir;

  /** Child JVM: writes a 40 MB set of files atomically into args[0], again and again, until killed. */
  public static final class WriteForever {
    public static void main(String[] args) throws Exception {
      Path out = Path.of(args[0]);
      byte[] block = new byte[2 << 20];
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        files.put("f" + i + ".bin", block);
      }
      long end = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < end) {
        AtomicFiles.writeAll(out, files);
      }
    }
  }

  /** Child JVM: generates the demo data set into args[0]/data (a hidden .data.partial-* folder, then renamed). */
  public static final class WriteDataSet {
    public static void main(String[] args) throws Exception {
      org.maha.data.SyntheticInspectionSet.write(Path.of(args[0]).resolve("data"),
          org.maha.data.SyntheticInspectionSet.Spec.demo());
    }
  }

  @Test
  void sigtermAndSigintWhileWritingLeaveNoTemporaryFile() throws Exception {
    interruptWhenSeen(WriteForever.class);
  }

  @Test
  void anInterruptedDataSetLeavesNoPartialFolder() throws Exception {
    interruptWhenSeen(WriteDataSet.class);
  }

  /** Starts {@code main} on a fresh folder, signals it once a hidden temporary entry is seen, and checks it is gone. */
  private void interruptWhenSeen(Class<?> main) throws Exception {
    for (String signal : List.of("TERM", "INT", "TERM")) {
      if (signal.equals("INT") && sigintIgnored()) {
        // a JVM started with SIGINT ignored keeps it ignored (as every Unix program should): then the child cannot
        // be interrupted by it, and only SIGTERM is checked
        System.err.println("AtomicFilesSignalTest: SIGINT is ignored in this process (started in the background "
            + "without job control?), so the child ignores it too: SIGINT not checked, SIGTERM is");
        continue;
      }
      Path out = Files.createTempDirectory(dir, "out");
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), main.getName(), out.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (temporaryFiles(out).isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
          Thread.sleep(1);
        }
        assertThat(temporaryFiles(out)).as("a temporary entry was seen before SIG" + signal).isNotEmpty();
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the writer ends after SIG" + signal).isTrue();
      } finally {
        p.destroyForcibly();
      }
      assertThat(temporaryFiles(out)).as("left behind after SIG" + signal).isEmpty();
    }
  }

  /**
   * Whether this process ignores SIGINT (Linux's /proc/self/status SigIgn mask, bit 2 - 1): a shell starts
   * background commands so, and children inherit it, which a JVM respects by not handling SIGINT at all.
   */
  private static boolean sigintIgnored() throws Exception {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0b10) != 0;
      }
    }
    return false;
  }

  /** Hidden entries: maha's temporary files (.NAME.*.tmp) and folders (.data.partial-*). */
  private static List<Path> temporaryFiles(Path root) throws Exception {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    }
  }
}
