package org.maha.zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.maha.arch.ArchitectureException;
import org.maha.arch.EfficientNet;
import org.maha.catalog.BackboneFamily;
import org.maha.catalog.CatalogEntry;
import org.maha.catalog.DownloadListener;
import org.maha.catalog.LocalWeights;
import org.maha.catalog.WeightCache;
import org.maha.catalog.WeightCacheException;
import org.maha.files.AtomicFiles;
import org.maha.files.Sha256;
import org.maha.weights.Tensor;
import org.maha.weights.WeightFileException;

/**
 * Named backbones as ONNX graphs: weights (official, a user's file, or a seeded random initialisation) →
 * the family's {@link GraphBuilderForFamily} → a cached graph with provenance.
 *
 * <p>Cache layout, under the weight cache's root: {@code graphs/<key>/<display name>.onnx} and
 * {@code graphs/<key>/provenance.json}, where {@code <key>} is {@code <name>-<first 12 hex digits of the weights'
 * SHA-256>-<builder version>} ({@code -random<seed>} in place of the hash for random weights, {@code -o<hash>}
 * appended when there are build overrides). The graph file is named after the display name because
 * {@code OnnxBackbone} names a backbone after its file, and that name is what model files record. Both files are
 * written together atomically; a graph is rebuilt only when missing or when its bytes no longer match the
 * provenance's hash. A graph depends only on the weights' content and file name, so the same weights give the same
 * ONNX SHA-256 on every machine.
 */
public final class BackboneZoo {

  /** Appended to the display name of every backbone built from random weights. */
  public static final String RANDOM_INIT_SUFFIX = " (random init, NOT pretrained)";
  /** Override key: {@code "true"} adds the full maps {@code L0_map, ...} as outputs. */
  public static final String OVERRIDE_MAPS = "maps";
  /**
   * Override key: {@code "true"} adds the classifier outputs where the family's default graph leaves them out
   * (MobileNetV2: {@code logits} and {@code probabilities}, 1001 classes with background first).
   */
  public static final String OVERRIDE_CLASSIFIER = "classifier";
  /** Override key: square input size in pixels instead of the catalog's. */
  public static final String OVERRIDE_INPUT_SIZE = "inputSizePx";
  /** Sub-folder of the cache root holding built graphs. */
  public static final String GRAPHS_DIR = "graphs";
  /** The provenance file beside each cached graph. */
  public static final String PROVENANCE_FILE = "provenance.json";

  private static final int KEY_HASH_HEX = 12;

  private final WeightCache weights;
  private final GraphBuilders builders;

  /**
   * @param weights  where official weight files are fetched to and verified; its root also holds the graphs
   * @param builders the family builders
   */
  public BackboneZoo(WeightCache weights, GraphBuilders builders) {
    this.weights = Objects.requireNonNull(weights, "weights");
    this.builders = Objects.requireNonNull(builders, "builders");
  }

  /** A zoo with {@link GraphBuilders#defaults()}. */
  public BackboneZoo(WeightCache weights) {
    this(weights, GraphBuilders.defaults());
  }

  /** Where graphs are cached. */
  public Path graphsDir() {
    return weights.root().resolve(GRAPHS_DIR);
  }

  /**
   * The graph of {@code entry} built from its official, verified weights, fetched first when not cached.
   *
   * @throws WeightCacheException offline, unreachable, wrong hash (the message names the URL and where to put a
   *                              file fetched by hand)
   * @throws WeightFileException  the verified file cannot be read as weights
   * @throws ZooException         no builder for the family, weights not of the architecture, cache not writable
   */
  public BuiltGraph official(CatalogEntry entry, Map<String, String> overrides, DownloadListener listener)
      throws WeightCacheException, WeightFileException, ZooException {
    GraphBuilders.Registration reg = registration(entry);
    Path file = weights.fetch(entry, listener);
    String sha = sha256(file);
    Provenance p = new Provenance(entry.name(), entry.family().id(), entry.name(),
        Provenance.WeightSource.CATALOG, Optional.of(file.getFileName().toString()), Optional.of(sha), true, true,
        OptionalLong.empty(), reg.version(), overrides, "");
    return obtain(entry, p, key(entry, sha.substring(0, KEY_HASH_HEX), reg, overrides), Optional.empty(),
        () -> reg.builder().build(entry, file, overrides), file.toString());
  }

