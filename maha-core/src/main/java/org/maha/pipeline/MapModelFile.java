package org.maha.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.LevelGrid;
import org.maha.maps.PositionGaussians;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelFileException;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.npy.NpyFormatException;

/**
 * A {@code .maha} file with an optional map model: the manifest's {@code maps} section ({@link ModelFile.Section})
 * and three float64 arrays.
 *
 * <pre>
 * maps/mean.npy       (P, D)          float64   per-position means, P = H·W of the first level's grid
 * maps/cholesky.npy   (P, D(D+1)/2)   float64   packed lower Cholesky factors ({@link PositionGaussians}); float32
 *                                               when written with {@code float32Factors} (half the size)
 * maps/shrinkage.npy  (P,)            float64   Ledoit–Wolf shrinkage per position
 * </pre>
 *
 * The format version stays 2: the section's checksums are listed inside it, so a maha without maps loads such a
 * file as the image model it also is, and files without maps are written exactly as before. Reading bounds
 * P·D² (and the heap) from the manifest before any entry is inflated, then checks shapes, finiteness and the
 * factors' positive diagonals.
 */
public final class MapModelFile {
  public static final String KEY = "maps";
  static final String MEAN = KEY + "/mean.npy";
  static final String CHOLESKY = KEY + "/cholesky.npy";
  static final String SHRINKAGE = KEY + "/shrinkage.npy";
  /** Largest grid side accepted (a 224-px input gives 56 at stride 4; 4096 px at stride 4 gives 1024). */
  static final int MAX_GRID_SIDE = 1024;

  private MapModelFile() {}

  /** A model with its map model and scale, each null where the file has none. */
  public record Stored(GaussianAdModel model, MapModel maps, MapScale scale) {}

  /** Writes {@code model} with {@code maps} (and {@code scale}, may be null) atomically, all in float64. */
  public static void write(GaussianAdModel model, MapModel maps, MapScale scale, Path target) throws IOException {
    write(model, maps, scale, target, List.of(), false);
  }

  /** As {@link #write(GaussianAdModel, MapModel, MapScale, Path)}, with other sections (e.g. the tiling). */
  public static void write(GaussianAdModel model, MapModel maps, MapScale scale, Path target,
      List<ModelFile.Section> others) throws IOException {
    write(model, maps, scale, target, others, false);
  }

