package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.model.ModelFile;

/**
 * SIGTERM and SIGINT at several moments of a fit and an embed (a child JVM, as a user's Ctrl-C or a service
 * manager's stop would hit it): nothing is left behind but complete outputs, never a hidden {@code .NAME…tmp} file.
 * The moments are spread over the measured length of an uninterrupted run, the last ones near its end, where the
 * output is written. (The tiny test model is written in well under a millisecond, so this guards the end-to-end
 * invariant; {@code AtomicFilesSignalTest} signals a JVM seen mid-write.)
 */
class SignalCleanupTest {
  static final String LEVELS = "s1,s2,pooled";
  @TempDir static Path dir;
  static Path onnx;
  static Path good;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 11, 10, 64);
  }

  @Test
  void anInterruptedFitLeavesEitherNoModelOrAWholeOneAndNoTemporaryFile() throws Exception {
    Path work = Files.createDirectories(dir.resolve("fit"));
    Path model = work.resolve("m.maha");
    interruptAtSeveralMoments(work, () -> {
      if (Files.exists(model)) {
        assertThat(ModelFile.read(model).levels()).hasSize(3);
        Files.delete(model);
      }
    }, "fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", model.toString(), good.toString());
  }

  @Test
  void anInterruptedEmbedLeavesNoTemporaryFileAndNoIndexWithoutItsFiles() throws Exception {
    Path work = Files.createDirectories(dir.resolve("embed"));
    Path out = work.resolve("emb");
    interruptAtSeveralMoments(work, () -> {
      Path meta = out.resolve("embed.json");
      if (Files.exists(meta)) {
        for (var f : new com.fasterxml.jackson.databind.ObjectMapper().readTree(meta.toFile()).path("files")) {
          assertThat(out.resolve(f.asText())).exists();
        }
      }
    }, "embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", out.toString(), good.toString());
  }

  interface Check {
    void run() throws Exception;
  }

  private static void interruptAtSeveralMoments(Path work, Check outputIsWholeOrAbsent, String... args)
      throws Exception {
    var reference = CliProcess.run(120, dir.resolve("home"), args);
    assertThat(reference.exitCode()).as(reference.all()).isZero();
    outputIsWholeOrAbsent.run();
    long full = reference.millis();
    double[] fractions = {0.6, 0.85, 1.0};
    for (int i = 0; i < fractions.length; i++) {
      String signal = i % 2 == 0 ? "TERM" : "INT";
      double fraction = fractions[i];
      {
        Path out = Files.createTempFile("sig-out", ".txt");
        Path err = Files.createTempFile("sig-err", ".txt");
        Process p = CliProcess.start(dir.resolve("home"), out, err, args);
        try {
          Thread.sleep((long) (fraction * full));
          if (p.isAlive()) {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
          }
          assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("maha ends after SIG" + signal).isTrue();
        } finally {
          p.destroyForcibly();
          Files.deleteIfExists(out);
          Files.deleteIfExists(err);
        }
        assertThat(temporaryFiles(work)).as("SIG" + signal + " at " + fraction + " of " + full + " ms").isEmpty();
        outputIsWholeOrAbsent.run();
      }
    }
  }

  private static List<Path> temporaryFiles(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
    }
  }
}
