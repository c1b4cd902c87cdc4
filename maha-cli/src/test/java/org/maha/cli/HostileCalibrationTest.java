package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.files.Sha256;

/**
 * A calibrated model's calibration scores (for p-values) are untrusted input too: a model whose scores entry holds
 * the wrong count, a NaN, or claims a calibration of two billion images is refused by {@code maha score} with exit
 * 2 and one line naming the file, before any scoring, in a child JVM under -Xmx512m.
 */
class HostileCalibrationTest {
  static final String SCORES = "calibration/scores.npy";
  @TempDir static Path dir;
  static Path onnx;
  static Path good;
  static Map<String, byte[]> entries;

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    good = CliHarness.noisePngs(dir.resolve("good"), "g", 6, 6, 40);
    Path cal = CliHarness.noisePngs(dir.resolve("cal"), "c", 7, 5, 40);
    Path model = dir.resolve("ok.maha");
    var r = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-q", "-o",
        model.toString(), "--calibrate", cal.toString(), "--target-fpr", "0.2", good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    entries = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(model.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        entries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    assertThat(entries).containsKey(SCORES);
  }

  /** The model with its scores entry replaced and its manifest edited, checksums updated to match. */
  static byte[] modelWith(byte[] scores, Consumer<ObjectNode> edit) throws Exception {
    Map<String, byte[]> e = new LinkedHashMap<>(entries);
    e.put(SCORES, scores);
    ObjectMapper json = new ObjectMapper();
    ObjectNode m = (ObjectNode) json.readTree(e.get("manifest.json"));
    ((ObjectNode) m.get("entries")).put(SCORES, Sha256.of(scores));
    edit.accept(m);
    byte[] manifest = json.writeValueAsBytes(m);
    e.put("manifest.json", manifest);
    e.put("manifest.json.sha256", (Sha256.of(manifest) + "\n").getBytes(StandardCharsets.US_ASCII));
    List<Object> flat = new ArrayList<>();
    e.forEach((k, v) -> {
      flat.add(k);
      flat.add(v);
    });
    return HostileFiles.zip(flat.toArray());
  }

  static byte[] doubles(double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      b.putDouble(x);
    }
    return HostileModelTest.npy("(" + v.length + ",)", b.array());
  }

  static void assertRefused(String name, byte[] content, String... fragments) throws Exception {
    Path file = Files.createDirectories(dir.resolve("models")).resolve(name);
    Files.write(file, content);
    Map<String, String> before = CliProcess.snapshot(dir);
    CliProcess.Result r = CliProcess.run(90, dir, "score", "-m", file.toString(), "--onnx", onnx.toString(), "-q",
        good.toString());
    List<String> all = new ArrayList<>(List.of(fragments));
    all.add(file.toString());
    CliProcess.assertCleanRefusal(r, all.toArray(String[]::new));
    assertThat(r.out()).as(r.all()).isEmpty();
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
  }

  @Test
  void calibrationScoresOfTheWrongCountOrNotFiniteAreRefused() throws Exception {
    assertRefused("count.maha", modelWith(doubles(1, 2, 3), m -> { }), "calibration scores have shape [3]");
    assertRefused("nan.maha", modelWith(doubles(1, 2, Double.NaN, 4, 5), m -> { }), "calibration score is NaN");
    assertRefused("inf.maha", modelWith(doubles(1, 2, 3, Double.POSITIVE_INFINITY, 5), m -> { }), "Infinity");
  }

  @Test
  void aCalibrationClaimingBillionsOfScoresIsRefusedBeforeReadingThem() throws Exception {
    assertRefused("huge.maha", modelWith(doubles(1, 2, 3, 4, 5),
        m -> ((ObjectNode) m.get("calibration")).put("n", 2_000_000_000)), "calibration n is 2000000000");
  }
}
