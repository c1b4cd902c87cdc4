package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code maha} in a child JVM with a small heap and a time limit, as a user's shell would, so that hostile
 * inputs are judged on what a user sees: exit code, stderr lines, time and memory. The in-process
 * {@link CliHarness} cannot bound heap or time, nor survive a hang.
 */
final class CliProcess {
  /** What one run produced; {@code timedOut} when it was killed at the limit. */
  record Result(int exitCode, String out, String err, long millis, boolean timedOut) {
    String all() {
      return "exit " + exitCode + (timedOut ? " (killed at time limit)" : "") + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Heap of the child JVM: the bound every hostile input must be refused within. */
  static final String HEAP = "-Xmx512m";

  private CliProcess() {}

  /** Runs maha with {@code args} under {@link #HEAP}, killed after {@code seconds}. */
  static Result run(int seconds, Path mahaHome, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("maha-out", ".txt");
    Path err = Files.createTempFile("maha-err", ".txt");
    try {
      long start = System.nanoTime();
      Process p = start(mahaHome, out, err, args);
      boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor();
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), ms, !done);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * Starts maha with {@code args} under {@link #HEAP}, stdout and stderr to the given files, and returns the running
   * process (for tests that signal it); the caller waits for it and kills it when done.
   */
  static Process start(Path mahaHome, Path out, Path err, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(HEAP);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MahaCommand.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("MAHA_HOME", mahaHome.toString());
    pb.environment().remove("MAHA_DEBUG");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    p.getOutputStream().close();
    return p;
  }

  /**
   * The contract for bad input: exit 2 within the time limit, exactly one line on stderr containing every
   * fragment (e.g. the file name), and no Java exception or stack trace in it.
   */
  static void assertCleanRefusal(Result r, String... fragments) {
    assertThat(r.timedOut()).as(r.all()).isFalse();
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    String err = r.err().strip();
    assertThat(err.lines().count()).as(r.all()).isEqualTo(1);
    assertThat(err).as(r.all()).contains(fragments)
        .doesNotContain("Exception", "\tat ", "OutOfMemoryError", "MAHA_DEBUG");
  }

  /**
   * Size and SHA-256 of every file under {@code root} (relative path → "size:sha256"), to prove that a run touched
   * nothing outside the output it was asked to write.
   */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          m.put(root.relativize(p).toString(), Files.size(p) + ":" + sha256(p));
        } else if (!p.equals(root)) {
          m.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : "other");
        }
      }
    }
    return m;
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
