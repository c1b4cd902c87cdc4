package org.maha.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.ejml.data.DMatrixRMaj;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.Int8Calibration;
import org.maha.files.AtomicFiles;
import org.maha.files.InputFiles;
import org.maha.files.Sha256;
import org.maha.image.Normalization;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;
import org.maha.stats.Gaussian;
import org.maha.stats.NotPositiveDefiniteException;
import org.maha.stats.ScatterStatistics;

/**
 * Reads and writes {@code .maha} model files: a zip of {@code manifest.json} (provenance, levels, SHA-256 of
 * every array) and float64 NumPy arrays, so that a Python user can read a model with numpy alone. Writes go to
 * a temporary file that is renamed into place ({@link AtomicFiles}); reads verify the format version, every checksum, every shape
 * (the entries scoring does not read when they are first needed: see below).
 *
 * <pre>
 * manifest.json          format, versions, backbone identity, preprocessing, variant, levels, entries' SHA-256
 * manifest.json.sha256   SHA-256 of manifest.json (catches an edited manifest)
 * level_00/mean.npy      (D,)     float64      every variant
 * level_00/covariance.npy (k, k)  float64      mvg, pca, npca: the Ledoit-Wolf covariance
 * level_00/cholesky.npy  (k, k)   float64      its lower Cholesky factor (covariance = L Lᵀ)
 * level_00/std.npy       (D,)     float64      sed: unbiased standard deviations
 * level_00/pca_mean.npy  (D,)     float64      pca, npca: the PCA centring vector
 * level_00/pca_components.npy (k, D) float64   pca, npca: kept components as rows; mean.npy is then in the subspace
 * level_00/stats_mean.npy    (D,)   float64   version 2, mvg/l2/sed: mean of the training features
 * level_00/stats_scatter.npy (D, D) float64   T = Σ z zᵀ, z = x − stats_mean (centred scatter)
 * level_00/stats_u.npy       (D,)   float64   u = Σ ‖z‖² z
 * calibration/scores.npy (n,)     float64      calibrated models: the n calibration scores, ascending, for p-values
 * </pre>
 *
 * <p>The calibration scores are optional: files written before they were kept have none and load with their
 * threshold but no p-values.
 *
 * <p>Version 2 adds, per level, the exact training statistics ({@link TrainingStatistics}: the arrays above, plus
 * n and q = Σ‖z‖⁴ in the level's {@code statistics} object) and the top-level {@code history}, so that the model
 * can be updated and merged. Version 1 files still load and score; they have no statistics. Each history step may
 * carry {@code images} and {@code imagesSha256}, the {@link ImageSetDigest} of its images (optional: steps written
 * before maha recorded it have none).
 *
 * <p>Reading defers what scoring never reads (issue 12: a one-image {@code maha score} from a fresh process): the
 * training statistics arrays and, in a model that has them, the stored Cholesky factors (maha recomputes the
 * factor from the covariance) — two thirds of a large model file. The manifest, every other entry and every
 * manifest-level check of the statistics (counts, history) are read and verified at once; the deferred entries are
 * read, bounded, checked against the SHA-256 the verified manifest lists, parsed and checked (shapes, finite
 * values, symmetry, the level's mean) on the first {@link TrainingStatistics#load()} (update, merge, save), with
 * the messages an eager read gave. Because they are checked against the manifest read at load, a file rewritten
 * in between is used only if those entries are byte for byte the ones it had; otherwise the message says the file
 * changed (or is gone) since the model was read. A model read from bytes (an upload, e.g. to {@code maha serve})
 * has every entry's checksum verified at once, so that a damaged upload is refused as before, and keeps its
 * statistics entries' inflated bytes in memory to parse and check when first needed (its staged copy is deleted at
 * once; its stored factors are parsed at once rather than kept, so it holds no more memory than an eager read).
 */
public final class ModelFile {
  public static final String FORMAT = "maha-model";
  public static final int FORMAT_VERSION = 3;
  /**
   * The first version that can record an int8 graph ({@code backbone.int8}); only such models are written with it,
   * so that a maha without int8 refuses them rather than score them through the float graph.
   */
  static final int INT8_VERSION = 3;
  /** What a model of the float graph is written as: readable by every maha since statistics were added. */
  static final int FLOAT_VERSION = 2;
  /** The first version that keeps training statistics (and the first that can be updated). */
  static final int STATISTICS_VERSION = 2;
  static final String MANIFEST = "manifest.json";
  static final String MANIFEST_SHA = "manifest.json.sha256";
  /** No entry is larger than one Java array; the manifest's level sizes bound each entry far lower. */
  private static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 8;
  /** A model has 2 + up to 9 entries per level: more entries in the zip is not a model (or a bomb of entries). */
  static final int MAX_ENTRIES = 4096;
  /** manifest.json of a model with dozens of levels is a few kilobytes. */
  static final long MAX_MANIFEST_BYTES = 1L << 20;
  /**
   * History steps a file may list: maha writes at most {@link TrainingStatistics#MAX_HISTORY} (folding older ones);
   * more are read (and folded) up to this bound, which the 1 MiB manifest would impose anyway.
   */
  static final int MAX_HISTORY_READ = 8192;
  /** manifest.json is four levels deep; a deeply nested document is hostile. */
  static final int MAX_JSON_DEPTH = 32;
  /** Largest feature size per level accepted (the widest torchvision level has 2048; 65536 leaves room). */
  static final int MAX_LEVEL_DIM = 1 << 16;
  /** Model files larger than this are refused before opening (a 2048-feature model is ~100 MB). */
  static final long MAX_FILE_BYTES = 16L << 30;
  /** The calibration scores' entry, named by the manifest's {@code calibration.scores}. */
  static final String CALIBRATION_SCORES = "calibration/scores.npy";
  /** Most calibration scores accepted (128 MB of float64): far more good images than anyone calibrates on. */
  static final int MAX_CALIBRATION_SCORES = 1 << 24;

