package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.files.Sha256;

/**
 * Hostile {@code .maha} model files and {@code --onnx} files, one test per class of attack, run through
 * {@link CliProcess} (child JVM, -Xmx512m, time limit): exit 2, one line naming the file, nothing touched.
 */
class HostileModelTest {
  static final int SECONDS = 90;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Map<String, byte[]> modelEntries;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 6, 6, 40);
    Path model = dir.resolve("ok.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        model.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    modelEntries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(model.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        modelEntries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
  }

  /** {@code score} with the model file {@code name} holding {@code content}: refused cleanly, nothing touched. */
  static void assertModelRefused(String name, byte[] content, String... fragments) throws Exception {
    Path file = Files.createDirectories(dir.resolve("models")).resolve(name);
    Files.write(file, content);
    assertRefused(file, new String[] {"score", "-m", file.toString(), "--onnx", onnx.toString(), "-q",
        good.toString()}, fragments);
  }

  static void assertRefused(Path file, String[] args, String... fragments) throws Exception {
    Map<String, String> before = CliProcess.snapshot(dir);
    CliProcess.Result r = CliProcess.run(SECONDS, dir, args);
    List<String> all = new ArrayList<>(Arrays.asList(fragments));
    all.add(file.toString());
    CliProcess.assertCleanRefusal(r, all.toArray(String[]::new));
    assertThat(r.out()).as(r.all()).isEmpty();
    assertThat(CliProcess.snapshot(dir)).as(r.all()).isEqualTo(before);
  }

  /** The valid model's entries with {@code replaced} swapped in, the manifest's checksums updated to match. */
  static Object[] modelWith(String entry, byte[] replacement, ManifestEdit edit) throws Exception {
    Map<String, byte[]> e = new LinkedHashMap<>(modelEntries);
    e.put(entry, replacement);
    ObjectNode m = (ObjectNode) JSON.readTree(e.get("manifest.json"));
    ObjectNode sums = (ObjectNode) m.get("entries");
    sums.put(entry, Sha256.of(replacement));
    edit.apply(m);
    byte[] manifest = JSON.writeValueAsBytes(m);
    e.put("manifest.json", manifest);
    e.put("manifest.json.sha256", (Sha256.of(manifest) + "\n").getBytes(StandardCharsets.US_ASCII));
    List<Object> flat = new ArrayList<>();
    e.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    return flat.toArray();
  }

  interface ManifestEdit {
    void apply(ObjectNode manifest);
  }

  /** An .npy header (format 1.0) with any shape text, followed by {@code data}. */
  static byte[] npy(String shape, byte[] data) {
    String h = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + h.length() + 1) % 64;
    h = h + " ".repeat(pad % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    b.put(h.getBytes(StandardCharsets.US_ASCII)).put(data);
    return b.array();
  }

  @Test
  void int8RecordsThatAreMalformedOrDoNotRebuildAreRefusedInOneLine() throws Exception {
    ManifestEdit int8 = m -> {
      m.put("formatVersion", 3);
      ObjectNode q = ((ObjectNode) m.get("backbone")).putObject("int8");
      q.put("graphSha256", "a".repeat(64));
      q.put("calibrationImages", 4);
      q.put("elementwise", true);
      q.putArray("ranges").addObject().put("name", "x").put("min", 0.0).put("max", 1.0);
    };
    String entry = "level_00/mean.npy";
    byte[] same = modelEntries.get(entry);
    assertModelRefused("int8-range.maha", HostileFiles.zip(modelWith(entry, same, m -> {
      int8.apply(m);
      ((ObjectNode) m.at("/backbone/int8/ranges/0")).put("min", 2.0);
    })), "backbone.int8", "expected finite min <= max");
    assertModelRefused("int8-v2.maha", HostileFiles.zip(modelWith(entry, same, m -> {
      int8.apply(m);
      m.put("formatVersion", 2);
    })), "int8 needs version 3");
    // well formed, but not made from this ONNX file: refused when the graph is rebuilt, before any image is read
    assertModelRefused("int8-foreign.maha", HostileFiles.zip(modelWith(entry, same, int8)),
        "not the file it was made from");
  }

  @Test
  void emptyRandomAndTruncatedModelFiles() throws Exception {
    assertModelRefused("empty.maha", new byte[0], "not a maha model");
    byte[] random = new byte[4096];
    new Random(1).nextBytes(random);
    assertModelRefused("random.maha", random, "not a maha model");
    byte[] whole = HostileFiles.zip(modelWith("level_00/mean.npy", modelEntries.get("level_00/mean.npy"), m -> { }));
    assertModelRefused("cut.maha", Arrays.copyOf(whole, whole.length / 2), "cut.maha");
  }

  @Test
  void zipsWithTooManyEntriesAreRefusedBeforeReadingThem() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var z = new java.util.zip.ZipOutputStream(out)) {
      for (int i = 0; i < 20_000; i++) {
        z.putNextEntry(new ZipEntry("e" + i));
        z.closeEntry();
      }
    }
    assertModelRefused("entries.maha", out.toByteArray(), "20000 zip entries");
  }

  @Test
  void entriesThatInflateToGigabytesAreStoppedEarly() throws Exception {
    // 1 GiB of zeros as manifest.json, then as an array entry: twice the heap, from about a megabyte each
    byte[] bomb = HostileFiles.zipWithZeros("manifest.json", 1L << 30);
    assertModelRefused("manifest-bomb.maha", bomb, "manifest.json", "claims 1073741824 bytes");
    assertModelRefused("manifest-liar.maha", HostileFiles.understated(bomb), "manifest.json", "inflates to more than");
    Map<String, byte[]> rest = new LinkedHashMap<>(modelEntries);
    rest.remove("level_00/mean.npy");
    List<Object> flat = new ArrayList<>();
    rest.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    byte[] npyBomb = HostileFiles.zipWithZeros("level_00/mean.npy", 1L << 30, flat.toArray());
    assertModelRefused("npy-bomb.maha", npyBomb, "level_00/mean.npy", "claims 1073741824 bytes");
    assertModelRefused("npy-liar.maha", HostileFiles.understated(npyBomb), "level_00/mean.npy", "inflates to more");
  }

  @Test
  void deeplyNestedOrHugeManifestsAreRefused() throws Exception {
    byte[] deep = "[".repeat(200_000).getBytes(StandardCharsets.US_ASCII);
    assertModelRefused("deep.maha", HostileFiles.zip("manifest.json", deep, "manifest.json.sha256",
        (Sha256.of(deep) + "\n").getBytes(StandardCharsets.US_ASCII)), "manifest.json", "nesting depth");
  }

  @Test
  void arraysAndLevelSizesClaimingHugeShapesAreRefusedBeforeAllocating() throws Exception {
    assertModelRefused("shape.maha", HostileFiles.zip(modelWith("level_00/mean.npy", npy("(2147483000,)",
        new byte[8]), m -> { })), "level_00/mean.npy", "too large");
    assertModelRefused("shape2.maha", HostileFiles.zip(modelWith("level_00/mean.npy", npy("(4294967296, 4294967296)",
        new byte[8]), m -> { })), "level_00/mean.npy");
    assertModelRefused("dim.maha", HostileFiles.zip(modelWith("level_00/mean.npy", modelEntries.get(
        "level_00/mean.npy"), m -> ((ObjectNode) m.get("backbone").get("levels").get(0)).put("dim", 2147483647))),
        "feature size 2147483647");
  }

  /** {@code entry}'s float64 array with {@code edit} applied to its values (shape kept), as .npy bytes. */
  static byte[] editedArray(String entry, java.util.function.Consumer<double[]> edit) throws Exception {
    org.maha.npy.NpyArray a = org.maha.npy.Npy.read(modelEntries.get(entry));
    double[] data = a.data();
    edit.accept(data);
    return org.maha.npy.Npy.toBytes(org.maha.npy.NpyArray.ofDoubles(data, a.shape()));
  }

  /**
   * Format-2 training statistics whose checksums match but which are not this model's, or not statistics at all,
   * are refused naming the level and the problem (an update from them would silently give a wrong model): where the
   * manifest alone shows it, on load; where their arrays do, when they are first needed (update, merge: scoring
   * never reads them, and scores with such a file).
   */
  @Test
  void trainingStatisticsThatDoNotFitTheModelAreRefused() throws Exception {
    assertStatisticsRefusedOnUpdate("asymmetric.maha", HostileFiles.zip(modelWith("level_00/stats_scatter.npy",
        editedArray("level_00/stats_scatter.npy", d -> d[1] += 1e-3), m -> { })), "level s1 statistics", "symmetric");
    assertStatisticsRefusedOnUpdate("nan-u.maha", HostileFiles.zip(modelWith("level_01/stats_u.npy",
        editedArray("level_01/stats_u.npy", d -> d[0] = Double.NaN), m -> { })), "level s2 statistics", "non-finite");
    assertStatisticsRefusedOnUpdate("other-mean.maha", HostileFiles.zip(modelWith("level_02/stats_mean.npy",
        editedArray("level_02/stats_mean.npy", d -> d[0] += 1e-9), m -> { })), "level pooled statistics", "mean");
    assertStatisticsRefusedOnUpdate("wrong-shape.maha", HostileFiles.zip(modelWith("level_00/stats_scatter.npy",
        npy("(2, 2)", new byte[32]), m -> { })), "level s1 statistics", "scatter has shape [2, 2]");
    byte[] damaged = modelEntries.get("level_01/stats_scatter.npy").clone();
    damaged[damaged.length - 1] ^= 1; // checksums not fixed: a damaged file
    List<Object> e = new ArrayList<>();
    modelEntries.forEach((k, v) -> {
      e.add(k);
      e.add(k.equals("level_01/stats_scatter.npy") ? damaged : v);
    });
    assertStatisticsRefusedOnUpdate("damaged.maha", HostileFiles.zip(e.toArray()), "entry level_01/stats_scatter.npy does not "
        + "match its checksum");
    assertModelRefused("count.maha", HostileFiles.zip(modelWith("level_00/stats_u.npy",
        modelEntries.get("level_00/stats_u.npy"), m -> ((ObjectNode) m.get("levels").get(0).get("statistics"))
            .put("n", 5))), "level s1 statistics", "n = 5");
    assertModelRefused("partial.maha", HostileFiles.zip(modelWith("level_00/stats_u.npy",
        modelEntries.get("level_00/stats_u.npy"), m -> ((ObjectNode) m.get("levels").get(1)).remove("statistics"))),
        "only 2 of 3 levels");
  }

  /** {@code score} with the model file {@code name} works; {@code update} from it is refused cleanly. */
  static void assertStatisticsRefusedOnUpdate(String name, byte[] content, String... fragments) throws Exception {
    Path file = Files.createDirectories(dir.resolve("models")).resolve(name);
    Files.write(file, content);
    CliProcess.Result scored = CliProcess.run(SECONDS, dir, "score", "-m", file.toString(), "--onnx",
        onnx.toString(), "-q", good.toString());
    assertThat(scored.exitCode()).as(scored.all()).isZero();
    Path out = dir.resolve("updated-" + name);
    assertRefused(file, new String[] {"update", "-m", file.toString(), "--onnx", onnx.toString(), "-q", "-o",
        out.toString(), good.toString()}, fragments);
    assertThat(out).doesNotExist();
  }

  @Test
  void pipesAndFoldersGivenAsModelsAreRefusedWithoutBeingOpened() throws Exception {
    Path fifo = dir.resolve("fifo.maha");
    assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo not available");
    assertRefused(fifo, new String[] {"score", "-m", fifo.toString(), "--onnx", onnx.toString(), "-q",
        good.toString()}, "not a regular file");
    Path folder = Files.createDirectories(dir.resolve("folder.maha"));
    assertRefused(folder, new String[] {"score", "-m", folder.toString(), "--onnx", onnx.toString(), "-q",
        good.toString()}, "folder");
  }

  /** {@code fit --onnx FILE}: refused cleanly, naming the file, no model written. */
  static void assertOnnxRefused(String name, byte[] content, String... fragments) throws Exception {
    Path file = Files.createDirectories(dir.resolve("onnx")).resolve(name);
    if (content != null) {
      Files.write(file, content);
    }
    Path out = dir.resolve("out-" + name + ".maha");
    assertRefused(file, new String[] {"fit", "--onnx", file.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        out.toString(), good.toString()}, fragments);
    assertThat(out).doesNotExist();
  }

  @Test
  void hostileOnnxFiles() throws Exception {
    assertOnnxRefused("empty.onnx", new byte[0]);
    byte[] random = new byte[4096];
    new Random(2).nextBytes(random);
    assertOnnxRefused("random.onnx", random);
    byte[] tiny = Files.readAllBytes(onnx);
    assertOnnxRefused("cut.onnx", Arrays.copyOf(tiny, tiny.length / 2));
    assertOnnxRefused("huge.onnx", HostileFiles.onnxWithHugeInitializer(1L << 40, 1L << 20));
    assertOnnxRefused("huge2.onnx", HostileFiles.onnxWithHugeInitializer(1L << 31, 3));
    Path fifo = dir.resolve("onnx").resolve("fifo.onnx");
    assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo not available");
    assertOnnxRefused("fifo.onnx", null, "not a regular file");
    // score hashes the backbone before opening it: that must not open the pipe either
    Path model = Files.createDirectories(dir.resolve("models")).resolve("for-fifo.maha");
    Files.write(model, HostileFiles.zip(modelWith("level_00/mean.npy", modelEntries.get("level_00/mean.npy"),
        m -> { })));
    assertRefused(fifo, new String[] {"score", "-m", model.toString(), "--onnx", fifo.toString(), "-q",
        good.toString()}, "not a regular file");
    // embed --tensors reads an .npy batch
    Path out = dir.resolve("embed-out");
    assertRefused(fifo, new String[] {"embed", "-o", out.toString(), "--onnx", onnx.toString(), "--levels",
        "s1,s2,pooled", "-q", "--tensors", fifo.toString()}, "not a regular file");
    assertThat(out).doesNotExist();
  }
}
