package org.maha.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.MahaException;
import org.maha.api.Score;

/**
 * The README's "Library use" example as a program written against maha's published API only: fit a model on a
 * folder of good images, save it, load it, score a {@link BufferedImage}; then score frames held in memory from
 * several threads at once, as an inspection application fed by a camera would, and check that every thread got
 * the numbers a serial run gives.
 *
 * <p>Usage: {@code LibraryUse <backbone.onnx> <good folder> <test folder> <model file> [level ...]}. Prints one
 * line per scored image and exits with 1 if a check fails.
 */
public final class LibraryUse {
  private static final int THREADS = 4;

  private LibraryUse() {}

  /**
   * Runs the example.
   *
   * @param args backbone ONNX file, folder of good images, folder of images to score, where to save the model,
   *             then optionally the backbone outputs to use as levels
   * @throws Exception when maha refuses an input or the threads are interrupted
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: LibraryUse <backbone.onnx> <good folder> <test folder> <model file> [level ...]");
      System.exit(2);
    }
    List<String> levels = List.of(args).subList(4, args.length);
    List<String> failures = run(Path.of(args[0]), levels, Path.of(args[1]), Path.of(args[2]), Path.of(args[3]),
        System.out);
    failures.forEach(f -> System.err.println("FAILED: " + f));
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /**
   * Fits, saves, loads and scores as the README shows, then scores the test folder's frames from memory on
   * {@value #THREADS} threads.
   *
   * @param onnxFile   the backbone
   * @param levels     backbone outputs to use as levels; empty for the backbone's default
   * @param good       folder of good images to fit on
   * @param testFolder images to score (PNG, JPEG, BMP, ...)
   * @param saved      where the fitted model is saved and loaded back from
   * @param out        where the scores are printed
   * @return the checks that failed (empty when all hold)
   * @throws MahaException        when maha refuses an input
   * @throws IOException          when a test image cannot be read
   * @throws InterruptedException when interrupted while waiting for the threads
   */
  public static List<String> run(Path onnxFile, List<String> levels, Path good, Path testFolder, Path saved,
      PrintStream out) throws MahaException, IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    List<BufferedImage> frames = readFrames(testFolder);
    Path newImage = firstImage(testFolder);
    Detector.Builder builder = Detector.builder().onnx(onnxFile);
    if (!levels.isEmpty()) {
      builder.levels(levels.toArray(String[]::new));
    }
    // --- the README's example (with the README's folder and file names as parameters) ---
    try (Detector detector = builder.build()) {
      FittedModel model = detector.fit(Images.folder(good));
      model.save(saved);                     // later: FittedModel.load(saved)
      BufferedImage frame = ImageIO.read(newImage.toFile()); // or a frame from a camera SDK
      Score score = detector.score(model, Images.of(frame));
      out.println(score.name() + " " + score.score() + " " + score.levelDistances());
      // --- end of the README's example ---

      FittedModel loaded = FittedModel.load(saved);
      Score again = detector.score(loaded, Images.of(frame));
      check(failures, "the loaded model scores " + newImage + " as the fitted one", score, again);

      // Frames from memory on several threads: one Detector and one FittedModel shared by all of them.
      List<Score> serial = detector.scoreAll(loaded, Images.of(frames));
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<Score>> parallel = new ArrayList<>();
        for (int round = 0; round < THREADS; round++) {
          for (BufferedImage f : frames) {
            parallel.add(pool.submit(() -> detector.score(loaded, Images.of(f))));
          }
        }
        for (int i = 0; i < parallel.size(); i++) {
          Score s = get(parallel.get(i), failures);
          if (s != null) {
            check(failures, "frame " + i % frames.size() + " on a thread", serial.get(i % frames.size()), s);
          }
        }
      } finally {
        pool.shutdown();
      }
      for (int i = 0; i < frames.size(); i++) {
        out.println("frame " + i + " " + serial.get(i).score());
      }
    }
    return failures;
  }

  private static Score get(Future<Score> future, List<String> failures) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      failures.add("a thread failed: " + e.getCause());
      return null;
    }
  }

  /** Scores must be equal to the last bit: the model is immutable and the detector thread-safe. */
  private static void check(List<String> failures, String what, Score expected, Score actual) {
    if (Double.doubleToLongBits(expected.score()) != Double.doubleToLongBits(actual.score())
        || !expected.levelDistances().equals(actual.levelDistances())) {
      failures.add(what + ": " + expected.score() + " " + expected.levelDistances() + " != " + actual.score()
          + " " + actual.levelDistances());
    }
  }

  private static List<BufferedImage> readFrames(Path folder) throws IOException {
    List<BufferedImage> frames = new ArrayList<>();
    for (Path file : images(folder)) {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new IOException(file + ": not an image ImageIO reads");
      }
      frames.add(image);
    }
    if (frames.isEmpty()) {
      throw new IOException(folder + ": no images");
    }
    return frames;
  }

  private static Path firstImage(Path folder) throws IOException {
    return images(folder).get(0);
  }

  private static List<Path> images(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }
}
