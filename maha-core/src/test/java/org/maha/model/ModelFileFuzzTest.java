package org.maha.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the {@code .maha} reader ({@link ModelFile#read}): any file is read or refused with
 * {@link ModelFileException}, never another exception, a hang or an unbounded allocation; so are its training
 * statistics, which the reader defers until they are first needed ({@link TrainingStatistics#load()}).
 *
 * <p>Three targets: raw bytes as the file (the zip layer and the first checks), and a valid model
 * ({@code golden-v1-npca_0.9.maha}, and {@code golden-v2-mvg.maha} with training statistics) with one entry
 * replaced by the fuzzer's bytes and every checksum fixed to match, so that mutations reach the manifest parsing,
 * the .npy reading and the shape and consistency checks behind the checksums.
 */
class ModelFileFuzzTest {
  private static final Path FILE;
  private static final Map<String, byte[]> BASE = entries("golden-v1-npca_0.9.maha");
  private static final Map<String, byte[]> BASE_V2 = entries("golden-v2-mvg.maha");

  static {
    try {
      FILE = Files.createTempFile("maha-fuzz", ".maha");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, byte[]> entries(String resource) {
    try (InputStream in = ModelFileFuzzTest.class.getResourceAsStream(resource)) {
      return ModelZips.entries(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file and the same bytes in memory (an upload) are each read or refused; the bytes are never read alone. */
  private static void readOrRefuse(byte[] file) throws IOException {
    Files.write(FILE, file);
    boolean fromFile = readOrRefuse(() -> ModelFile.read(FILE), FILE.toString());
    boolean fromBytes = readOrRefuse(() -> ModelFile.read(file, "upload"), "upload");
    if (fromBytes && !fromFile) {
      throw new AssertionError("bytes accepted that the file reader refuses");
    }
  }

  private interface Read {
    GaussianAdModel read() throws ModelFileException;
  }

  /** Read, deferred statistics included (they are read when first needed: update, merge, save). */
  private static boolean readOrRefuse(Read read, String name) {
    try {
      GaussianAdModel m = read.read();
      if (m.statistics() != null) {
        m.statistics().load();
      }
      return true;
    } catch (ModelFileException expected) {
      String m = expected.getMessage();
      if (m.length() > 1000 || m.lines().count() != 1 || !m.startsWith(name)) {
        throw new AssertionError("message not one line naming the file: " + expected.getMessage());
      }
      return false;
    }
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrRefuses(byte[] data) throws IOException {
    readOrRefuse(data);
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrRefusesWithValidChecksums(byte[] data) throws IOException {
    withValidChecksums(BASE, data);
  }

  /** As above on a version-2 model: mutations reach the training statistics and their consistency checks. */
  @FuzzTest(maxDuration = "20s")
  void readsOrRefusesV2WithValidChecksums(byte[] data) throws IOException {
    withValidChecksums(BASE_V2, data);
  }

  /** {@code data[0]} picks the entry of {@code base} to replace by the rest of {@code data}. */
  private static void withValidChecksums(Map<String, byte[]> base, byte[] data) throws IOException {
    byte[] file = ModelZips.withValidChecksums(base, data);
    if (file != null) {
      readOrRefuse(file);
    }
  }
}
