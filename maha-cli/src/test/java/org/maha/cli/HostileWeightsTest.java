package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hostile weight-file corpus ({@code hostile-weights/}, written by {@code scripts/make_hostile_weights.py}),
 * one file per class of attack, given to {@code --weights} as a user would: each must be refused in a child JVM
 * under {@link CliProcess#HEAP} within seconds, with exit 2 and one line naming the file and the problem, and
 * without touching any file.
 */
class HostileWeightsTest {
  private static final int SECONDS = 30;
  @TempDir static Path dir;
  private static Path images;

  @BeforeAll
  static void oneImage() throws IOException {
    images = Files.createDirectories(dir.resolve("images"));
    javax.imageio.ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png",
        images.resolve("a.png").toFile());
  }

  /** The corpus file copied into a fresh folder, so the run's snapshot covers it. */
  private static Path corpus(Path work, String name) throws IOException {
    try (InputStream in = HostileWeightsTest.class.getResourceAsStream("hostile-weights/" + name)) {
      assertThat(in).as("corpus file " + name + " (run scripts/make_hostile_weights.py)").isNotNull();
      Path p = work.resolve(name);
      Files.copy(in, p);
      return p;
    }
  }

  /**
   * Runs {@code command} (fit, embed or classify) with {@code --backbone backbone --weights weights} on one image
   * and checks the clean refusal and that no file changed.
   */
  private static CliProcess.Result refuse(Path work, String command, String backbone, Path weights,
      String... fragments) throws Exception {
    Map<String, String> before = CliProcess.snapshot(work);
    List<String> args = new ArrayList<>(List.of(command, "--backbone", backbone, "--weights", weights.toString(),
        "--backbone-cache", work.resolve("cache").toString()));
    if (command.equals("fit")) {
      args.addAll(List.of("--input-size", "32", "-o", work.resolve("m.maha").toString()));
    } else if (command.equals("embed")) {
      args.addAll(List.of("--input-size", "32", "-o", work.resolve("embedded").toString()));
    }
    args.add(images.toString());
    CliProcess.Result r = CliProcess.run(SECONDS, work, args.toArray(String[]::new));
    CliProcess.assertCleanRefusal(r, fragments);
    assertThat(r.millis()).as(r.all()).isLessThan(15_000);
    Map<String, String> after = CliProcess.snapshot(work);
    after.keySet().removeIf(k -> k.startsWith("cache"));
    before.keySet().removeIf(k -> k.startsWith("cache"));
    assertThat(after).isEqualTo(before);
    return r;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      dag_key.pth                | fit      | resnet18     | pickle tuple of more than 4096 items
      dag_pid.pth                | embed    | resnet18     | pickle tuple of more than 4096 items
      memo_bomb.pth              | fit      | resnet18     | pickle memo has more than 1048576 entries
      stride_2e62.pth            | embed    | resnet18     | addresses elements beyond 2^63
      size_2e31x2e40.pth         | fit      | resnet18     | has too many elements
      view_offset_2e31.pth       | embed    | resnet18     | lies outside its storage of 4 elements
      resnet_view_2e62.pth       | fit      | resnet18     | storage view of '0' at offset 4611686018427387904
      alias.safetensors          | fit      | resnet18     | share data bytes
      st_huge_header.safetensors | embed    | resnet18     | not a PyTorch checkpoint (zip or legacy) or safetensors file
      st_overflow.safetensors    | fit      | resnet18     | is too large
      tfl_root_oob.tflite        | fit      | mobilenet_v2 | corrupt or truncated flatbuffer
      tfl_vtable_oob.tflite      | embed    | mobilenet_v2 | corrupt or truncated flatbuffer
      tfl_huge_vector.tflite     | fit      | mobilenet_v2 | corrupt or truncated flatbuffer
      tfl_reuse.tflite           | embed    | mobilenet_v2 | refer to the same data over and over
      tfl_buffer_wrap.tflite     | fit      | mobilenet_v2 | lies outside the
      tfl_cycle.tflite           | classify | mobilenet_v2 | is part of a cycle
      """)
  void hostileWeightFileIsRefusedQuicklyInBoundedMemory(String file, String command, String backbone,
      String problem, @TempDir Path work) throws Exception {
    Path weights = corpus(work, file);
    refuse(work, command, backbone, weights, weights.toString(), problem);
  }

  @Test
  void zipCheckpointWhosePickleInflatesToGigabytesIsRefusedBeforeInflating(@TempDir Path work) throws Exception {
    // 64 MiB of zeros deflate to about 64 KB: made here rather than committed; refused from the declared size
    Path bomb = work.resolve("zip_bomb.pth");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
      z.putNextEntry(new ZipEntry("zip_bomb/data.pkl"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    assertThat(Files.size(bomb)).isLessThan(1 << 20);
    refuse(work, "fit", "resnet18", bomb, bomb.toString(), "inflates to 67108864 bytes");
  }

  @Test
  void aWeightFileFarLargerThanTheNetworkIsRefusedBeforeItIsHashed(@TempDir Path work) throws Exception {
    // outside the snapshot, which would read it whole
    Path huge = Files.createTempDirectory(dir, "huge").resolve("huge.pth");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(1L << 40); // sparse: a terabyte that would take an hour to hash
    }
    refuse(work, "fit", "resnet18", huge, huge.toString(), "1099511627776 bytes, more than a resnet18 weight file "
        + "can need");
    assertThat(Files.size(huge)).isEqualTo(1L << 40);
    Files.delete(huge);
  }

  @Test
  void aFolderGivenAsWeightsIsCalledAFolder(@TempDir Path work) throws Exception {
    Path folder = Files.createDirectories(work.resolve("weights.pth"));
    refuse(work, "embed", "resnet18", folder, folder.toString(), "is a folder, not a weight file");
  }

  @Test
  void aFifoGivenAsWeightsIsRefusedWithoutOpeningIt(@TempDir Path work) throws Exception {
    Path fifo = work.resolve("weights.pth");
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException noMkfifo) {
      assumeTrue(false, "mkfifo not available");
      return;
    }
    assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
    refuse(work, "fit", "resnet18", fifo, fifo.toString(), "is not a regular file");
    refuse(work, "classify", "mobilenet_v2", fifo, fifo.toString(), "is not a regular file");
  }
}
