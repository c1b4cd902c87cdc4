package org.maha.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.MahaException;

/**
 * The models being served, by name, and the detectors that run them. Models whose backbone is the same ONNX file
 * (by SHA-256) with the same levels share one {@link Detector}, i.e. one native session, however many names use it.
 * A swap builds the new model completely (read, verified, matched to a backbone) before it replaces the old one in
 * a single map write: a request holds the {@link LoadedModel} it started with, so it finishes on the old model, and
 * a refused upload leaves the old model serving. Detectors live until {@link #close()}. A model file with anomaly
 * maps ({@code maha fit --maps}) is read with them ({@link FittedModel#loadWithMaps(byte[], String)}), at startup, on
 * a {@code PUT} and by {@code --watch-models}: they are the file's largest part (about 8·P·D²/2 bytes for P grid
 * positions and D channels: 130 MB at the default 56 × 56 grid and 100 channels) and stay in memory while the model
 * serves, twice for a moment during a swap; a file without maps is read as before.
 */
final class ModelRegistry implements AutoCloseable {
  /** An ONNX backbone file offered to the models, with its digest. */
  record Backbone(Path file, String sha256) {}

  private final ServeConfig config;
  private final List<Backbone> backbones;
  private final Map<String, Detector> detectors = new HashMap<>(); // guarded by this
  private final ConcurrentHashMap<String, LoadedModel> models = new ConcurrentHashMap<>();

  private ModelRegistry(ServeConfig config, List<Backbone> backbones) {
    this.config = config;
    this.backbones = backbones;
  }

  /**
   * Hashes the backbones, then loads every configured model; on failure closes what was opened.
   *
   * @throws ServeException naming the model or backbone file and the problem
   */
  static ModelRegistry open(ServeConfig config) throws ServeException {
    List<Backbone> bs = new ArrayList<>();
    for (Path p : config.backbones()) {
      try {
        bs.add(new Backbone(p, sha256(p)));
      } catch (IOException e) {
        throw new ServeException(p + ": cannot read the backbone (" + e.getMessage() + ")");
      }
    }
    ModelRegistry r = new ModelRegistry(config, List.copyOf(bs));
    try {
      for (Map.Entry<String, Path> e : config.models().entrySet()) {
        Path file = e.getValue();
        byte[] bytes = readBounded(file, config.limits().maxModelBytes());
        r.models.put(e.getKey(), r.build(e.getKey(), bytes, file.toString()));
      }
    } catch (ServeException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** The model served under {@code name}, or null. */
  LoadedModel get(String name) {
    return models.get(name);
  }

  /** The served names, sorted. */
  List<String> names() {
    return models.keySet().stream().sorted().toList();
  }

  /** How many distinct detectors (native sessions) are open. */
  synchronized int detectorCount() {
    return detectors.size();
  }

  /**
   * Replaces the model served under {@code name} with the model file in {@code bytes}, atomically.
   *
   * @return the new model
   * @throws ServeException when the bytes are not a valid model for one of the backbones (the old model stays)
   */
  LoadedModel replace(String name, byte[] bytes) throws ServeException {
    LoadedModel m = build(name, bytes, "the uploaded model");
    models.put(name, m);
    return m;
  }

  /** Reads and verifies the model in {@code bytes} (a file's or an upload's), and opens or shares its detector. */
  private LoadedModel build(String name, byte[] bytes, String what) throws ServeException {
    FittedModel model;
    try {
      FittedModel plain = FittedModel.load(bytes, what);
      // with anomaly maps, keep them in memory (8·P·D²/2 bytes), so that a request may ask for them
      model = plain.hasMaps() ? FittedModel.loadWithMaps(bytes, what) : plain;
    } catch (MahaException e) {
      throw new ServeException(what + " for '" + name + "': " + e.getMessage().replaceFirst("^" + Pattern.quote(what)
          + ": ", ""));
    }
    Backbone b = backbones.stream().filter(x -> x.sha256().equals(model.backboneSha256())).findFirst()
        .orElseThrow(() -> new ServeException(what + " for '" + name + "' was fitted with the backbone "
            + model.backboneName() + " (ONNX sha256 " + model.backboneSha256().substring(0, 12) + "...), which is "
            + (backbones.isEmpty() ? "not available: give its ONNX file"
                : "none of the backbones given (" + describe() + ")")));
    Detector d = detector(b, model, what, name);
    return new LoadedModel(name, model, sha256(bytes), d, b.file().toString(), Instant.now());
  }

  /**
   * The detector of the model's backbone file, levels and normalisation (one per distinct triple), opened with the
   * normalisation the model was fitted at, so an ONNX file that is not a preset serves a model fitted with
   * {@code --normalization minus1to1}; the model is checked against it before it serves.
   */
  private synchronized Detector detector(Backbone b, FittedModel model, String what, String name)
      throws ServeException {
    String key = b.sha256() + " " + model.levels() + " " + model.normalization();
    Detector d = detectors.get(key);
    boolean opened = d == null;
    if (opened) {
      try {
        d = Detector.builder().onnx(b.file()).levels(model.levels().toArray(String[]::new))
            .normalization(model.normalization()).threads(config.threads()).decodeThreads(config.decodeThreads())
            .maxImagePixels(config.limits().maxPixels()).maxEncodedBytes(config.limits().maxBodyBytes()).build();
      } catch (MahaException e) {
        throw new ServeException(b.file() + ": " + e.getMessage());
      }
    }
    try {
      d.checkCompatible(model); // before it serves
    } catch (MahaException e) {
      if (opened) {
        d.close();
      }
      throw new ServeException(what + " for '" + name + "': " + e.getMessage());
    }
    if (opened) {
      detectors.put(key, d);
      d.warnings().forEach(w -> config.log().accept("warning: " + w));
    }
    return d;
  }

  private String describe() {
    return String.join(", ", backbones.stream().map(x -> x.file() + " sha256 " + x.sha256().substring(0, 12) + "...")
        .toList());
  }

  /** Reads a whole file of at most {@code max} bytes, refusing a larger one before reading it. */
  static byte[] readBounded(Path file, long max) throws ServeException {
    try {
      long size = Files.size(file);
      if (size > max) {
        throw new ServeException(file + ": " + size + " bytes, more than the limit of " + max);
      }
      try (InputStream in = Files.newInputStream(file)) {
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
        if (b.length > max) {
          throw new ServeException(file + ": grew past the limit of " + max + " bytes while read");
        }
        return b;
      }
    } catch (IOException e) {
      throw new ServeException(file + ": cannot read it (" + e.getClass().getSimpleName().replace("Exception", "")
          .replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) + ")");
    }
  }

  static String sha256(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** The file's SHA-256, streamed (a backbone may be hundreds of MB). */
  static String sha256(Path file) throws IOException {
    java.security.MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0;) {
        md.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static java.security.MessageDigest digest() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes every detector (waiting for calls in progress). */
  @Override
  public synchronized void close() {
    for (Detector d : detectors.values()) {
      d.close();
    }
    detectors.clear();
  }
}
