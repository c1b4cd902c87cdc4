package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.files.Csv;
import org.maha.model.ModelFile;

/**
 * {@code -o} never destroys a file the user did not ask to create: not an input (model, image, weights), not a
 * device or FIFO (nor a link to one), not a non-.maha name for a model without --force; and an embed folder holds
 * only the latest run's files. Every refusal comes before any work, with exit 2 and one line, leaving every file as
 * it was.
 */
class OutputPathsTest {
  static final String LEVELS = "s1,s2,pooled";
  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 5, 6, 40);
    model = dir.resolve("m.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", model.toString(),
        good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
  }

  private static CliProcess.Result maha(String... args) throws Exception {
    return CliProcess.run(60, dir.resolve("home"), args);
  }

  /**
   * A report inside the data it was made from would be read back: `evaluate ROOT -o ROOT/cat/test` would turn its
   * figures folder into a defect class of the next run. Output folders stay outside every input folder.
   */
  @Test
  void reportsAndFeaturesAreNotWrittenInsideTheirInputFolders() throws Exception {
    Path root = dir.resolve("mvtec");
    CliHarness.noisePngs(root.resolve("cat/train/good"), "t", 21, 4, 40);
    CliHarness.noisePngs(root.resolve("cat/test/good"), "g", 22, 2, 40);
    CliHarness.noisePngs(root.resolve("cat/test/bad"), "b", 23, 2, 40);
    var before = CliProcess.snapshot(dir);
    for (Path out : List.of(root.resolve("cat/test"), root.resolve("report"))) {
      var r = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", out.toString(),
          root.toString());
      assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
      assertThat(r.err().strip()).as(r.all()).contains("-o " + out, "inside the input folder " + root)
          .doesNotContain("\n");
    }
    Path feats = good.resolve("feats");
    var e = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", feats.toString(),
        good.toString());
    assertThat(e.exitCode()).as(e.all()).isEqualTo(2);
    assertThat(e.err().strip()).contains("inside the input folder " + good);
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
    var outside = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o",
        dir.resolve("mvtec-report").toString(), root.toString());
    assertThat(outside.exitCode()).as(outside.all()).isZero();
  }

  @Test
  void scoreRefusesToWriteItsTableOverTheModelItReads() throws Exception {
    var before = CliProcess.snapshot(dir);
    var r = maha("score", "--onnx", onnx.toString(), "-m", model.toString(), "-o", model.toString(),
        good.toString());
    CliProcess.assertCleanRefusal(r, "-o", model.toString(), "input");
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
  }

  @Test
  void scoreRefusesAnOutputThatIsAnImageItScoresThroughALink() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("link-to-g1.csv"), good.resolve("g1.png"));
    try {
      var before = CliProcess.snapshot(dir);
      var r = maha("score", "--onnx", onnx.toString(), "-m", model.toString(), "--format", "csv", "-o",
          link.toString(), good.toString());
      CliProcess.assertCleanRefusal(r, link.toString(), "input");
      assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
      assertThat(Files.isSymbolicLink(link)).isTrue();
    } finally {
      Files.delete(link);
    }
  }

  @Test
  void fitWithTheModelNameForgottenDoesNotOverwriteTheFirstImage() throws Exception {
    // what `fit -o good/*.png` does when the model name is forgotten
    var before = CliProcess.snapshot(dir);
    Path first = good.resolve("g0.png");
    var r = maha("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-o", first.toString(), good.toString());
    CliProcess.assertCleanRefusal(r, first.toString(), "input");
    var forced = maha("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "--force", "-o", first.toString(),
        good.toString());
    CliProcess.assertCleanRefusal(forced, first.toString(), "input");
    Path notAModelName = dir.resolve("model.bin");
    var named = maha("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-o", notAModelName.toString(),
        good.toString());
    CliProcess.assertCleanRefusal(named, notAModelName.toString(), ".maha", "--force");
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
  }

  @Test
  void fitRefusesAFifoAndALinkToADeviceBeforeAnyWrite() throws Exception {
    // a temp-dir FIFO and a link to /dev/null stand for device nodes: the check must refuse before any write (as
    // root a rename would replace the node itself), and the test never writes to /dev/null even if it did not
    Path fifo = dir.resolve("fifo.maha");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    Path devNull = dir.resolve("null.maha");
    Files.createSymbolicLink(devNull, Path.of("/dev/null"));
    try {
      for (Path out : List.of(fifo, devNull)) {
        var r = maha("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-o", out.toString(), good.toString());
        CliProcess.assertCleanRefusal(r, out.toString(), "not a regular file");
      }
      assertThat(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS)).isFalse();
      assertThat(Files.isSymbolicLink(devNull)).isTrue();
    } finally {
      Files.delete(fifo);
      Files.delete(devNull);
    }
  }

  @Test
  void onlyFitWritesMahaNamesAndWithForceAnyName() throws Exception {
    Path other = dir.resolve("other.maha");
    Files.copy(model, other);
    try {
      var before = CliProcess.snapshot(dir);
      var r = CliHarness.run("score", "--onnx", onnx.toString(), "-m", model.toString(), "-o", other.toString(),
          good.toString());
      assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
      assertThat(r.err().strip()).contains(other.toString(), ".maha").doesNotContain("\n");
      assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
    } finally {
      Files.delete(other);
    }
    Path bin = dir.resolve("forced.bin");
    var f = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--force", "-o",
        bin.toString(), good.toString());
    assertThat(f.exitCode()).as(f.all()).isZero();
    assertThat(ModelFile.read(bin).levels()).hasSize(3);
    Files.delete(bin);
  }

  @Test
  void foldersAreNotFilesAndAnEmbedFolderIsNotAnInputFolder() throws Exception {
    var before = CliProcess.snapshot(dir);
    var r = maha("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-o", good.toString(), good.toString());
    CliProcess.assertCleanRefusal(r, good.toString(), "input folder");
    var f = maha("evaluate", "--onnx", onnx.toString(), "-o", model.toString(), dir.toString());
    CliProcess.assertCleanRefusal(f, model.toString(), "not a folder");
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
  }

  @Test
  void aSecondEmbedIntoTheSameFolderLeavesOnlyItsOwnLevelFiles() throws Exception {
    Path out = dir.resolve("emb-twice");
    var first = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", out.toString(),
        good.toString());
    assertThat(first.exitCode()).as(first.all()).isZero();
    assertThat(out.resolve("s2.npy")).exists();
    Path mine = Files.writeString(out.resolve("notes.npy"), "not maha's");
    var second = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", "s1", "-q", "-o", out.toString(),
        good.toString());
    assertThat(second.exitCode()).as(second.all()).isZero();
    try (var s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("s1.npy", "index.csv", "index.txt", "embed.json", "notes.npy");
    }
    assertThat(Files.readString(mine)).isEqualTo("not maha's");
  }

  @Test
  void fileNamesWithNewlineCommaAndQuoteKeepTheirRowInEveryIndexAndTable() throws Exception {
    Path odd = Files.createDirectories(dir.resolve("odd"));
    String name = "a,b\n\"c\".png";
    Files.copy(good.resolve("g0.png"), odd.resolve(name));
    Files.copy(good.resolve("g1.png"), odd.resolve("plain.png"));
    Path out = dir.resolve("emb-odd");
    var e = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", out.toString(),
        odd.toString());
    assertThat(e.exitCode()).as(e.all()).isZero();
    List<List<String>> index = Csv.parse(Files.readString(out.resolve("index.csv"), StandardCharsets.UTF_8));
    assertThat(index).containsExactly(List.of("row", "image"), List.of("0", odd.resolve(name).toString()),
        List.of("1", odd.resolve("plain.png").toString()));
    // one name per line cannot hold this name: index.txt is left out rather than written misaligned
    assertThat(out.resolve("index.txt")).doesNotExist();

    Path table = dir.resolve("odd-scores.csv");
    var s = CliHarness.run("score", "--onnx", onnx.toString(), "-m", model.toString(), "-q", "--format", "csv",
        "--sigma", "3", "-o", table.toString(), odd.toString());
    assertThat(s.exitCode()).as(s.all()).isZero();
    List<List<String>> rows = Csv.parse(Files.readString(table, StandardCharsets.UTF_8));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).startsWith("image", "score");
    List<String> images = new ArrayList<>();
    rows.subList(1, 3).forEach(r -> images.add(r.get(0)));
    assertThat(images).containsExactly(odd.resolve(name).toString(), odd.resolve("plain.png").toString());
    assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(rows.get(0).size()));
  }

}
