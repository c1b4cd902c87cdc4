package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad-input case gets exit 2, one line on stderr naming the file and the problem, and no output file.
 */
class BadInputTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Path model;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = dir.resolve("good");
    Files.createDirectories(good);
    Random rnd = new Random(3);
    for (int i = 0; i < 6; i++) {
      writePng(good.resolve("g" + i + ".png"), noise(rnd, 40));
    }
    model = dir.resolve("ok.maha");
    var r = fit(model, good);
    assertThat(r.exitCode()).as(r.all()).isZero();
  }

  static BufferedImage noise(Random rnd, int px) {
    BufferedImage img = new BufferedImage(px, px, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < px; y++) {
      for (int x = 0; x < px; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return img;
  }

  static void writePng(Path p, BufferedImage img) throws IOException {
    ImageIO.write(img, "png", p.toFile());
  }

  static CliHarness.Result fit(Path out, Path... inputs) {
    String[] base = {"fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o", out.toString()};
    String[] args = Arrays.copyOf(base, base.length + inputs.length);
    for (int i = 0; i < inputs.length; i++) {
      args[base.length + i] = inputs[i].toString();
    }
    return CliHarness.run(args);
  }

  /** A folder with the good images plus one bad file. */
  static Path withBadFile(String name, byte[] content) throws IOException {
    Path d = Files.createTempDirectory(dir, "bad");
    try (var s = Files.list(good)) {
      for (Path p : s.toList()) {
        Files.copy(p, d.resolve(p.getFileName()));
      }
    }
    Files.write(d.resolve(name), content);
    return d;
  }

  static void assertBadInput(CliHarness.Result r, Path out, String... fragments) {
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    String err = r.err().strip();
    assertThat(err.lines().count()).as(err).isEqualTo(1);
    assertThat(err).contains(fragments);
    if (out != null) {
      assertThat(out).doesNotExist();
      assertThat(out.getParent()).isDirectoryNotContaining("glob:**.tmp");
    }
  }

  @Test
  void corruptTruncatedEmptyAndNonImageFilesStopTheFit() throws Exception {
    byte[] png = Files.readAllBytes(good.resolve("g0.png"));
    Object[][] cases = {
      {"html.png", "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8), "html.png"},
      {"empty.png", new byte[0], "empty.png"},
      {"trunc.png", Arrays.copyOf(png, png.length / 2), "trunc.png"},
      {"zz.jpg", Arrays.copyOf(jpeg(), 300), "zz.jpg"},
      {"bomb.png", bombPng(100_000, 100_000), "bomb.png"},
    };
    for (Object[] c : cases) {
      Path d = withBadFile((String) c[0], (byte[]) c[1]);
      Path out = d.resolve("m.maha");
      assertBadInput(fit(out, d), out, (String) c[2]);
    }
  }

  @Test
  void skipUnreadableListsTheSkippedFilesAndFits() throws Exception {
    Path d = withBadFile("broken.png", "garbage".getBytes(StandardCharsets.UTF_8));
    Path out = dir.resolve("skip.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--skip-unreadable",
        "-o", out.toString(), d.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("skipped " + d.resolve("broken.png")).contains("skipped 1 unreadable file");
    assertThat(r.out()).contains("fitted mvg on 6 images (1 skipped)");
  }

  @Test
  void missingAndEmptyTrainingFolders() throws Exception {
    Path missing = dir.resolve("nope");
    assertBadInput(fit(dir.resolve("a.maha"), missing), dir.resolve("a.maha"), "nope");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertBadInput(fit(dir.resolve("b.maha"), empty), dir.resolve("b.maha"), "empty", "no images");
  }

  /**
   * A missing calibration folder or image, or an empty argument (Path.of("") is the working folder), stops the
   * command before any image is processed, not after the fit.
   */
  @Test
  void missingCalibrationImagesAndEmptyArgumentsAreFoundBeforeAnyWork() throws Exception {
    Path out = dir.resolve("cal.maha");
    String[] args = {"fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o", out.toString(),
        "--calibrate", dir.resolve("no-such-folder").toString(), good.toString()};
    var r = CliHarness.run(args);
    assertBadInput(r, out, "no-such-folder", "no such file or folder");
    assertThat(r.err()).doesNotContain("warning");
    assertBadInput(fit(out, good, dir.resolve("missing.png")), out, "missing.png", "no such file or folder");
    assertBadInput(fit(out, Path.of("")), out, "''", "empty argument");
  }

  /**
   * An image given twice (a folder and a file in it) is used once, with a warning: counted twice it would weigh
   * twice in the Gaussian. A calibration image that is also a training image would make the split-conformal
   * threshold's false-positive rate a lie: refused before any work.
   */
  @Test
  void repeatedInputsAreUsedOnceAndCalibrationMustBeHeldOut() throws Exception {
    Path out = dir.resolve("twice.maha");
    var r = fit(out, good, good.resolve("g1.png"));
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("on 6 images");
    assertThat(r.err()).contains("warning: 1 input was given more than once and used once");
    Path cal = dir.resolve("cal-overlap.maha");
    var c = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o", cal.toString(),
        "--calibrate", good.resolve("g2.png").toString(), good.toString());
    assertBadInput(c, cal, "--calibrate", "g2.png", "also a training image");
  }

  @Test
  void aSingleTrainingImageIsRefused() throws Exception {
    Path out = dir.resolve("one.maha");
    assertBadInput(fit(out, good.resolve("g0.png")), out, "at least 2");
  }

  @Test
  void constantFeaturesAreRefused() throws Exception {
    Path d = Files.createDirectories(dir.resolve("same"));
    BufferedImage img = noise(new Random(9), 40);
    for (int i = 0; i < 4; i++) {
      writePng(d.resolve("s" + i + ".png"), img);
    }
    Path out = dir.resolve("same.maha");
    assertBadInput(fit(out, d), out, "constant");
  }

  @Test
  void truncatedModelFile() throws Exception {
    byte[] bytes = Files.readAllBytes(model);
    Path cut = dir.resolve("cut.maha");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
    var r = CliHarness.run("score", "-m", cut.toString(), "--onnx", onnx.toString(), "-q", good.toString());
    assertBadInput(r, null, "cut.maha");
  }

  @Test
  void editedModelFile() throws Exception {
    Path edited = dir.resolve("edited.maha");
    rewriteEntry(model, edited, "level_01/mean.npy", b -> b[b.length - 3] ^= 0x55);
    var r = CliHarness.run("score", "-m", edited.toString(), "--onnx", onnx.toString(), "-q", good.toString());
    assertBadInput(r, null, "edited.maha", "level_01/mean.npy", "checksum");

    Path manifest = dir.resolve("manifest-edited.maha");
    rewriteEntry(model, manifest, "manifest.json", b -> {
      String s = new String(b, StandardCharsets.UTF_8).replace("\"formatVersion\" : 2", "\"formatVersion\" : 7");
      System.arraycopy(s.getBytes(StandardCharsets.UTF_8), 0, b, 0, b.length);
    });
    var r2 = CliHarness.run("score", "-m", manifest.toString(), "--onnx", onnx.toString(), "-q", good.toString());
    assertBadInput(r2, null, "manifest-edited.maha", "manifest");
  }

  @Test
  void modelUsedWithAnotherBackbone() throws Exception {
    Path other = CliHarness.tinyCnn(dir, "tiny_cnn_batch1.onnx");
    var r = CliHarness.run("score", "-m", model.toString(), "--onnx", other.toString(), "-q", good.toString());
    assertBadInput(r, null, "ok.maha", "tiny_cnn_batch1.onnx", "sha256");
  }

  @Test
  void badUsageExitsWithTwo() {
    assertThat(CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1", "--variant", "bogus", "-o",
        dir.resolve("x.maha").toString(), good.toString()).exitCode()).isEqualTo(2);
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "nope", "-q", "-o",
        dir.resolve("y.maha").toString(), good.toString());
    assertBadInput(r, dir.resolve("y.maha"), "nope");
    assertThat(CliHarness.run("frobnicate").exitCode()).isEqualTo(2);
  }

  interface Edit {
    void apply(byte[] b);
  }

  static void rewriteEntry(Path src, Path dst, String entry, Edit edit) throws IOException {
    try (ZipFile in = new ZipFile(src.toFile());
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(dst))) {
      for (ZipEntry e : java.util.Collections.list(in.entries())) {
        byte[] b = in.getInputStream(e).readAllBytes();
        if (e.getName().equals(entry)) {
          edit.apply(b);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(b);
        out.closeEntry();
      }
    }
  }

  static byte[] jpeg() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ImageIO.write(noise(new Random(4), 64), "jpg", b);
    return b.toByteArray();
  }

  /** A valid PNG signature and IHDR claiming w x h pixels, followed by nothing useful. */
  static byte[] bombPng(int w, int h) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    byte[] ihdr = new byte[17];
    System.arraycopy("IHDR".getBytes(StandardCharsets.US_ASCII), 0, ihdr, 0, 4);
    putInt(ihdr, 4, w);
    putInt(ihdr, 8, h);
    ihdr[12] = 8;
    ihdr[13] = 2;
    byte[] len = new byte[4];
    putInt(len, 0, 13);
    b.write(len);
    b.write(ihdr);
    CRC32 crc = new CRC32();
    crc.update(ihdr);
    byte[] c = new byte[4];
    putInt(c, 0, (int) crc.getValue());
    b.write(c);
    return b.toByteArray();
  }

  static void putInt(byte[] a, int off, int v) {
    a[off] = (byte) (v >>> 24);
    a[off + 1] = (byte) (v >>> 16);
    a[off + 2] = (byte) (v >>> 8);
    a[off + 3] = (byte) v;
  }
}