  private static final ObjectMapper JSON_READER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH)
          .maxStringLength((int) MAX_MANIFEST_BYTES).maxNumberLength(64).build())
      .build());

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelFile() {}

  /**
   * An optional part of a model file that another package owns (the anomaly maps of {@code org.maha.pipeline}): an
   * object in the manifest under {@code key} whose own {@code entries} field lists the SHA-256 of its zip entries
   * (all named {@code key/...}). They are not in the top-level {@code entries}, so a maha that does not know the
   * section still loads the model without it; the manifest's own checksum covers the section's checksums.
   */
  public record Section(String key, ObjectNode node, Map<String, byte[]> entries) {}

  /** Reads a {@link Section}'s object and its entries (given the verified model), refusing what it does not accept. */
  @FunctionalInterface
  public interface SectionReader<T> {
    T read(GaussianAdModel model, JsonNode node, SectionEntries entries) throws ModelFileException, IOException;
  }

  /** A section's entries, each read only after its size is bounded, and verified against its listed SHA-256. */
  @FunctionalInterface
  public interface SectionEntries {
    byte[] read(String path, long maxBytes) throws ModelFileException, IOException;
  }

  /** A model and its section, or null where the file has none. */
  public record Loaded<T>(GaussianAdModel model, T section) {}

  /** Writes {@code model} to {@code target} atomically (temp file in the same folder, then rename). */
  public static void write(GaussianAdModel model, Path target) throws IOException {
    write(model, target, List.of());
  }

  /** As {@link #write(GaussianAdModel, Path)}, with an optional {@code section} (null for none). */
  public static void write(GaussianAdModel model, Path target, Section section) throws IOException {
    write(model, target, section == null ? List.of() : List.of(section));
  }

  /**
   * As {@link #write(GaussianAdModel, Path)}, with optional sections under distinct keys (e.g. the anomaly maps and
   * the tiling a model was fitted with), each written as {@link #write(GaussianAdModel, Path, Section)} writes one.
   */
  public static void write(GaussianAdModel model, Path target, List<Section> sections) throws IOException {
    if (model.statistics() != null) {
      try {
        model.statistics().load(); // a model read from a file: its statistics are verified before being copied
      } catch (ModelFileException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
    Map<String, byte[]> entries = new LinkedHashMap<>();
    ArrayNode levels = JSON.createArrayNode();
    List<String> names = model.info().levelNames();
    for (int i = 0; i < model.levels().size(); i++) {
      String dir = String.format("level_%02d/", i);
      ObjectNode level = levelNode(i, names.get(i), dir, model.levels().get(i), entries);
      if (model.statistics() != null) {
        level.set("statistics", statisticsNode(dir, model.statistics().levels().get(i), entries));
      }
      levels.add(level);
    }
    model.threshold().filter(Calibration::keepsScores)
        .ifPresent(c -> add(entries, CALIBRATION_SCORES, vec(c.sortedScores())));
    ObjectNode manifest = manifest(model, levels);
    ObjectNode sums = manifest.putObject("entries");
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      sums.put(e.getKey(), sha256(e.getValue()));
    }
    for (Section section : sections) {
      if (manifest.has(section.key())) {
        throw new IllegalArgumentException("section '" + section.key() + "' would replace a manifest field");
      }
      ObjectNode node = section.node().deepCopy();
      ObjectNode own = node.putObject("entries");
      for (Map.Entry<String, byte[]> e : section.entries().entrySet()) {
        if (!e.getKey().startsWith(section.key() + "/") || entries.containsKey(e.getKey())) {
          throw new IllegalArgumentException("section entry " + e.getKey() + " must be named " + section.key()
              + "/...");
        }
        own.put(e.getKey(), sha256(e.getValue()));
      }
      manifest.set(section.key(), node);
      entries.putAll(section.entries());
    }
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    if (manifestBytes.length > MAX_MANIFEST_BYTES) { // it could not be read back: refuse rather than write it
      throw new IOException(target + ": the model's manifest would be " + manifestBytes.length + " bytes, more than "
          + "the " + MAX_MANIFEST_BYTES + " a model file may hold");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      put(zip, MANIFEST, manifestBytes);
      put(zip, MANIFEST_SHA, (sha256(manifestBytes) + "\n").getBytes(StandardCharsets.US_ASCII));
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(zip, e.getKey(), e.getValue());
      }
    }
    AtomicFiles.write(target, bytes.toByteArray());
  }

  /**
   * Reads and verifies a model file.
   *
   * @throws ModelFileException naming the file and what is wrong with it
   */
  public static GaussianAdModel read(Path file) throws ModelFileException {
    return read(file, null, null).model();
  }

  /**
   * The manifest field {@code key} of a model file (null where it has none), read without its arrays: the manifest
   * checked against its SHA-256, nothing else. For settings a command needs before it reads the whole model (the
   * tiling it was fitted with); the model itself is verified when read.
   *
   * @throws ModelFileException naming the file and what is wrong with its manifest
   */
  public static JsonNode manifestField(Path file, String key) throws ModelFileException {
    String name = file.toString();
    return withZip(file, name, false, zip -> manifest((path, limit) -> entry(zip, path, name, limit), name).get(key));
  }

  /** Work on an open model zip; its I/O errors become one-line {@link ModelFileException}s in {@link #withZip}. */
  @FunctionalInterface
  private interface ZipWork<T> {
    T apply(ZipFile zip) throws IOException, ModelFileException;
  }

  /**
   * The checks every reader of a model file makes before its content (a regular file within the size limit,
   * {@code checkHeap}: small enough for this heap to load, at most {@link #MAX_ENTRIES} zip entries), then
   * {@code work} on the open zip, each failure reported in one line naming the file.
   */
  private static <T> T withZip(Path file, String name, boolean checkHeap, ZipWork<T> work)
      throws ModelFileException {
    try {
      long size = InputFiles.checkRegular(file, MAX_FILE_BYTES);
      long heap = Runtime.getRuntime().maxMemory();
      if (checkHeap && size > heap / 2) { // its arrays inflate to at least its size and are held twice while read
        throw new ModelFileException(name + ": is " + (size >> 20) + " MB, more than this Java heap ("
            + (heap >> 20) + " MB) can load; give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
      }
    } catch (NoSuchFileException e) {
      throw new ModelFileException(name + ": no such file");
    } catch (InputFiles.RefusedException e) {
      throw new ModelFileException(name + ": " + e.getMessage());
    } catch (IOException e) {
      throw new ModelFileException(name + ": cannot read (" + e.getMessage() + ")");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      if (zip.size() > MAX_ENTRIES) {
        throw new ModelFileException(name + ": holds " + zip.size() + " zip entries, more than a model's "
            + MAX_ENTRIES + " at most (not a maha model)");
      }
      return work.apply(zip);
    } catch (RuntimeException e) { // a field of an unexpected kind or value deep inside: the file is inconsistent
      throw inconsistent(name, e);
    } catch (NoSuchFileException e) {
      throw new ModelFileException(name + ": no such file");
    } catch (ZipException e) {
      throw new ModelFileException(name + ": not a maha model file, or truncated (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new ModelFileException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads and verifies a model file and, where its manifest has the section {@code key}, that section with
   * {@code reader} (whose refusals and inconsistencies are refused as the model's are).
   *
   * @throws ModelFileException naming the file and what is wrong with it or with its section
   */
  public static <T> Loaded<T> read(Path file, String key, SectionReader<T> reader) throws ModelFileException {
    return read(file, file.toString(), key, reader);
  }

  private static <T> Loaded<T> read(Path file, String name, String key, SectionReader<T> reader)
      throws ModelFileException {
    return read(file, name, false, key, reader);
  }

  /**
   * @param staged whether {@code file} is a private copy that is deleted once this returns (an upload): the
   *     deferred entries are then inflated now and kept, to be verified and parsed when first needed
   */
  private static <T> Loaded<T> read(Path file, String name, boolean staged, String key, SectionReader<T> reader)
      throws ModelFileException {
    FileIdentity identity = staged ? null : FileIdentity.of(file); // before opening: a later change is then seen
    return withZip(file, name, true, zip -> {
      Entries entries = (path, limit) -> entry(zip, path, name, limit);
      JsonNode m = manifest(entries, name);
      GaussianAdModel model = parse(entries, m, name, staged ? null : new Reopen(file, identity));
      JsonNode node = key == null ? null : m.get(key);
      if (node == null) {
        return new Loaded<>(model, null);
      }
      if (!node.isObject()) {
        throw new ModelFileException(name + ": manifest field '" + key + "' is not an object");
      }
      JsonNode sums = node.path("entries");
      T section = reader.read(model, node, (path, maxBytes) -> {
        JsonNode sum = sums.get(path);
        if (sum == null || !sum.isTextual()) {
          throw new ModelFileException(name + ": " + key + " entry " + path + " has no checksum in the manifest");
        }
        byte[] bytes = entry(zip, path, name, maxBytes);
        if (!sha256(bytes).equals(sum.asText())) {
          throw new ModelFileException(name + ": entry " + path + " does not match its checksum (corrupt or edited)");
        }
        return bytes;
      });
      return new Loaded<>(model, section);
    });
  }

  /**
   * Reads and verifies a model file held in memory (an upload) exactly as {@link #read(Path)} reads a file: the
   * bytes are staged in a private temporary file (deleted before this returns) and read through the zip's central
   * directory. A streaming reader of the bytes was tried and fuzzing showed why not: it follows the local headers,
   * which can disagree with the directory a file reader follows, so it accepted files {@code read(Path)} refuses.
   *
   * @param name how messages name it
   * @throws ModelFileException naming it and what is wrong with it
   */
  public static GaussianAdModel read(byte[] data, String name) throws ModelFileException {
    return read(data, name, null, null).model();
  }

  /**
   * As {@link #read(byte[], String)}, and where its manifest has the section {@code key}, that section read by
   * {@code reader} (as {@link #read(Path, String, SectionReader)} reads it).
   *
   * @param name how messages name it
   * @throws ModelFileException naming it and what is wrong with it or with its section
   */
  public static <T> Loaded<T> read(byte[] data, String name, String key, SectionReader<T> reader)
      throws ModelFileException {
    if (data.length > MAX_FILE_BYTES) {
      throw new ModelFileException(name + ": is " + (data.length >> 20) + " MB, more than a model file's "
          + (MAX_FILE_BYTES >> 20) + " MB at most");
    }
    Path staged = null;
    try {
      staged = Files.createTempFile("maha-upload-", ".maha"); // owner-only permissions on POSIX
      Files.write(staged, data);
      return read(staged, name, true, key, reader);
    } catch (IOException e) {
      throw new ModelFileException(name + ": cannot be staged for reading (" + e.getMessage() + ")");
    } finally {
      if (staged != null) {
        try {
          Files.deleteIfExists(staged);
        } catch (IOException ignored) {
          // a leftover in the temporary folder is harmless; the model was read or refused already
        }
      }
    }
  }

  /** The entries of a zip, each inflated within a limit. */
  private interface Entries {
    byte[] entry(String path, long limit) throws ModelFileException, IOException;
  }

  private static ModelFileException inconsistent(String name, RuntimeException e) {
    return new ModelFileException(name + ": inconsistent model ("
        + String.valueOf(e.getMessage()).replaceAll("\\s+", " ") + ")");
  }

  /** The manifest, checked against its SHA-256 and parsed: a JSON object, not yet interpreted. */
  private static JsonNode manifest(Entries zip, String name) throws ModelFileException, IOException {
    byte[] manifestBytes = zip.entry(MANIFEST, MAX_MANIFEST_BYTES);
    String declared = new String(zip.entry(MANIFEST_SHA, 1024), StandardCharsets.US_ASCII).trim();
    if (!declared.equals(sha256(manifestBytes))) {
      throw new ModelFileException(name + ": manifest.json does not match its checksum (the file was edited)");
    }
    JsonNode m;
    try {
      m = JSON_READER.readTree(manifestBytes);
    } catch (IOException e) {
      throw new ModelFileException(name + ": manifest.json is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (m == null || !m.isObject()) {
      throw new ModelFileException(name + ": manifest.json is not a JSON object");
    }
    return m;
  }

  /**
   * The file a model was read from, to read its deferred entries from when they are first needed, and what it was
   * then (size, modification time, file key) so that a failure can say the file changed since.
   */
  private record Reopen(Path file, FileIdentity identity) {}

  /** What identifies a file's content without reading it: a change of any part means it was rewritten or replaced. */
  private record FileIdentity(long size, java.nio.file.attribute.FileTime modified, Object key) {
    /** The identity of {@code file} now, or null when it cannot be read (the reader then reports why). */
    static FileIdentity of(Path file) {
      try {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
            java.nio.file.attribute.BasicFileAttributes.class);
        return new FileIdentity(a.size(), a.lastModifiedTime(), a.fileKey());
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }

  private static GaussianAdModel parse(Entries zip, JsonNode m, String name, Reopen reopen)
      throws ModelFileException, IOException {
    if (!FORMAT.equals(text(m, "format", name))) {
      throw new ModelFileException(name + ": not a maha model (format is '" + m.path("format").asText() + "')");
    }
    int version = m.path("formatVersion").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION) {
      throw new ModelFileException(name + ": model format version " + version + " is not supported (this maha "
          + MahaVersion.get() + " reads versions 1 to " + FORMAT_VERSION + "); refit or upgrade maha");
    }
    JsonNode entries = m.path("entries");
    BackboneSpec backbone = backbone(m.path("backbone"), name);
    if (backbone.isInt8() && version < INT8_VERSION) {
      throw new ModelFileException(name + ": manifest records an int8 graph in format version " + version
          + " (int8 needs version " + INT8_VERSION + ")");
    }
    // Every array of a level is at most D x D float64 (D its feature size): that bounds each entry, and the sum
    // over levels bounds the whole, before anything is inflated. The arrays are held twice while the model is
    // built (bytes and doubles), so the whole must also fit the heap.
    long largestDim = 0;
    long totalBound = 0;
    for (int d : backbone.levelDims()) {
      largestDim = Math.max(largestDim, d);
      totalBound = Math.addExact(totalBound, 4 * (8L * d * d + 8L * d + 256));
    }
    long entryBound = Math.min(MAX_ENTRY_BYTES, 8L * largestDim * largestDim + 8L * largestDim + 256);
    long heap = Runtime.getRuntime().maxMemory();
    if (entries.size() > MAX_ENTRIES) {
      throw new ModelFileException(name + ": manifest lists " + entries.size() + " entries, more than a model has");
    }
    // the calibration scores are bounded by the calibration's own count, not by the levels
    JsonNode cal = m.path("calibration");
    String scoresPath = cal.path("scores").isTextual() ? cal.path("scores").asText() : null;
    int calibrationN = cal.path("n").canConvertToInt() ? cal.path("n").asInt() : -1;
    if (scoresPath != null && (calibrationN < 1 || calibrationN > MAX_CALIBRATION_SCORES)) {
      throw new ModelFileException(name + ": calibration n is " + cal.path("n").asText() + ", expected 1 to "
          + MAX_CALIBRATION_SCORES);
    }
    // verify every declared entry before using any of them, except those scoring never reads (deferred: verified
    // when first needed, see deferredEntries)
    Set<String> deferred = deferredEntries(m, version, scoresPath, entries);
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    long total = 0;
    long scoresBytes = 0;
    for (Map.Entry<String, JsonNode> e : entries.properties()) {
      if (deferred.contains(e.getKey())) {
        continue;
      }
      boolean isScores = e.getKey().equals(scoresPath);
      long maxBytes = isScores ? 8L * calibrationN + 256 : Math.min(entryBound, totalBound - total);
      byte[] bytes = zip.entry(e.getKey(), maxBytes);
      if (isScores) {
        scoresBytes = bytes.length;
      } else {
        total += bytes.length;
      }
      if (2 * (total + scoresBytes) > heap) {
        throw new ModelFileException(name + ": its arrays need more than " + (heap >> 20) + " MB, this Java heap; "
            + "give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
      }
      if (!sha256(bytes).equals(e.getValue().asText())) {
        throw new ModelFileException(name + ": entry " + e.getKey() + " does not match its checksum (corrupt or edited)");
      }
      try {
        arrays.put(e.getKey(), Npy.read(bytes, isScores ? calibrationN : largestDim * largestDim));
      } catch (NpyFormatException ex) {
        throw new ModelFileException(name + ": entry " + e.getKey() + ": " + ex.getMessage());
      }
    }
    Variant variant;
    try {
      variant = Variant.parse(text(m, "variant", name));
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(name + ": " + e.getMessage());
    }
    JsonNode train = m.path("train");
    JsonNode java = m.path("java");
    ModelInfo info = new ModelInfo(text(m, "mahaVersion", name), backbone,
        m.path("backbone").path("onnxFile").isTextual() ? m.path("backbone").path("onnxFile").asText() : null,
        variant.id(), train.path("source").asText(""), train.path("n").asLong(), text(m, "createdAt", name),
        java.path("version").asText(""), java.path("osArch").asText(""));
    List<LevelModel> levels = new ArrayList<>();
    JsonNode levelNodes = m.path("levels");
    if (!levelNodes.isArray() || levelNodes.size() != backbone.levelNames().size()) {
      throw new ModelFileException(name + ": manifest lists " + levelNodes.size() + " levels, backbone "
          + backbone.levelNames().size());
    }
    for (int i = 0; i < levelNodes.size(); i++) {
      levels.add(level(levelNodes.get(i), variant, backbone.levelDims().get(i), arrays, name));
    }
    Deferred later = null;
    if (!deferred.isEmpty()) {
      Map<String, byte[]> kept = null;
      Set<String> named = new HashSet<>(); // the statistics' arrays; the other deferred entries are stored factors
      for (JsonNode l : levelNodes) {
        for (JsonNode v : l.path("statistics").path("arrays")) {
          named.add(v.asText());
        }
      }
      Map<String, String> sums = new LinkedHashMap<>();
      for (String path : deferred) {
        sums.put(path, entries.get(path).asText());
      }
      if (reopen == null) { // a staged upload, deleted once this returns: inflate (bounded) and checksum now
        kept = new LinkedHashMap<>();
        long t = total;
        for (String path : deferred) {
          byte[] bytes = zip.entry(path, Math.min(entryBound, totalBound - t));
          t += bytes.length;
          if (2 * (t + scoresBytes) > heap) {
            throw new ModelFileException(name + ": its arrays need more than " + (heap >> 20) + " MB, this Java "
                + "heap; give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
          }
          if (named.contains(path)) { // checksum now (a damaged upload is refused as before), parsed when needed
            if (!sha256(bytes).equals(sums.get(path))) {
              throw new ModelFileException(name + ": entry " + path + " does not match its checksum (corrupt or "
                  + "edited)");
            }
            kept.put(path, bytes);
          } else { // a stored factor: verified now rather than kept in memory beside the model
            verified(name, path, bytes, sums.remove(path), largestDim * largestDim);
          }
        }
      }
      Map<String, NpyArray> shared = new LinkedHashMap<>(); // eager arrays the statistics also name (not maha's own)
      for (JsonNode l : levelNodes) {
        for (JsonNode v : l.path("statistics").path("arrays")) {
          if (v.isTextual() && arrays.containsKey(v.asText())) {
            shared.put(v.asText(), arrays.get(v.asText()));
          }
        }
      }
      later = new Deferred(name, reopen, kept, sums, named, shared, entryBound, totalBound, total, scoresBytes,
          largestDim * largestDim);
    }
    TrainingStatistics statistics = version >= STATISTICS_VERSION
        ? statistics(m, levelNodes, levels, backbone, arrays, later, name) : null;
    if (statistics == null && later != null) { // cannot happen: entries are deferred only with statistics
      throw new IllegalStateException("entries deferred without training statistics");
    }
    Calibration calibration = null;
    JsonNode cn = m.path("calibration");
    double[] calibrationScores = new double[0]; // absent in files written before the scores were kept
    if (scoresPath != null) {
      NpyArray v = array(arrays, cn, "scores", name + ": calibration");
      if (v.rank() != 1 || v.dim(0) != calibrationN) {
        throw new ModelFileException(name + ": calibration scores have shape " + Arrays.toString(v.shape())
            + ", expected [" + calibrationN + "] (the calibration's n)");
      }
      calibrationScores = v.data();
    }
    try {
      if (cn.isObject()) {
        calibration = new Calibration(cn.path("threshold").asDouble(Double.NaN), cn.path("targetFpr").asDouble(),
            cn.path("n").asInt(), cn.path("guaranteed").asBoolean(), cn.path("source").asText(""),
            calibrationScores);
      }
      return new GaussianAdModel(info, variant, levels, calibration, statistics);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(name + ": inconsistent model: " + e.getMessage());
    }
  }

  /**
   * The entries of a version-2 file that scoring never reads, whose verification is deferred until the training
   * statistics are first needed (update, merge, save; {@link TrainingStatistics#load()}): every level's training
   * statistics arrays, and the stored Cholesky factors (maha recomputes the factor from the covariance; the stored
   * one is for numpy users). Only when every level keeps statistics (otherwise nothing is deferred and the file is
   * refused or read whole, as before), and only entries the manifest lists that nothing read for scoring names too.
   */
  private static Set<String> deferredEntries(JsonNode m, int version, String scoresPath, JsonNode entries) {
    JsonNode levelNodes = m.path("levels");
    if (version < STATISTICS_VERSION || !levelNodes.isArray() || levelNodes.isEmpty()) {
      return Set.of();
    }
    Set<String> later = new LinkedHashSet<>();
    Set<String> now = new HashSet<>();
    if (scoresPath != null) {
      now.add(scoresPath);
    }
    for (JsonNode l : levelNodes) {
      if (!l.path("statistics").isObject()) {
        return Set.of();
      }
      for (Map.Entry<String, JsonNode> a : l.path("arrays").properties()) {
        (a.getKey().equals("cholesky") ? later : now).add(a.getValue().asText());
      }
      for (JsonNode v : l.path("statistics").path("arrays")) {
        later.add(v.asText());
      }
    }
    later.removeAll(now);
    later.removeIf(path -> !entries.path(path).isTextual());
    return later;
  }

  /**
   * A file's deferred entries ({@link #deferredEntries}) and what verifying them later needs: where to read them
   * (the file again, or the bytes kept from an upload: there only the statistics' own, {@code named}, the stored
   * factors having been verified at once rather than kept), their SHA-256 from the manifest verified at load, and
   * the bounds the eager entries left.
   */
  private record Deferred(String name, Reopen reopen, Map<String, byte[]> kept, Map<String, String> sums,
      Set<String> named, Map<String, NpyArray> shared, long entryBound, long totalBound, long eagerTotal, long scoresBytes,
      long maxValues) {

    /** Every deferred entry read, bounded, checked against its SHA-256 and parsed; the statistics' arrays kept. */
    Map<String, NpyArray> read() throws ModelFileException {
      if (kept != null) {
        try {
          return read((path, limit) -> kept.get(path));
        } catch (RuntimeException e) {
          throw inconsistent(name, e);
        } catch (IOException e) {
          throw new ModelFileException(name + ": cannot read (" + e.getMessage() + ")");
        }
      }
      try {
        return withZip(reopen.file(), name, false, zip -> read((path, limit) -> entry(zip, path, name, limit)));
      } catch (ModelFileException e) {
        FileIdentity now = FileIdentity.of(reopen.file());
        String why = e.getMessage().startsWith(name + ": ") ? e.getMessage().substring(name.length() + 2)
            : e.getMessage();
        if (now == null) {
          throw new ModelFileException(name + ": moved or deleted after the model was read, and its training "
              + "statistics are read only when first needed (" + why + "); read the model again", e);
        }
        if (!now.equals(reopen.identity())) {
          throw new ModelFileException(name + ": changed after the model was read, and its training statistics are "
              + "read only when first needed (" + why + "); read the model again", e);
        }
        throw e;
      }
    }

    private Map<String, NpyArray> read(Entries zip) throws ModelFileException, IOException {
      Map<String, NpyArray> arrays = new LinkedHashMap<>(shared);
      long total = eagerTotal;
      long heap = Runtime.getRuntime().maxMemory();
      for (Map.Entry<String, String> e : sums.entrySet()) {
        byte[] bytes = zip.entry(e.getKey(), Math.min(entryBound, totalBound - total));
        total += bytes.length;
        if (2 * (total + scoresBytes) > heap) {
          throw new ModelFileException(name + ": its arrays need more than " + (heap >> 20) + " MB, this Java heap; "
              + "give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
        }
        NpyArray a = verified(name, e.getKey(), bytes, e.getValue(), maxValues);
        if (named.contains(e.getKey())) { // a stored factor is only verified: maha recomputes it
          arrays.put(e.getKey(), a);
        }
      }
      return arrays;
    }
  }

  /** {@code bytes} of entry {@code path} checked against {@code sha} and parsed (at most {@code maxValues}). */
  private static NpyArray verified(String name, String path, byte[] bytes, String sha, long maxValues)
      throws ModelFileException {
    if (!sha256(bytes).equals(sha)) {
      throw new ModelFileException(name + ": entry " + path + " does not match its checksum (corrupt or edited)");
    }
    try {
      return Npy.read(bytes, maxValues);
    } catch (NpyFormatException ex) {
      throw new ModelFileException(name + ": entry " + path + ": " + ex.getMessage());
    }
  }

  /**
   * The training statistics of a version-2 file: every level has them or none does; the counts agree with the
   * level's and the file's n; the history is read. The arrays are {@code later}'s, verified when first needed
   * ({@link TrainingStatistics#load()}): shapes match the level, values are finite, the scatter is exactly
   * symmetric with a non-negative diagonal, and the mean is the level's own (mvg, l2, sed keep the same vector).
   */
  private static TrainingStatistics statistics(JsonNode m, JsonNode levelNodes, List<LevelModel> levels,
      BackboneSpec backbone, Map<String, NpyArray> arrays, Deferred later, String name) throws ModelFileException {
    int with = 0;
    for (JsonNode l : levelNodes) {
      with += l.has("statistics") ? 1 : 0;
    }
    if (with == 0) {
      return null;
    }
    if (with != levelNodes.size()) {
      throw new ModelFileException(name + ": only " + with + " of " + levelNodes.size() + " levels keep training "
          + "statistics");
    }
    long trainN = m.path("train").path("n").asLong(-1);
    List<Long> counts = new ArrayList<>();
    List<Double> fourth = new ArrayList<>();
    for (int i = 0; i < levelNodes.size(); i++) {
      JsonNode sn = levelNodes.get(i).path("statistics");
      String where = name + ": level " + backbone.levelNames().get(i) + " statistics";
      JsonNode count = sn.path("n");
      JsonNode q = sn.path("sumFourthPowers");
      if (!count.canConvertToLong() || !q.isNumber()) {
        throw new ModelFileException(where + ": n or sumFourthPowers is missing");
      }
      long n = count.asLong();
      if (n != trainN || n != levelCount(levels.get(i))) {
        throw new ModelFileException(where + ": n = " + n + " disagrees with the model's " + trainN
            + " training images");
      }
      counts.add(n);
      fourth.add(q.asDouble());
    }
    List<TrainingStatistics.Step> history = history(m, name);
    // a deferred loader must not hold the eager arrays (the covariances, copied into the model already)
    Map<String, NpyArray> eager = later == null ? arrays : null;
    TrainingStatistics.Loader loader = () -> {
      Map<String, NpyArray> read = eager != null ? eager : later.read();
      List<ScatterStatistics> perLevel = new ArrayList<>();
      for (int i = 0; i < levelNodes.size(); i++) {
        int dim = backbone.levelDims().get(i);
        String where = name + ": level " + backbone.levelNames().get(i) + " statistics";
        JsonNode a = levelNodes.get(i).path("statistics").path("arrays");
        double[] mean = vector(read, a, "mean", dim, where);
        double[] u = vector(read, a, "u", dim, where);
        NpyArray t = array(read, a, "scatter", where);
        if (t.rank() != 2 || t.dim(0) != dim || t.dim(1) != dim) {
          throw new ModelFileException(where + ": scatter has shape " + Arrays.toString(t.shape()) + ", expected ["
              + dim + ", " + dim + "]");
        }
        double[] levelMean = levelMean(levels.get(i));
        if (levelMean != null && !Arrays.equals(levelMean, mean)) {
          throw new ModelFileException(where + ": mean differs from the level's mean (the statistics are not this "
              + "model's)");
        }
        try {
          perLevel.add(new ScatterStatistics(counts.get(i), mean, new DMatrixRMaj(dim, dim, true, t.data()), u,
              fourth.get(i)));
        } catch (IllegalArgumentException e) {
          throw new ModelFileException(where + ": " + e.getMessage());
        }
      }
      return perLevel;
    };
    if (later == null) {
      return new TrainingStatistics(loader.load(), history); // nothing deferred (an eager array named twice)
    }
    return TrainingStatistics.deferred(levelNodes.size(), trainN, history, loader);
  }

  private static List<TrainingStatistics.Step> history(JsonNode m, String name) throws ModelFileException {
    List<TrainingStatistics.Step> history = new ArrayList<>();
    JsonNode h = m.path("history");
    if (!h.isArray()) {
      throw new ModelFileException(name + ": manifest has training statistics but no history");
    }
    if (h.size() > MAX_HISTORY_READ) {
      throw new ModelFileException(name + ": history of " + h.size() + " steps, " + MAX_HISTORY_READ
          + " at most");
    }
    for (JsonNode step : h) {
      try {
        ImageSetDigest images = null;
        if (step.has("imagesSha256") || step.has("images")) {
          JsonNode count = step.path("images");
          if (!count.canConvertToLong() || !count.isIntegralNumber()) {
            throw new IllegalArgumentException("images must be a count");
          }
          images = ImageSetDigest.of(count.asLong(), step.path("imagesSha256").asText(null));
        }
        history.add(new TrainingStatistics.Step(text(step, "action", name), text(step, "source", name),
            step.path("n").asLong(-1), step.path("modelFile").isTextual() ? step.path("modelFile").asText() : null,
            step.path("modelSha256").isTextual() ? step.path("modelSha256").asText() : null, text(step, "at", name),
            text(step, "id", name), images));
      } catch (IllegalArgumentException e) {
        throw new ModelFileException(name + ": bad history step: " + e.getMessage());
      }
    }
    return history;
  }

  private static long levelCount(LevelModel level) {
    if (level instanceof LevelModel.Mvg g) {
      return g.n();
    } else if (level instanceof LevelModel.L2 l) {
      return l.n();
    } else if (level instanceof LevelModel.Sed s) {
      return s.n();
    }
    return -1; // pca/npca levels never keep statistics
  }

  private static double[] levelMean(LevelModel level) {
    if (level instanceof LevelModel.Mvg g) {
      return g.gaussian().mean();
    } else if (level instanceof LevelModel.L2 l) {
      return l.mean();
    } else if (level instanceof LevelModel.Sed s) {
      return s.mean();
    }
    return null;
  }

  private static LevelModel level(JsonNode n, Variant variant, int dim, Map<String, NpyArray> arrays, String file)
      throws ModelFileException {
    String level = n.path("name").asText("?");
    String where = file + ": level " + level;
    String kind = n.path("kind").asText();
    long count = n.path("n").asLong();
    JsonNode a = n.path("arrays");
    if (kind.equals("l2")) {
      return new LevelModel.L2(vector(arrays, a, "mean", dim, where), count);
    }
    if (kind.equals("sed")) {
      return new LevelModel.Sed(vector(arrays, a, "mean", dim, where), vector(arrays, a, "std", dim, where), count);
    }
    if (kind.equals("mvg") && !(variant instanceof Variant.Pca)) {
      return mvg(arrays, a, dim, n, where);
    }
    if (kind.equals("zero") && variant instanceof Variant.Pca p && p.official()) {
      return new LevelModel.Zero(dim, count);
    }
    if (kind.equals("projected") && variant instanceof Variant.Pca) {
      int k = n.path("modelDim").asInt(-1);
      double[] pcaMean = vector(arrays, a, "pca_mean", dim, where);
      NpyArray comp = array(arrays, a, "pca_components", where);
      if (comp.rank() != 2 || comp.dim(0) != k || comp.dim(1) != dim) {
        throw new ModelFileException(where + ": pca_components has shape " + Arrays.toString(comp.shape())
            + ", expected [" + k + ", " + dim + "]");
      }
      LevelModel.Mvg inner = mvg(arrays, a, k, n, where);
      return new LevelModel.Projected(pcaMean, new DMatrixRMaj(k, dim, true, comp.data()),
          n.path("firstComponent").asInt(), n.path("totalComponents").asInt(), inner);
    }
    throw new ModelFileException(where + ": level kind '" + kind + "' does not fit variant " + variant.id());
  }

  private static LevelModel.Mvg mvg(Map<String, NpyArray> arrays, JsonNode a, int dim, JsonNode n, String where)
      throws ModelFileException {
    double[] mean = vector(arrays, a, "mean", dim, where);
    NpyArray cov = array(arrays, a, "covariance", where);
    if (cov.rank() != 2 || cov.dim(0) != dim || cov.dim(1) != dim) {
      throw new ModelFileException(where + ": covariance has shape " + Arrays.toString(cov.shape())
          + ", expected [" + dim + ", " + dim + "]");
    }
    try {
      // the Cholesky factor is recomputed rather than trusted: the stored one is for numpy users
      Gaussian g = Gaussian.of(mean, new DMatrixRMaj(dim, dim, true, cov.data()));
      return new LevelModel.Mvg(g, n.path("shrinkage").asDouble(Double.NaN), n.path("n").asLong());
    } catch (NotPositiveDefiniteException e) {
      throw new ModelFileException(where + ": stored covariance is not positive definite");
    }
  }

  private static double[] vector(Map<String, NpyArray> arrays, JsonNode a, String key, int dim, String where)
      throws ModelFileException {
    NpyArray v = array(arrays, a, key, where);
    if (v.rank() != 1 || v.dim(0) != dim) {
      throw new ModelFileException(where + ": " + key + " has shape " + Arrays.toString(v.shape())
          + ", expected [" + dim + "]");
    }
    for (double x : v.data()) {
      if (!Double.isFinite(x)) {
        throw new ModelFileException(where + ": " + key + " holds a non-finite value");
      }
    }
    return v.data();
  }

  private static NpyArray array(Map<String, NpyArray> arrays, JsonNode a, String key, String where)
      throws ModelFileException {
    String path = a.path(key).asText(null);
    NpyArray v = path == null ? null : arrays.get(path);
    if (v == null) {
      throw new ModelFileException(where + ": array '" + key + "' is missing");
    }
    return v;
  }

  private static BackboneSpec backbone(JsonNode b, String name) throws ModelFileException {
    List<String> levelNames = new ArrayList<>();
    List<Integer> dims = new ArrayList<>();
    for (JsonNode l : b.path("levels")) {
      JsonNode dim = l.path("dim");
      if (!dim.canConvertToInt() || dim.asInt() < 1 || dim.asInt() > MAX_LEVEL_DIM) {
        throw new ModelFileException(name + ": manifest level '" + l.path("name").asText("?") + "' has feature size "
            + (dim.isValueNode() ? dim.asText() : dim.getNodeType()) + ", expected 1 to " + MAX_LEVEL_DIM);
      }
      levelNames.add(l.path("name").asText());
      dims.add(dim.asInt());
    }
    if (levelNames.isEmpty()) {
      throw new ModelFileException(name + ": manifest has no backbone levels");
    }
    try {
      return new BackboneSpec(text(b, "name", name), text(b, "onnxSha256", name), text(b, "inputName", name),
          b.path("inputSizePx").asInt(), Normalization.parse(text(b, "normalization", name)), levelNames, dims,
          b.has("int8") ? int8(b.path("int8"), name) : null);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(name + ": bad backbone description: " + e.getMessage());
    }
  }

  /** {@code backbone.int8}: how the int8 graph the model was fitted through was made (see {@link Int8Calibration}). */
  private static Int8Calibration int8(JsonNode q, String name) throws ModelFileException {
    String where = name + ": manifest backbone.int8";
    JsonNode list = q.path("ranges");
    JsonNode images = q.path("calibrationImages");
    JsonNode elementwise = q.path("elementwise");
    if (!q.isObject() || !list.isArray() || !images.canConvertToInt() || !elementwise.isBoolean()) {
      throw new ModelFileException(where + ": expected an object with graphSha256, calibrationImages, elementwise "
          + "and ranges");
    }
    if (list.size() > Int8Calibration.MAX_RANGES) {
      throw new ModelFileException(where + ": " + list.size() + " ranges, at most " + Int8Calibration.MAX_RANGES);
    }
    List<Int8Calibration.Range> ranges = new ArrayList<>(list.size());
    for (JsonNode r : list) {
      JsonNode lo = r.path("min");
      JsonNode hi = r.path("max");
      if (!r.path("name").isTextual() || !lo.isNumber() || !hi.isNumber()) {
        throw new ModelFileException(where + ": range " + ranges.size() + " needs a name, min and max");
      }
      try {
        ranges.add(new Int8Calibration.Range(r.path("name").asText(), lo.doubleValue(), hi.doubleValue()));
      } catch (IllegalArgumentException e) {
        throw new ModelFileException(where + ": " + e.getMessage());
      }
    }
    try {
      return new Int8Calibration(text(q, "graphSha256", name), images.asInt(), elementwise.asBoolean(), ranges);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(where + ": " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field, String name) throws ModelFileException {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new ModelFileException(name + ": manifest field '" + field + "' is missing");
    }
    return v.asText();
  }

  private static ObjectNode manifest(GaussianAdModel model, ArrayNode levels) {
    ModelInfo info = model.info();
    BackboneSpec b = info.backbone();
    ObjectNode m = JSON.createObjectNode();
    m.put("format", FORMAT);
    m.put("formatVersion", b.isInt8() ? INT8_VERSION : FLOAT_VERSION);
    m.put("mahaVersion", info.mahaVersion());
    m.put("createdAt", info.createdAt());
    ObjectNode java = m.putObject("java");
    java.put("version", info.javaVersion());
    java.put("osArch", info.osArch());
    ObjectNode bb = m.putObject("backbone");
    bb.put("name", b.name());
    bb.put("onnxSha256", b.onnxSha256());
    if (info.backboneFile() != null) {
      bb.put("onnxFile", info.backboneFile());
    }
    bb.put("inputName", b.inputName());
    bb.put("inputSizePx", b.inputSizePx());
    bb.put("normalization", b.normalization().id());
    ArrayNode bl = bb.putArray("levels");
    for (int i = 0; i < b.levelNames().size(); i++) {
      bl.addObject().put("name", b.levelNames().get(i)).put("dim", b.levelDims().get(i));
    }
    if (b.isInt8()) {
      Int8Calibration q = b.int8();
      ObjectNode qn = bb.putObject("int8");
      qn.put("graphSha256", q.graphSha256());
      qn.put("calibrationImages", q.images());
      qn.put("elementwise", q.elementwise());
      ArrayNode rn = qn.putArray("ranges");
      for (Int8Calibration.Range r : q.ranges()) {
        rn.addObject().put("name", r.name()).put("min", r.min()).put("max", r.max());
      }
    }
    ObjectNode pre = m.putObject("preprocessing");
    pre.put("decode", "RGB 8-bit; gray replicated to 3 channels; alpha dropped; 16-bit >> 8");
    pre.put("resize", "OpenCV INTER_LINEAR on uint8 to " + b.inputSizePx() + "x" + b.inputSizePx()
        + ", no crop, no antialiasing");
    pre.put("normalization", b.normalization().id());
    pre.put("pooling", "global average over HxW per level");
    m.put("variant", model.variant().id());
    m.put("score", "mean over levels of per-level distances");
    ObjectNode train = m.putObject("train");
    train.put("source", info.trainSource());
    train.put("n", info.nTrain());
    m.set("levels", levels);
    if (model.statistics() != null) {
      ArrayNode history = m.putArray("history");
      for (TrainingStatistics.Step step : model.statistics().history()) {
        ObjectNode h = history.addObject();
        h.put("action", step.action());
        h.put("source", step.source());
        h.put("n", step.n());
        if (step.modelFile() != null) {
          h.put("modelFile", step.modelFile());
          h.put("modelSha256", step.modelSha256());
        }
        h.put("at", step.at());
        h.put("id", step.id());
        if (step.images() != null) {
          h.put("images", step.images().count());
          h.put("imagesSha256", step.images().hex());
        }
      }
    }
    model.threshold().ifPresent(c -> {
      ObjectNode cn = m.putObject("calibration");
      cn.put("method", "split-conformal quantile of good-image scores");
      cn.put("threshold", c.threshold());
      cn.put("targetFpr", c.targetFpr());
      cn.put("n", c.n());
      cn.put("guaranteed", c.guaranteed());
      cn.put("source", c.source());
      if (c.keepsScores()) {
        cn.put("scores", CALIBRATION_SCORES);
      }
    });
    return m;
  }

  private static ObjectNode levelNode(int index, String name, String dir, LevelModel level, Map<String, byte[]> out) {
    ObjectNode n = JSON.createObjectNode();
    n.put("index", index);
    n.put("name", name);
    n.put("inputDim", level.inputDim());
    ObjectNode arrays = JSON.createObjectNode();
    if (level instanceof LevelModel.Mvg m) {
      n.put("kind", "mvg");
      mvgNode(n, arrays, dir, m, out);
    } else if (level instanceof LevelModel.L2 l) {
      n.put("kind", "l2");
      n.put("n", l.n());
      n.put("modelDim", l.inputDim());
      arrays.put("mean", add(out, dir + "mean.npy", vec(l.mean())));
    } else if (level instanceof LevelModel.Sed s) {
      n.put("kind", "sed");
      n.put("n", s.n());
      n.put("modelDim", s.inputDim());
      n.put("constantFeatures", s.constantFeatures());
      arrays.put("mean", add(out, dir + "mean.npy", vec(s.mean())));
      arrays.put("std", add(out, dir + "std.npy", vec(s.std())));
    } else if (level instanceof LevelModel.Zero z) {
      n.put("kind", "zero");
      n.put("n", z.n());
      n.put("modelDim", 0);
    } else if (level instanceof LevelModel.Projected p) {
      n.put("kind", "projected");
      n.put("firstComponent", p.firstComponent());
      n.put("totalComponents", p.totalComponents());
      arrays.put("pca_mean", add(out, dir + "pca_mean.npy", vec(p.pcaMean())));
      arrays.put("pca_components", add(out, dir + "pca_components.npy", mat(p.components())));
      mvgNode(n, arrays, dir, p.inner(), out);
    }
    n.set("arrays", arrays);
    return n;
  }

  private static ObjectNode statisticsNode(String dir, ScatterStatistics s, Map<String, byte[]> out) {
    ObjectNode n = JSON.createObjectNode();
    n.put("n", s.n());
    n.put("sumFourthPowers", s.q());
    ObjectNode arrays = n.putObject("arrays");
    arrays.put("mean", add(out, dir + "stats_mean.npy", vec(s.mean())));
    arrays.put("scatter", add(out, dir + "stats_scatter.npy", mat(s.scatter())));
    arrays.put("u", add(out, dir + "stats_u.npy", vec(s.u())));
    return n;
  }

  private static void mvgNode(ObjectNode n, ObjectNode arrays, String dir, LevelModel.Mvg m, Map<String, byte[]> out) {
    Gaussian g = m.gaussian();
    n.put("modelDim", g.dim());
    n.put("n", m.n());
    n.put("shrinkage", m.shrinkage());
    // λ_max/λ_min from the eigenvalues (the Cholesky diagonal only bounds it from below, by up to two decades)
    n.put("log10ConditionNumber", g.logConditionNumber() / Math.log(10));
    arrays.put("mean", add(out, dir + "mean.npy", vec(g.mean())));
    arrays.put("covariance", add(out, dir + "covariance.npy", mat(g.covariance())));
    arrays.put("cholesky", add(out, dir + "cholesky.npy", mat(g.choleskyLower())));
  }

  private static String add(Map<String, byte[]> out, String path, NpyArray a) {
    out.put(path, Npy.toBytes(a));
    return path;
  }

  private static NpyArray vec(double[] v) {
    return NpyArray.ofDoubles(v, v.length);
  }

  private static NpyArray mat(DMatrixRMaj m) {
    return NpyArray.ofDoubles(m.getData().length == m.numRows * m.numCols
        ? m.getData().clone()
        : Arrays.copyOf(m.getData(), m.numRows * m.numCols), m.numRows, m.numCols);
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTime(0L);
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  /**
   * The inflated bytes of entry {@code path}, refused as soon as more than {@code limit} come out (the declared
   * size is checked first, but a zip bomb lies about it, so the stream is counted too).
   */
  private static byte[] entry(ZipFile zip, String path, String name, long limit)
      throws ModelFileException, IOException {
    ZipEntry e = zip.getEntry(path);
    if (e == null) {
      throw new ModelFileException(name + ": entry " + path + " is missing");
    }
    try (InputStream in = zip.getInputStream(e)) {
      return bounded(e, in, path, name, limit);
    }
  }

  private static byte[] bounded(ZipEntry e, InputStream in, String path, String name, long limit)
      throws ModelFileException, IOException {
    if (e.getSize() > limit) {
      throw new ModelFileException(name + ": entry " + path + " claims " + e.getSize() + " bytes, more than the "
          + limit + " it may have (corrupt, or a zip bomb)");
    }
    try {
      // sized from the entry's declared size when it has one (the limit still applies to what actually inflates)
      ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.max(32, Math.min(e.getSize(), limit)));
      byte[] chunk = new byte[65536];
      long total = 0;
      int r;
      while ((r = in.read(chunk)) > 0) {
        total += r;
        if (total > limit) {
          throw new ModelFileException(name + ": entry " + path + " inflates to more than " + limit + " bytes, the "
              + "most it may have (corrupt, or a zip bomb)");
        }
        buf.write(chunk, 0, r);
      }
      return buf.toByteArray();
    } catch (ZipException ex) {
      throw new ModelFileException(name + ": entry " + path + " is corrupt (" + ex.getMessage() + ")");
    }
  }

  static String sha256(byte[] data) {
    return Sha256.of(data);
  }

}
