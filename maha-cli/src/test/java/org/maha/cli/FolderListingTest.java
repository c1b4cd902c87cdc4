package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders given as inputs say what they skipped and why; {@code --recursive} enters subfolders. */
class FolderListingTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path data;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    data = Files.createDirectories(dir.resolve("data"));
    Random rnd = new Random(7);
    for (int i = 0; i < 4; i++) {
      BadInputTest.writePng(data.resolve("g" + i + ".png"), BadInputTest.noise(rnd, 40));
    }
    Files.createDirectories(data.resolve("more"));
    for (int i = 0; i < 2; i++) {
      BadInputTest.writePng(data.resolve("more").resolve("m" + i + ".png"), BadInputTest.noise(rnd, 40));
    }
    Files.write(data.resolve("anim.gif"), new byte[] {1});
    Files.write(data.resolve("photo.webp"), new byte[] {1});
    Files.write(data.resolve("LICENSE"), new byte[] {1});
    Files.write(data.resolve(".DS_Store"), new byte[] {1});
  }

  static CliHarness.Result fit(String name, String... more) {
    String[] base = {"fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        dir.resolve(name).toString()};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliHarness.run(args);
  }

  @Test
  void aFolderSaysOnOneLineHowManyEntriesItSkippedAndWhy() {
    var r = fit("a.maha", data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("on 4 images");
    // the fit's own warnings (few images against D) aside, one line for the folder
    assertThat(r.err().strip().lines().filter(l -> !l.startsWith("warning: "))).as(r.all()).singleElement().asString()
        .startsWith(data + ": skipped 5 entries")
        .contains("1 without extension", "1 .gif", "1 .webp", "1 hidden", "1 subfolder (more)", "--recursive");
  }

  @Test
  void recursiveTakesTheSubfoldersImages() {
    var r = fit("b.maha", "--recursive", data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("on 6 images");
    assertThat(r.err()).contains("skipped 4 entries").doesNotContain("subfolder");
  }

  @Test
  void aFolderOfSubfoldersIsRefusedNamingThemAndTheWayOut() throws Exception {
    Path parent = Files.createDirectories(dir.resolve("parent"));
    Files.createDirectories(parent.resolve("good"));
    Files.createDirectories(parent.resolve("bad"));
    var r = fit("c.maha", parent.toString());
    BadInputTest.assertBadInput(r, dir.resolve("c.maha"), parent.toString(), "no images", "2 subfolders (bad, good)",
        parent.resolve("bad").toString(), "--recursive");
  }
}