  /**
   * The graph of {@code entry} built from a weight file the user named. A file with the official hash is
   * verified; one with the official file name and another hash is refused; any other file is used unverified, the
   * display name says so ({@code resnet18 (unverified weights <hash>)}) and {@link BuiltGraph#note()} explains.
   */
  public BuiltGraph fromFile(CatalogEntry entry, Path file, Map<String, String> overrides)
      throws WeightCacheException, WeightFileException, ZooException {
    GraphBuilders.Registration reg = registration(entry);
    long max = GraphBuilders.maxFileBytes(entry);
    try {
      if (Files.isRegularFile(file) && Files.size(file) > max) {
        throw new ZooException(file + ": " + Files.size(file) + " bytes, more than a " + entry.name()
            + " weight file can need (" + max + "); not read");
      }
    } catch (IOException e) {
      throw new WeightCacheException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    LocalWeights local = weights.fromLocalFile(entry, file);
    String shortSha = local.sha256().substring(0, KEY_HASH_HEX);
    String display = local.verified() ? entry.name() : entry.name() + " (unverified weights " + shortSha + ")";
    Provenance p = new Provenance(entry.name(), entry.family().id(), display, Provenance.WeightSource.FILE,
        Optional.of(file.getFileName().toString()), Optional.of(local.sha256()), local.verified(), true,
        OptionalLong.empty(), reg.version(), overrides, "");
    return obtain(entry, p, key(entry, shortSha, reg, overrides), local.note(),
        () -> reg.builder().build(entry, file, overrides), file.toString());
  }

  /**
   * The graph of {@code entry}'s full architecture with random weights ({@link #randomWeights(CatalogEntry, long)}
   * for ResNets, {@link EfficientNet#randomWeights} for EfficientNets, at the catalog's or the overridden input
   * size); its display name ends with {@link #RANDOM_INIT_SUFFIX}. For tests, benchmarks and demos only.
   */
  public BuiltGraph randomInit(CatalogEntry entry, long seed, Map<String, String> overrides) throws ZooException {
    if (entry.family() == BackboneFamily.EFFICIENTNET) {
      EfficientNet.Config cfg = EfficientNet.Config.named(entry.name());
      String source = "random init seed " + seed + " (NOT pretrained)";
      EfficientNet.Options options = new EfficientNet.Options(Overrides.inputSizePx(overrides, entry),
          Overrides.maps(overrides));
      return randomInit(entry, seed, overrides, entry.name() + RANDOM_INIT_SUFFIX, "random" + seed, source,
          () -> EfficientNet.toOnnx(source, EfficientNet.randomWeights(cfg, seed), cfg, options));
    }
    return randomInit(entry, resNetConfig(entry), seed, overrides, entry.name() + RANDOM_INIT_SUFFIX,
        "random" + seed);
  }

  /**
   * The graph of a reduced ResNet with random weights, for tests: displayed as
   * {@code "<config label> (random init, NOT pretrained)"}; levels and normalisation still come from {@code entry}.
   */
  public BuiltGraph randomInit(CatalogEntry entry, ResNetConfig reduced, long seed, Map<String, String> overrides)
      throws ZooException {
    return randomInit(entry, reduced, seed, overrides, reduced.label() + RANDOM_INIT_SUFFIX,
        "random" + seed + "-" + reduced.label());
  }

  private BuiltGraph randomInit(CatalogEntry entry, ResNetConfig cfg, long seed, Map<String, String> overrides,
      String display, String keyId) throws ZooException {
    String source = "random init seed " + seed + " (NOT pretrained)";
    return randomInit(entry, seed, overrides, display, keyId, source,
        () -> ResNetGraphs.build(entry, source, RandomResNetWeights.generate(cfg, seed), overrides));
  }

  private BuiltGraph randomInit(CatalogEntry entry, long seed, Map<String, String> overrides, String display,
      String keyId, String source, Build build) throws ZooException {
    GraphBuilders.Registration reg = registration(entry);
    Provenance p = new Provenance(entry.name(), entry.family().id(), display, Provenance.WeightSource.RANDOM,
        Optional.empty(), Optional.empty(), false, false, OptionalLong.of(seed), reg.version(), overrides, "");
    try {
      return obtain(entry, p, key(entry, keyId, reg, overrides), Optional.empty(), build, source);
    } catch (WeightFileException e) {
      throw new IllegalStateException("no weight file is read for a random initialisation", e);
    }
  }

  /**
   * A seeded random state dict with torchvision's keys for a catalog ResNet (Kaiming-normal convolutions, identity
   * BatchNorm, no classifier). Only the RESNET family has one.
   *
   * @throws ZooException for another family or a ResNet name without a known configuration
   */
  public static Map<String, Tensor> randomWeights(CatalogEntry entry, long seed) throws ZooException {
    return randomWeights(resNetConfig(entry), seed);
  }

  /** A seeded random state dict for any (e.g. reduced) ResNet configuration. */
  public static Map<String, Tensor> randomWeights(ResNetConfig config, long seed) {
    return RandomResNetWeights.generate(config, seed);
  }

  private static ResNetConfig resNetConfig(CatalogEntry entry) throws ZooException {
    if (entry.family() != BackboneFamily.RESNET) {
      throw new ZooException(entry.name() + ": a random initialisation exists only for the resnet and "
          + "efficientnet families, not " + entry.family().id());
    }
    return ResNetConfig.named(entry.name()).orElseThrow(() -> new ZooException(entry.name()
        + ": no torchvision configuration known for a random initialisation"));
  }

  private GraphBuilders.Registration registration(CatalogEntry entry) throws ZooException {
    return builders.find(entry.family()).orElseThrow(() -> new ZooException(entry.name() + ": building "
        + entry.family().id() + " graphs is not available in this version of maha (available: "
        + builders.families().stream().map(BackboneFamily::id).sorted().collect(Collectors.joining(", "))
        + "); pass an ONNX file with --onnx instead"));
  }

  private static String key(CatalogEntry entry, String weightsId, GraphBuilders.Registration reg,
      Map<String, String> overrides) {
    String k = entry.name() + "-" + weightsId + "-" + reg.version();
    if (!overrides.isEmpty()) {
      String canonical = new TreeMap<>(overrides).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("\n"));
      k += "-o" + Sha256.of(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
    }
    return k;
  }

  /** Builds the bytes; the zoo adds provenance and caches them. */
  @FunctionalInterface
  private interface Build {
    byte[] bytes() throws WeightFileException, ArchitectureException, ZooException;
  }

  private BuiltGraph obtain(CatalogEntry entry, Provenance wanted, String key, Optional<String> note, Build build,
      String weightsDescription) throws WeightFileException, ZooException {
    Path dir = graphsDir().resolve(key);
    Path onnx = dir.resolve(wanted.displayName() + ".onnx");
    Optional<Provenance> cached = cached(onnx, wanted);
    if (cached.isPresent()) {
      return new BuiltGraph(entry, onnx, cached.get(), false, note);
    }
    byte[] bytes;
    try {
      bytes = OnnxMetadata.append(build.bytes(), wanted.onnxMetadata());
    } catch (ArchitectureException e) {
      // the builder names the file by its name only; say it once, with its path
      String m = e.getMessage();
      int cut = m.indexOf(": ");
      if (cut > 0 && weightsDescription.endsWith(m.substring(0, cut))) {
        m = m.substring(cut + 2);
      }
      throw new ZooException(entry.name() + " from " + weightsDescription + ": " + m, e);
    } catch (OutOfMemoryError e) {
      throw new ZooException(entry.name() + ": not enough memory to build the graph; raise the JVM heap with "
          + "MAHA_JAVA_OPTS=-Xmx...", e);
    }
    Provenance done = wanted.withGraphSha256(Sha256.of(bytes));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(onnx.getFileName().toString(), bytes);
    files.put(PROVENANCE_FILE, done.toJson());
    try {
      AtomicFiles.writeAll(dir, files);
    } catch (IOException e) {
      throw new ZooException("cannot write the graph cache " + dir + " (" + e.getMessage() + "); set MAHA_HOME "
          + "to a writable folder", e);
    }
    return new BuiltGraph(entry, onnx, done, true, note);
  }

  /** The cached graph's provenance when the graph is there, intact and built the way {@code wanted} says. */
  private static Optional<Provenance> cached(Path onnx, Provenance wanted) {
    Path prov = onnx.resolveSibling(PROVENANCE_FILE);
    if (!Files.isRegularFile(onnx) || !Files.isRegularFile(prov)) {
      return Optional.empty();
    }
    try {
      Provenance p = Provenance.fromJson(Files.readAllBytes(prov));
      if (p.sameBuildAs(wanted) && p.graphSha256().equals(Sha256.of(onnx))) {
        return Optional.of(p);
      }
    } catch (IOException e) {
      // unreadable or foreign record: rebuild over it
    }
    return Optional.empty();
  }

  private static String sha256(Path file) throws WeightCacheException {
    try {
      return Sha256.of(file);
    } catch (IOException e) {
      throw new WeightCacheException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }
}
