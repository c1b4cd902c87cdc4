package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.maha.model.ModelFileException;
import org.maha.model.ModelZips;

/**
 * Coverage-guided fuzzing of the reader of a {@code .maha} file with anomaly maps ({@link MapModelFile#read}): any
 * file is read or refused with one line naming it ({@link ModelFileException}), never another exception, a hang or
 * an unbounded allocation (the map section claims P·D² values in a few bytes of manifest).
 *
 * <p>Two targets, as {@code ModelFileFuzzTest}'s: raw bytes as the file, and a valid model with maps (the small
 * image and map models of {@link MapModelFileTest}: 5 channels on a 3 × 4 grid, with a scale) with one entry
 * replaced by the fuzzer's bytes and every checksum fixed, the map section's own included, so that mutations reach
 * the section's JSON, the bounds checked before inflating, the .npy reading and the Gaussians' checks. Their seed
 * inputs are written by {@link #seedsAreValidModelsWithMaps} when run with {@code -Dmaha.writeFuzzSeeds=true}; it
 * otherwise checks that every committed seed is a model whose maps are read.
 */
class MapModelFileFuzzTest {
  private static final Path FILE;
  private static final byte[] BASE_FILE;
  private static final Map<String, byte[]> BASE;
  static final String INPUTS = "src/test/resources/org/maha/pipeline/MapModelFileFuzzTestInputs/";

  static {
    try {
      FILE = Files.createTempFile("maha-maps-fuzz", ".maha");
      FILE.toFile().deleteOnExit();
      MapModelFile.write(MapModelFileTest.imageModel(), MapModelFileTest.mapModel(),
          new MapScale(1.25, 3.5, 0.05, 40, MapScale.CALIBRATION), FILE);
      BASE_FILE = Files.readAllBytes(FILE);
      BASE = ModelZips.entries(BASE_FILE);
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the base model with maps", e);
    }
  }

  /** Reads or refuses {@code file}; true when read. */
  private static boolean readOrRefuse(byte[] file) {
    try {
      Files.write(FILE, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      MapModelFile.read(FILE);
      return true;
    } catch (ModelFileException expected) {
      String m = expected.getMessage();
      if (m.length() > 1000 || m.lines().count() != 1 || !m.startsWith(FILE.toString())) {
        throw new AssertionError("message not one line naming the file: " + m);
      }
      return false;
    }
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) {
    readOrRefuse(data);
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrRefusesWithValidChecksums(byte[] data) {
    byte[] file = ModelZips.withValidChecksums(BASE, data);
    if (file != null) {
      readOrRefuse(file);
    }
  }

  /**
   * The seeds: the whole base file for {@code readsOrRefuses}, and for {@code readsOrRefusesWithValidChecksums} one
   * per entry but the manifest's checksum, its index in the zip as one byte and then its bytes (as
   * {@code scripts/fuzz_seeds.py} writes {@code ModelFileFuzzTest}'s).
   */
  @Test
  void seedsAreValidModelsWithMaps() throws IOException {
    Path raw = Path.of(INPUTS, "readsOrRefuses");
    Path fixed = Path.of(INPUTS, "readsOrRefusesWithValidChecksums");
    if (Boolean.getBoolean("maha.writeFuzzSeeds")) {
      Files.createDirectories(raw);
      Files.createDirectories(fixed);
      Files.write(raw.resolve("seed-maps.maha"), BASE_FILE);
      List<String> names = new ArrayList<>(BASE.keySet());
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        if (!name.endsWith(".sha256")) {
          byte[] content = BASE.get(name);
          byte[] seed = new byte[content.length + 1];
          seed[0] = (byte) i;
          System.arraycopy(content, 0, seed, 1, content.length);
          Files.write(fixed.resolve(String.format("seed-%02d-%s", i, name.replace('/', '_'))), seed);
        }
      }
    }
    assertThat(readOrRefuse(Files.readAllBytes(raw.resolve("seed-maps.maha")))).isTrue();
    List<Path> seeds;
    try (Stream<Path> s = Files.list(fixed)) {
      seeds = s.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().toList();
    }
    // one seed per entry but manifest.json.sha256, the map section's three arrays among them
    assertThat(seeds).hasSize(BASE.size() - 1);
    assertThat(seeds.stream().map(p -> p.getFileName().toString()))
        .contains("seed-00-manifest.json").anyMatch(n -> n.endsWith("maps_cholesky.npy"))
        .anyMatch(n -> n.endsWith("maps_mean.npy")).anyMatch(n -> n.endsWith("maps_shrinkage.npy"));
    for (Path seed : seeds) {
      assertThat(readOrRefuse(ModelZips.withValidChecksums(BASE, Files.readAllBytes(seed))))
          .as("seed %s is a model whose maps are read", seed.getFileName()).isTrue();
    }
  }
}