  /**
   * As {@link #write(GaussianAdModel, MapModel, MapScale, Path, List)}; with {@code float32Factors} the Cholesky
   * factors are stored rounded to float32 (the file's largest array, so the file about halves; measured on the demo
   * set: maps within 1.2e-8 relative of float64's, see README). Reading turns them back into float64.
   *
   * @throws IllegalArgumentException when a factor's diagonal entry is not a positive finite float32
   */
  public static void write(GaussianAdModel model, MapModel maps, MapScale scale, Path target,
      List<ModelFile.Section> others, boolean float32Factors) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode n = f.objectNode();
    n.put("method", "Gaussian per grid position (Ledoit-Wolf), Mahalanobis map; PaDiM with shrinkage");
    ArrayNode levels = n.putArray("levels");
    for (int k = 0; k < maps.levels().size(); k++) {
      LevelGrid g = maps.grids().get(k);
      levels.addObject().put("name", maps.levels().get(k)).put("channels", g.channels()).put("height", g.height())
          .put("width", g.width());
    }
    ArrayNode channels = n.putArray("channels");
    maps.channels().forEach(channels::add);
    n.put("seed", maps.seed());
    n.put("sigmaPx", maps.sigmaPx());
    PositionGaussians g = maps.gaussians();
    n.put("n", g.n());
    n.put("height", g.height());
    n.put("width", g.width());
    ObjectNode arrays = n.putObject("arrays");
    arrays.put("mean", MEAN).put("cholesky", CHOLESKY).put("shrinkage", SHRINKAGE);
    if (float32Factors) { // informative: the reader takes the dtype from the .npy header
      n.put("choleskyDtype", "float32");
    }
    if (scale != null) {
      n.putObject("scale").put("calm", scale.calm()).put("contour", scale.contour())
          .put("targetFpr", scale.targetFpr()).put("images", scale.images()).put("source", scale.source());
    }
    int p = g.height() * g.width();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put(MEAN, Npy.toBytes(NpyArray.ofDoubles(g.means(), p, g.channels())));
    NpyArray cholesky = NpyArray.ofDoubles(g.packedLower(), p, PositionGaussians.packedSize(g.channels()));
    if (float32Factors) {
      double[] lower = g.packedLower();
      int packed = PositionGaussians.packedSize(g.channels());
      for (int pos = 0; pos < p; pos++) {
        for (int i = 0; i < g.channels(); i++) {
          float d = (float) lower[pos * packed + i * (i + 1) / 2 + i];
          if (!(d > 0) || !Float.isFinite(d)) {
            throw new IllegalArgumentException("Cholesky diagonal " + i + " at position " + pos + " is " + d
                + " in float32; store the factors in float64");
          }
        }
      }
      cholesky = cholesky.asFloat32();
    }
    entries.put(CHOLESKY, Npy.toBytes(cholesky));
    entries.put(SHRINKAGE, Npy.toBytes(NpyArray.ofDoubles(g.shrinkage(), p)));
    List<ModelFile.Section> sections = new ArrayList<>(others);
    sections.add(new ModelFile.Section(KEY, n, entries));
    ModelFile.write(model, target, sections);
  }

  /**
   * Reads a model file and its map model if it has one.
   *
   * @throws ModelFileException naming the file and what is wrong with the model or its maps
   */
  public static Stored read(Path file) throws ModelFileException {
    String name = file.toString();
    ModelFile.Loaded<Stored> l = ModelFile.read(file, KEY, (model, node, entries) -> parse(node, entries, model,
        name));
    return l.section() != null ? l.section() : new Stored(l.model(), null, null);
  }

  /**
   * Reads a model file held in memory (an upload, or a served model's bytes) and its map model if it has one, with
   * exactly the checks of {@link #read(Path)} ({@link ModelFile#read(byte[], String, String,
   * ModelFile.SectionReader)} stages the bytes in a private temporary file).
   *
   * @param name how messages name it
   * @throws ModelFileException naming it and what is wrong with the model or its maps
   */
  public static Stored read(byte[] data, String name) throws ModelFileException {
    ModelFile.Loaded<Stored> l = ModelFile.read(data, name, KEY, (model, node, entries) -> parse(node, entries,
        model, name));
    return l.section() != null ? l.section() : new Stored(l.model(), null, null);
  }

  private static Stored parse(JsonNode n, ModelFile.SectionEntries entries, GaussianAdModel model, String name)
      throws ModelFileException, IOException {
    String where = name + ": maps";
    BackboneSpec spec = model.info().backbone();
    List<String> levels = new ArrayList<>();
    List<LevelGrid> grids = new ArrayList<>();
    for (JsonNode l : n.path("levels")) {
      String level = l.path("name").asText("");
      int i = spec.levelNames().indexOf(level);
      if (i < 0) {
        throw new ModelFileException(where + ": level '" + level + "' is not a level of the model's backbone "
            + spec.levelNames());
      }
      int c = l.path("channels").asInt(-1);
      int h = l.path("height").asInt(-1);
      int w = l.path("width").asInt(-1);
      if (c != spec.levelDims().get(i) || h < 1 || h > MAX_GRID_SIDE || w < 1 || w > MAX_GRID_SIDE) {
        throw new ModelFileException(where + ": level '" + level + "' is " + c + " x " + h + " x " + w
            + ", expected " + spec.levelDims().get(i) + " channels on a grid of 1 to " + MAX_GRID_SIDE + " per side");
      }
      levels.add(level);
      grids.add(new LevelGrid(c, h, w));
    }
    if (levels.isEmpty() || levels.size() > spec.levelNames().size()) {
      throw new ModelFileException(where + ": lists " + levels.size() + " levels, expected 1 to "
          + spec.levelNames().size());
    }
    JsonNode ch = n.path("channels");
    int d = ch.size();
    if (!ch.isArray() || d < 1 || d > MapSettings.MAX_CHANNELS) {
      throw new ModelFileException(where + ": keeps " + d + " channels, expected 1 to " + MapSettings.MAX_CHANNELS);
    }
    List<Integer> channels = new ArrayList<>(d);
    for (JsonNode c : ch) {
      if (!c.canConvertToInt()) {
        throw new ModelFileException(where + ": channel index " + c + " is not an integer");
      }
      channels.add(c.asInt());
    }
    int h = grids.get(0).height();
    int w = grids.get(0).width();
    if (n.path("height").asInt(-1) != h || n.path("width").asInt(-1) != w) {
      throw new ModelFileException(where + ": Gaussians on a " + n.path("height").asText() + " x "
          + n.path("width").asText() + " grid, the first level's is " + h + " x " + w);
    }
    long p = (long) h * w;
    long packed = (long) d * (d + 1) / 2;
    // P·D² bounds the largest entry: refuse it, and the whole held twice (bytes and doubles), before inflating
    long choleskyValues = p * packed;
    long totalBytes = 8 * (choleskyValues + p * d + p) + 3 * 256;
    long heap = Runtime.getRuntime().maxMemory();
    if (8 * choleskyValues + 256 > Integer.MAX_VALUE - 8 || 2 * totalBytes > heap) {
      throw new ModelFileException(where + ": " + d + " channels on a " + h + " x " + w + " grid need "
          + (totalBytes >> 20) + " MB, more than " + (8 * choleskyValues + 256 > Integer.MAX_VALUE - 8
          ? "one array holds" : "this Java heap (" + (heap >> 20) + " MB) can load; give Java more memory "
          + "(e.g. MAHA_JAVA_OPTS=-Xmx8g)"));
    }
    double[] mean = array(entries, MEAN, where, (int) p, d);
    double[] lower = array(entries, CHOLESKY, where, (int) p, (int) packed);
    double[] shrinkage = array(entries, SHRINKAGE, where, (int) p, -1);
    for (double s : shrinkage) {
      if (!(s >= 0 && s <= 1)) {
        throw new ModelFileException(where + ": a shrinkage is " + s + ", expected 0 to 1");
      }
    }
    long count = n.path("n").asLong(-1);
    double sigma = n.path("sigmaPx").asDouble(Double.NaN);
    if (count < 2 || !(sigma > 0 && sigma <= MapSettings.MAX_SIGMA_PX) || !n.path("seed").canConvertToLong()) {
      throw new ModelFileException(where + ": n, seed or sigmaPx is missing or out of range");
    }
    MapModel maps;
    try {
      PositionGaussians g = new PositionGaussians(d, h, w, count, mean, lower, shrinkage);
      maps = new MapModel(levels, grids, channels, n.path("seed").asLong(), sigma, g);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(where + ": " + e.getMessage());
    }
    MapScale scale = null;
    JsonNode s = n.path("scale");
    if (s.isObject()) {
      try {
        scale = new MapScale(s.path("calm").asDouble(Double.NaN), s.path("contour").asDouble(Double.NaN),
            s.path("targetFpr").asDouble(Double.NaN), s.path("images").asInt(-1), s.path("source").asText(""));
      } catch (IllegalArgumentException e) {
        throw new ModelFileException(where + ": scale: " + e.getMessage());
      }
    }
    return new Stored(model, maps, scale);
  }

  /** Entry {@code path}: shape (rows, cols) or (rows,) where cols is -1, every value finite. */
  private static double[] array(ModelFile.SectionEntries entries, String path, String where, int rows, int cols)
      throws ModelFileException, IOException {
    long values = (long) rows * Math.max(1, cols);
    byte[] bytes = entries.read(path, 8 * values + 256);
    NpyArray a;
    try {
      a = Npy.read(bytes, values);
    } catch (NpyFormatException e) {
      throw new ModelFileException(where + ": entry " + path + ": " + e.getMessage());
    }
    int[] want = cols < 0 ? new int[] {rows} : new int[] {rows, cols};
    if (!Arrays.equals(a.shape(), want)) {
      throw new ModelFileException(where + ": entry " + path + " has shape " + Arrays.toString(a.shape())
          + ", expected " + Arrays.toString(want));
    }
    double[] data = a.data();
    for (double v : data) {
      if (!Double.isFinite(v)) {
        throw new ModelFileException(where + ": entry " + path + " holds a non-finite value");
      }
    }
    return data;
  }
}
