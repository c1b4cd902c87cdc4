package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.image.PngBytes;

/**
 * The hostile image corpus ({@link HostileFiles}), one test per class of attack, each run as a user would run maha
 * ({@link CliProcess}: a child JVM under -Xmx512m with a time limit): exit 2 and one line naming the file, in
 * bounded time and heap, nothing touched in the input folder and no model written.
 */
class HostileImageTest {
  static final int SECONDS = 90;

  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Path outs;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 5, 6, 40);
    outs = Files.createDirectories(dir.resolve("outs"));
  }

  /** {@code maha fit} of the good images plus {@code extra}, into a fresh output path; checks nothing was touched. */
  static CliProcess.Result fit(Path out, List<String> options, Path... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q",
        "-o", out.toString()));
    args.addAll(options);
    args.add(good.toString());
    for (Path p : extra) {
      args.add(p.toString());
    }
    Map<String, String> before = CliProcess.snapshot(good);
    CliProcess.Result r = CliProcess.run(SECONDS, dir, args.toArray(String[]::new));
    assertThat(CliProcess.snapshot(good)).as(r.all()).isEqualTo(before);
    return r;
  }

  /** Each file in its own fit: refused cleanly, naming it, with every fragment, and no model written. */
  static void assertRefused(String name, byte[] content, String... fragments) throws Exception {
    Path bad = Files.createDirectories(dir.resolve("bad")).resolve(name);
    Files.write(bad, content);
    byte[] before = Files.readAllBytes(bad);
    Path out = outs.resolve(name + ".maha");
    CliProcess.Result r = fit(out, List.of(), bad);
    List<String> all = new ArrayList<>(Arrays.asList(fragments));
    all.add(bad.toString());
    CliProcess.assertCleanRefusal(r, all.toArray(String[]::new));
    assertThat(out).doesNotExist();
    assertThat(Files.readAllBytes(bad)).isEqualTo(before);
  }

  static void assertAccepted(String name, byte[] content) throws Exception {
    Path ok = Files.createDirectories(dir.resolve("ok")).resolve(name);
    Files.write(ok, content);
    Path out = outs.resolve(name + ".maha");
    CliProcess.Result r = fit(out, List.of(), ok);
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).as(r.all()).contains("on 7 images");
    assertThat(out).exists();
  }

  @Test
  void headersClaimingTooManyPixelsAreRefusedBeforeDecodingInEveryFormat() throws Exception {
    assertRefused("bomb.png", BadInputTest.bombPng(100_000, 100_000), "over the limit");
    assertRefused("bomb.jpg", HostileFiles.jpegClaiming(BadInputTest.jpeg(), 65_000, 65_000), "over the limit");
    // the JDK's BMP reader itself refuses a header whose rows cannot exist: refused before decoding either way
    assertRefused("bomb.bmp", HostileFiles.bmpHeader(20_000, 20_000), "BMP");
    byte[] tiff = HostileFiles.tiff(1, 0);
    tiff[10 + 8] = tiff[10 + 9] = (byte) 0xFF; // ImageWidth 65535
    tiff[22 + 8] = tiff[22 + 9] = (byte) 0xFF; // ImageLength 65535
    assertRefused("bomb.tif", tiff, "over the limit");
  }

  @Test
  void headersClaimingMorePixelsThanTheFileCanHoldAreRefusedAsCorrupt() throws Exception {
    // within --max-pixels, but 300 MB of pixels from 1 KB of deflate (deflate's best is ~1000:1)
    assertRefused("idat-bomb.png", HostileFiles.idatBombPng(10_000, 10_000), "decompression bomb");
    assertRefused("short.bmp", HostileFiles.bmpHeader(9_000, 9_000), "truncated or corrupt BMP");
  }

  @Test
  void aJpegWithThousandsOfScansIsRefusedBeforeDecoding() throws Exception {
    // 4 MP progressive: each repeated scan is ~60 bytes but one more pass over 62500 blocks per component
    byte[] jpeg = HostileFiles.progressiveJpeg(new java.awt.image.BufferedImage(2000, 2000,
        java.awt.image.BufferedImage.TYPE_3BYTE_BGR));
    assertRefused("scans.jpg", HostileFiles.withRepeatedLastScan(jpeg, 20_000), "more than 256 scans");
  }

  @Test
  void hugeStripCountsInATiffAreRefusedUnallocated() throws Exception {
    assertRefused("strips.tif", HostileFiles.tiff(1 << 28, 0), "truncated or corrupt TIFF");
  }

  @Test
  void aTiffWhoseIfdChainLoopsIsReadFromItsFirstPageWithoutLooping() throws Exception {
    assertAccepted("cycle.tif", HostileFiles.tiff(1, 8));
  }

  @Test
  void ancillaryPngChunksThatInflateToGigabytesAreNotInflated() throws Exception {
    // each expands to 1 GiB (twice the child's heap): the JDK reader would inflate them whole
    assertAccepted("ztxt.png", HostileFiles.ancillaryBombPng("zTXt", 1L << 30));
    assertAccepted("iccp.png", HostileFiles.ancillaryBombPng("iCCP", 1L << 30));
  }

  @Test
  void zeroAndNegativeDimensionsAreRefused() throws Exception {
    assertRefused("zero.png", HostileFiles.concat(PngBytes.SIGNATURE, HostileFiles.ihdr(0, 0, 8, 2),
        PngBytes.chunk("IEND", new byte[0])), "zero.png");
    assertRefused("negative.bmp", HostileFiles.bmpHeader(-4, 4), "negative.bmp");
  }

  @Test
  void truncatedFilesOfEveryFormatAreRefused() throws Exception {
    var img = BadInputTest.noise(new Random(8), 32);
    for (String format : List.of("png", "jpg", "bmp", "tif")) {
      byte[] b = HostileFiles.write(img, format.equals("tif") ? "tiff" : format);
      assertRefused("cut." + format, Arrays.copyOf(b, b.length / 2), "cut." + format);
    }
  }

  @Test
  void theExtensionDoesNotDecideTheFormat() throws Exception {
    assertRefused("page.png", "<html>not an image</html>".getBytes(), "not a PNG, JPEG, BMP or TIFF");
    assertAccepted("photo.png", BadInputTest.jpeg());
  }

  @Test
  void pipesDevicesSocketsAndFoldersAreRefusedWithoutBeingOpened() throws Exception {
    Path fifo = dir.resolve("x.png");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor() == 0, "mkfifo not available");
    CliProcess.Result r = fit(outs.resolve("fifo.maha"), List.of(), fifo);
    CliProcess.assertCleanRefusal(r, fifo.toString(), "not a regular file");
    assertThat(r.millis()).as(r.all()).isLessThan(SECONDS * 1000L);

    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    CliProcess.assertCleanRefusal(fit(outs.resolve("zero.maha"), List.of(), zero), "/dev/zero", "not a regular file");

    Path socket = dir.resolve("s.png");
    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.bind(UnixDomainSocketAddress.of(socket));
      CliProcess.assertCleanRefusal(fit(outs.resolve("socket.maha"), List.of(), socket), "s.png", "not a regular");
    }
    assertThat(outs.resolve("fifo.maha")).doesNotExist();
  }

  @Test
  void aValidImageTooLargeForTheHeapStopsTheRunEvenWithSkipUnreadable() throws Exception {
    Path big = dir.resolve("large").resolve("scan.png");
    Files.createDirectories(big.getParent());
    Files.write(big, HostileFiles.blackPng(9_000, 9_000)); // 243 MB of RGB from 240 KB: fine for a large heap
    for (List<String> options : List.of(List.<String>of(), List.of("--skip-unreadable"))) {
      Path out = outs.resolve("large" + options.size() + ".maha");
      CliProcess.Result r = fit(out, options, big);
      CliProcess.assertCleanRefusal(r, big.toString(), "memory", "MAHA_JAVA_OPTS", "--max-pixels");
      assertThat(r.err()).as(r.all()).doesNotContain("skipped", "corrupt");
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void skipUnreadableSkipsTheBadImagesAndKeepsTheGoodOnes() throws Exception {
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    try (var s = Files.list(good)) {
      for (Path p : s.toList()) {
        Files.copy(p, mixed.resolve(p.getFileName()));
      }
    }
    Files.write(mixed.resolve("bomb.png"), HostileFiles.idatBombPng(10_000, 10_000));
    Files.write(mixed.resolve("strips.tif"), HostileFiles.tiff(1 << 28, 0));
    Path out = outs.resolve("mixed.maha");
    Map<String, String> before = CliProcess.snapshot(mixed);
    CliProcess.Result r = CliProcess.run(SECONDS, dir, "fit", "--onnx", onnx.toString(), "--levels",
        "s1,s2,pooled", "-q", "--skip-unreadable", "-o", out.toString(), mixed.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).as(r.all()).contains("skipped " + mixed.resolve("bomb.png"))
        .contains("skipped " + mixed.resolve("strips.tif")).contains("skipped 2 unreadable file")
        .doesNotContain("g0.png");
    assertThat(r.out()).as(r.all()).contains("on 6 images (2 skipped)");
    assertThat(CliProcess.snapshot(mixed)).isEqualTo(before);
  }

  @Test
  void optionsBoundingTheFileSizeAreValidated() throws Exception {
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "--max-file-bytes",
        "0", "-o", outs.resolve("mfb.maha").toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("--max-file-bytes");
    CliProcess.Result small = fit(outs.resolve("mfb2.maha"), List.of("--max-file-bytes", "100"));
    CliProcess.assertCleanRefusal(small, "g0.png", "over the limit of 100 bytes");
  }

}
