package org.maha.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maha.files.AtomicFiles;
import org.maha.files.Csv;
import org.maha.backbone.Backbone;
import org.maha.backbone.BackboneSpec;
import org.maha.files.InputFiles;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/**
 * {@code maha embed}: pooled per-level features of a list of images as one {@code .npy} per level (rows in
 * the order of {@code index.csv}: {@code row,image}, quoted, so any file name keeps its row; {@code index.txt},
 * one name per line, is still written when no name holds a line break), plus {@code embed.json} describing the
 * backbone and listing the files. A second run into the same folder removes the level files of the first that it
 * did not rewrite.
 */
public final class Embedding {
  private Embedding() {}

  /** What was written. */
  public record Outcome(List<Path> files, int rows, List<Skipped> skipped) {}

  /**
   * @param float32 write float32 instead of float64 (the features are computed in float64 from the
   *     network's float32 maps; float64 keeps them exactly as the model sees them)
   */
  public static Outcome run(FeatureExtractor extractor, List<Path> images, Path outDir, boolean float32,
      boolean skipUnreadable, ProgressListener progress) throws Exception {
    BackboneSpec spec = extractor.backbone().spec();
    int levels = spec.levelNames().size();
    List<Path> order = new ArrayList<>();
    List<List<double[]>> rows = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      rows.add(new ArrayList<>());
    }
    List<Skipped> skipped = extractor.extract(images, skipUnreadable, "embed", progress, (i, p, f) -> {
      order.add(p);
      for (int l = 0; l < levels; l++) {
        rows.get(l).add(f[l]);
      }
    });
    return new Outcome(write(spec, order, rows, outDir, float32, "images"), order.size(), skipped);
  }

  /**
   * Like {@link #run}, but for input tensors already prepared by the caller ({@code tensors}: a {@code .npy} of
   * shape [N, 3, S, S], float32 or float64, normalised as the backbone expects), skipping decoding, resizing and
   * normalisation: for checking a backbone against another framework on exactly the same input. Rows of the
   * index read {@code FILE[i]}.
   */
  public static Outcome runTensors(Backbone backbone, Path tensors, Path outDir, boolean float32,
      ProgressListener progress) throws Exception {
    BackboneSpec spec = backbone.spec();
    int s = spec.inputSizePx();
    NpyArray a;
    try {
      long heap = Runtime.getRuntime().maxMemory(); // the doubles read, then a float copy: within half the heap
      a = Npy.read(InputFiles.readRegular(tensors, heap / 4), heap / 32);
    } catch (NoSuchFileException e) {
      throw new InputException(tensors, "no such file");
    } catch (InputFiles.RefusedException e) {
      throw new InputException(tensors, e.getMessage());
    } catch (NpyFormatException e) {
      throw new InputException(tensors, "not a readable .npy file (" + e.getMessage() + ")");
    }
    if (a.rank() != 4 || a.dim(1) != 3 || a.dim(2) != s || a.dim(3) != s || a.dim(0) < 1) {
      throw new InputException(tensors, "expected shape [N, 3, " + s + ", " + s + "] (the backbone's input, "
          + "normalised " + spec.normalization().id() + "), found " + java.util.Arrays.toString(a.shape()));
    }
    int n = a.dim(0);
    double[] data = a.data();
    float[] x = new float[data.length];
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(data[i])) {
        throw new InputException(tensors, "value " + data[i] + " at flat index " + i + " is not finite");
      }
      x[i] = (float) data[i];
    }
    progress.progress("embed tensors", 0, n);
    double[][][] out = backbone.extract(x, n); // split into the graph's batch size by the backbone
    progress.progress("embed tensors", n, n);
    List<Path> order = new ArrayList<>();
    List<List<double[]>> rows = new ArrayList<>();
    for (double[][] level : out) {
      rows.add(List.of(level));
    }
    for (int i = 0; i < n; i++) {
      order.add(Path.of(tensors.getFileName() + "[" + i + "]"));
    }
    return new Outcome(write(spec, order, rows, outDir, float32, tensors.toString()), n, List.of());
  }

  /** Writes one .npy per level, the index and embed.json atomically; returns the files written. */
  private static List<Path> write(BackboneSpec spec, List<Path> order, List<List<double[]>> rows, Path outDir,
      boolean float32, String input) throws java.io.IOException {
    int levels = spec.levelNames().size();
    Map<String, byte[]> files = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode meta = json.createObjectNode();
    meta.put("backbone", spec.name());
    meta.put("onnxSha256", spec.onnxSha256());
    meta.put("inputSizePx", spec.inputSizePx());
    meta.put("normalization", spec.normalization().id());
    meta.put("rows", order.size());
    meta.put("input", input);
    meta.put("index", INDEX_CSV);
    meta.put("dtype", float32 ? "float32" : "float64");
    ArrayNode lv = meta.putArray("levels");
    Set<String> used = new HashSet<>();
    for (int l = 0; l < levels; l++) {
      int d = spec.levelDims().get(l);
      double[] data = new double[order.size() * d];
      for (int i = 0; i < order.size(); i++) {
        System.arraycopy(rows.get(l).get(i), 0, data, i * d, d);
      }
      NpyArray a = NpyArray.ofDoubles(data, order.size(), d);
      String file = fileName(spec.levelNames().get(l), l, used);
      files.put(file, Npy.toBytes(float32 ? a.asFloat32() : a));
      lv.addObject().put("index", l).put("name", spec.levelNames().get(l)).put("dim", d).put("file", file);
    }
    StringBuilder csv = new StringBuilder(Csv.row("row", "image"));
    boolean singleLines = true;
    for (int i = 0; i < order.size(); i++) {
      String name = order.get(i).toString();
      csv.append(Csv.row(i, name));
      singleLines &= name.indexOf('\n') < 0 && name.indexOf('\r') < 0;
    }
    files.put(INDEX_CSV, csv.toString().getBytes(StandardCharsets.UTF_8));
    if (singleLines) {
      // the earlier index format (one name per line), for existing readers; left out when a name holds a
      // line break, since its rows would then no longer match the .npy rows
      StringBuilder text = new StringBuilder();
      order.forEach(p -> text.append(p).append('\n'));
      files.put(INDEX_TXT, text.toString().getBytes(StandardCharsets.UTF_8));
    }
    ArrayNode listed = meta.putArray("files");
    files.keySet().forEach(listed::add);
    listed.add(EMBED_JSON);
    Set<String> earlier = earlierFiles(outDir);
    files.put(EMBED_JSON, json.writeValueAsBytes(meta));
    AtomicFiles.writeAll(outDir, files);
    // an earlier run's level files that this run did not rewrite (other levels) would sit beside the new ones as
    // if they belonged to them: remove them, but only names the earlier embed.json says maha wrote
    for (String name : earlier) {
      if (!files.containsKey(name)) {
        Files.deleteIfExists(outDir.resolve(name));
      }
    }
    List<Path> written = new ArrayList<>();
    for (String f : files.keySet()) {
      written.add(outDir.resolve(f));
    }
    return written;
  }

  static final String INDEX_CSV = "index.csv";
  static final String INDEX_TXT = "index.txt";
  static final String EMBED_JSON = "embed.json";
  /** An embed.json is a few KB; anything much larger is not one of ours and is not read. */
  private static final long MAX_EMBED_JSON_BYTES = 1 << 20;

  /**
   * The files an earlier {@code embed} into {@code dir} wrote, by its embed.json (its level files, its index and,
   * now, its "files" list); only plain names of regular files maha writes (.npy, index.txt, index.csv), so a
   * damaged or foreign embed.json can never make maha delete anything else. Empty when there is none.
   */
  static Set<String> earlierFiles(Path dir) {
    Set<String> names = new java.util.TreeSet<>();
    Path meta = dir.resolve(EMBED_JSON);
    try {
      if (!Files.isRegularFile(meta, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          || Files.size(meta) > MAX_EMBED_JSON_BYTES) {
        return names;
      }
      com.fasterxml.jackson.databind.JsonNode root = new ObjectMapper().readTree(meta.toFile());
      List<com.fasterxml.jackson.databind.JsonNode> candidates = new ArrayList<>();
      candidates.add(root.path("index"));
      root.path("levels").forEach(l -> candidates.add(l.path("file")));
      root.path("files").forEach(candidates::add);
      for (com.fasterxml.jackson.databind.JsonNode n : candidates) {
        String name = n.isTextual() ? n.asText() : "";
        boolean ours = name.equals(INDEX_TXT) || name.equals(INDEX_CSV)
            || (name.endsWith(".npy") && name.equals(fileName(name.substring(0, name.length() - 4), 0, new HashSet<>())));
        if (ours && !name.startsWith(".") && Files.isRegularFile(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          names.add(name);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      names.clear(); // not an embed.json maha wrote: delete nothing
    }
    return names;
  }

  private static String fileName(String level, int index, Set<String> used) {
    String safe = level.replaceAll("[^A-Za-z0-9_.-]", "_");
    String name = (safe.isEmpty() || safe.startsWith(".") ? "level_" + index : safe) + ".npy";
    if (!used.add(name) || name.equals(INDEX_TXT) || name.equals(INDEX_CSV) || name.equals(EMBED_JSON)) {
      name = "level_" + index + "_" + name;
      used.add(name);
    }
    return name;
  }
}
