package org.maha.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;
import org.maha.data.ImageFolder;
import org.maha.data.SyntheticInspectionSet;
import org.maha.testing.SharedData;

/**
 * The README's "Library use" code, kept compiling and working (as EJML does with its examples), and kept equal to
 * the README's text: {@link #snippetIsTheReadmes()} compares the two, line by line, after replacing the README's
 * file names with this test's variables ({@link #PATHS}).
 */
class ReadmeExampleTest {
  private static final Path SOURCE = Path.of("src/test/java/org/maha/examples/ReadmeExampleTest.java");
  private static final Path README = Path.of("../README.md");
  private static final String BEGIN = "// --- README snippet";
  private static final String END = "// --- end of snippet";

  /** The README's file names and what this test uses instead. */
  private static final Map<String, String> PATHS = new LinkedHashMap<>();

  static {
    PATHS.put("Path.of(\"mobilenet_v2_imagenet_9taps.onnx\")", "onnxFile");
    PATHS.put("Path.of(\"good\")", "good");
    PATHS.put("Path.of(\"good.maha\")", "saved");
    PATHS.put("new File(\"new.png\")", "newImage.toFile()");
    PATHS.put("System.out", "out");
  }

  @TempDir Path dir;

  @Test
  void libraryUseSnippetFitsSavesAndScores() throws Exception {
    Path onnxFile = SharedData.require("models/mobilenet_v2_imagenet_9taps.onnx");
    SyntheticInspectionSet.write(dir.resolve("data"), new SyntheticInspectionSet.Spec(
        SyntheticInspectionSet.Spec.demo().categories().subList(0, 1), 64, 6, 2, 1, 3L));
    String category = SyntheticInspectionSet.Spec.demo().categories().get(0);
    Path good = dir.resolve("data").resolve(category).resolve("train/good");
    Path newImage = ImageFolder.list(dir.resolve("data").resolve(category).resolve("test/good")).get(0);
    Path saved = dir.resolve("good.maha");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    // --- README snippet (file names replaced as PATHS says) ---
    try (Detector detector = Detector.builder()
        .onnx(onnxFile)   // or .named("resnet18"), built from official weights
        .build()) {
      FittedModel model = detector.fit(Images.folder(good));
      model.save(saved);                     // later: FittedModel.load(saved)
      BufferedImage frame = ImageIO.read(newImage.toFile()); // or a frame from a camera SDK
      Score score = detector.score(model, Images.of(frame));
      out.println(score.name() + " " + score.score() + " " + score.levelDistances());
    }
    // --- end of snippet ---
    assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("frame-0 ").contains("L0=").contains("L8=");
    assertThat(FittedModel.load(saved).levels()).hasSize(9);
  }

  @Test
  void snippetIsTheReadmes() throws Exception {
    List<String> readme = readmeSnippet();
    assertThat(readme).as("README Library use code block").isNotEmpty();
    List<String> expected = new ArrayList<>();
    for (String line : readme) {
      for (Map.Entry<String, String> e : PATHS.entrySet()) {
        line = line.replace(e.getKey(), e.getValue());
      }
      expected.add(line.strip());
    }
    assertThat(testSnippet()).isEqualTo(expected);
  }

  private static List<String> readmeSnippet() throws Exception {
    List<String> lines = Files.readAllLines(README);
    int section = lines.indexOf("## Library use");
    assertThat(section).as("README has a Library use section").isNotNegative();
    int open = section;
    while (!lines.get(open).equals("```java")) {
      open++;
    }
    int close = open + 1;
    while (!lines.get(close).equals("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }

  private static List<String> testSnippet() throws Exception {
    List<String> lines = Files.readAllLines(SOURCE);
    int begin = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().startsWith(BEGIN) && begin < 0) {
        begin = i;
      } else if (lines.get(i).strip().startsWith(END) && begin >= 0 && end < 0) {
        end = i;
      }
    }
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(begin + 1, end)) {
      out.add(line.strip());
    }
    return out;
  }
}
