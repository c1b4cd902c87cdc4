package org.maha.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.FittedModel;
import org.maha.cli.MahaCommand;
import picocli.CommandLine;

/**
 * Runs {@link LibraryUse} against real backbones: the tiny ONNX CNN of maha-core's test fixtures (always there,
 * no download), and maha's MobileNetV2 from the shared models folder when it is present (skipped, with the path,
 * when not). The images are drawn here: textured good parts, and parts with a bright scratch. The scores are
 * compared with what {@code maha score} prints for the same files.
 */
class LibraryUseTest {
  @TempDir Path dir;

  @Test
  void readmeExampleOnTheTinyCnn() throws Exception {
    Path onnx = dir.resolve("tiny_cnn.onnx");
    try (InputStream in = LibraryUseTest.class.getResourceAsStream("/org/maha/backbone/tiny_cnn.onnx")) {
      assertTrue(in != null, "maha-core's test-jar has org/maha/backbone/tiny_cnn.onnx");
      Files.copy(in, onnx);
    }
    runExample(onnx, List.of("s1", "s2", "pooled"), 64);
  }

  @Test
  void readmeExampleOnMobileNetV2() throws Exception {
    Path shared = Path.of(System.getenv().getOrDefault("MAHA_SHARED",
        System.getProperty("maha.examples.shared", "../../shared")));
    Path onnx = shared.resolve("models/mobilenet_v2_imagenet_9taps.onnx");
    assumeTrue(Files.isRegularFile(onnx), onnx + " is absent: the example on MobileNetV2 is skipped");
    runExample(onnx, List.of(), 128);
  }

  private void runExample(Path onnx, List<String> levels, int sizePx) throws Exception {
    Path good = Files.createDirectories(dir.resolve("good"));
    Path test = Files.createDirectories(dir.resolve("test"));
    for (int i = 0; i < 12; i++) {
      write(part(sizePx, i, false), good.resolve(String.format("good_%02d.png", i)));
    }
    for (int i = 0; i < 3; i++) {
      write(part(sizePx, 100 + i, false), test.resolve(String.format("a_good_%02d.png", i)));
      write(part(sizePx, 200 + i, true), test.resolve(String.format("b_scratch_%02d.png", i)));
    }
    Path saved = dir.resolve("good.maha");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<String> failures;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      failures = LibraryUse.run(onnx, levels, good, test, saved, out);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertEquals(List.of(), failures);
    assertTrue(text.startsWith("frame-0 "), text);
    List<Double> scores = text.lines().filter(l -> l.startsWith("frame "))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
    assertEquals(6, scores.size(), text);
    // the test folder lists the three good parts first, then the three scratched ones
    double worstGood = scores.subList(0, 3).stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double bestScratch = scores.subList(3, 6).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    assertTrue(bestScratch > worstGood, "every scratched part scores above every good one: " + scores);

    // `maha score` on the same files gives the same numbers, to the last bit, as the frames scored from memory
    List<Double> cli = mahaScore(saved, onnx, test);
    assertEquals(scores, cli, "maha score -m good.maha --format csv test/");
    FittedModel model = FittedModel.load(saved);
    assertEquals(12, model.trainingImages());
    if (!levels.isEmpty()) {
      assertEquals(levels, model.levels());
    }
  }

  /** The scores column of {@code maha score --format csv}, in the file order (sorted names) it lists them. */
  private static List<Double> mahaScore(Path model, Path onnx, Path folder) {
    CommandLine cli = MahaCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("score", "-m", model.toString(), "--onnx", onnx.toString(), "--format", "csv", "-q",
        folder.toString());
    assertEquals(0, code, err.toString());
    return out.toString().lines().skip(1).map(l -> Double.parseDouble(l.split(",")[1])).toList();
  }

  /** A wood-like texture of random stripes; a scratch is a bright diagonal line across it. */
  private static BufferedImage part(int size, long seed, boolean scratch) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(120, 90, 60));
    g.fillRect(0, 0, size, size);
    for (int y = 0; y < size; y += 2) {
      int shade = 90 + random.nextInt(40);
      g.setColor(new Color(shade + 30, shade, shade - 30));
      g.fillRect(0, y, size, 1 + random.nextInt(2));
    }
    if (scratch) {
      g.setColor(Color.WHITE);
      g.setStroke(new java.awt.BasicStroke(size / 16f));
      g.drawLine(size / 8, size / 8, size - size / 8, size - size / 8);
    }
    g.dispose();
    return image;
  }

  private static void write(BufferedImage image, Path file) throws IOException {
    assertTrue(ImageIO.write(image, "png", file.toFile()), "PNG writer");
  }
}
