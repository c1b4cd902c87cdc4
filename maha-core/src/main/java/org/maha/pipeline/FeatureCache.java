package org.maha.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.maha.backbone.BackboneSpec;
import org.maha.files.AtomicFiles;
import org.maha.files.Sha256;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/**
 * Pooled features stored on disk so that a rerun (another variant, level, fold or report) does not run the
 * backbone again. An entry is keyed by the backbone's identity (ONNX SHA-256, levels, input size, normalisation)
 * and a caller-given description of the images (e.g. file paths with sizes and times, or a data set's SHA-256);
 * it holds one float64 {@code .npy} per level ([images, dim]) and a {@code meta.json}. A corrupt entry is
 * treated as missing.
 */
public final class FeatureCache {
  private final Path root;

  public FeatureCache(Path root) {
    this.root = root;
  }

  /** The key of {@code images} seen through {@code backbone}. */
  public static String key(BackboneSpec backbone, String images) {
    return Sha256.of((backbone.onnxSha256() + "|" + backbone.levelNames() + "|" + backbone.levelDims() + "|"
        + backbone.inputSizePx() + "|" + backbone.normalization().id() + "|" + images)
        .getBytes(StandardCharsets.UTF_8));
  }

  /** Features {@code [level][image][feature]} stored under {@code key}, if present and intact. */
  public Optional<double[][][]> load(String key, BackboneSpec backbone) {
    Path dir = root.resolve(key);
    if (!Files.isRegularFile(dir.resolve("meta.json"))) {
      return Optional.empty();
    }
    try {
      JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
      int n = meta.path("images").asInt(-1);
      int levels = backbone.levelNames().size();
      double[][][] out = new double[levels][][];
      for (int l = 0; l < levels; l++) {
        NpyArray a = Npy.read(Files.readAllBytes(dir.resolve("level_" + l + ".npy")));
        if (a.rank() != 2 || a.dim(0) != n || a.dim(1) != backbone.levelDims().get(l)) {
          return Optional.empty();
        }
        out[l] = a.rows();
      }
      return Optional.of(out);
    } catch (IOException | NpyFormatException e) {
      return Optional.empty();
    }
  }

  /** Stores {@code features} ([level][image][feature]) under {@code key}, atomically. */
  public void store(String key, String description, double[][][] features) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    int n = features[0].length;
    for (int l = 0; l < features.length; l++) {
      int d = n == 0 ? 0 : features[l][0].length;
      double[] flat = new double[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(features[l][i], 0, flat, i * d, d);
      }
      files.put("level_" + l + ".npy", Npy.toBytes(NpyArray.ofDoubles(flat, n, d)));
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("images", n);
    meta.put("description", description);
    files.put("meta.json", new ObjectMapper().writeValueAsBytes(meta));
    AtomicFiles.writeAll(root.resolve(key), files);
  }
}
