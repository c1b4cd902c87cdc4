package org.maha.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.maha.api.Detector;
import org.maha.backbone.BackboneException;
import org.maha.backbone.OnnxBackbone;
import org.maha.catalog.Catalog;
import org.maha.catalog.CatalogEntry;
import org.maha.catalog.ExpectedHash;
import org.maha.catalog.WeightCache;
import org.maha.catalog.WeightCacheException;
import org.maha.image.Normalization;
import org.maha.weights.WeightFileException;
import org.maha.zoo.BackboneZoo;
import org.maha.zoo.BuiltGraph;
import org.maha.zoo.ZooException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options that choose and run the backbone; shared by every command that runs images. The backbone is an ONNX file
 * ({@code --onnx}) or a catalog name ({@code --backbone}), whose graph is built from the official weights (fetched
 * and verified on first use), a local file ({@code --weights}) or, for tests and demos, random weights
 * ({@code --random-init}); the catalog entry then supplies the levels and normalisation.
 */
final class BackboneOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--onnx", paramLabel = "FILE",
      description = "Backbone ONNX file. Default: the shared ImageNet MobileNetV2 (../shared/models) when present.")
  Path onnx;

  @Option(names = "--backbone", paramLabel = "NAME",
      description = "A named backbone (see `maha backbones list`), e.g. resnet18 or efficientnet-b4: its official "
          + "weights are downloaded and verified on first use and turned into an ONNX graph, both cached under "
          + "$MAHA_HOME or ~/.cache/maha. Levels and normalisation default to the catalog's. Not with --onnx.")
  String backboneName;

  @Option(names = "--weights", paramLabel = "FILE",
      description = "With --backbone: use this weight file instead of downloading. Verified when it has the "
          + "official hash; any other file is used with a warning (and the backbone name says 'unverified').")
  Path weights;

  @Option(names = "--expect-sha256", paramLabel = "HEX",
      description = "With --backbone: accept only a weight file whose SHA-256 is HEX (64 hex digits), downloaded or "
          + "given with --weights; for a digest obtained elsewhere where the published one is only the 8-digit "
          + "prefix in the file name, or does not match.")
  String expectSha256;

  @Option(names = "--random-init", paramLabel = "SEED",
      description = "With --backbone (resnet and efficientnet families): random weights from SEED instead of "
          + "pretrained ones. FOR TESTS "
          + "AND DEMOS ONLY: the backbone is named '<name> (random init, NOT pretrained)' everywhere.")
  Long randomInit;

  @Option(names = "--input-size", paramLabel = "PX",
      description = "With --backbone: run the graph at PX x PX instead of the backbone's native size (e.g. for a "
          + "reduced test checkpoint).")
  Integer inputSize;

  @Option(names = "--backbone-cache", paramLabel = "DIR",
      description = "With --backbone: the weight and graph cache. Default: $MAHA_HOME, else ~/.cache/maha.")
  Path backboneCache;

  @Option(names = "--mirror", paramLabel = "URL",
      description = "With --backbone: download weights from URL/<official file name> instead of the official "
          + "locations.")
  URI mirror;

  @Option(names = "--levels", split = ",", paramLabel = "OUTPUT",
      description = "Graph outputs to use as levels, e.g. feat_s8,feat_s16,embedding. Default: the preset of a "
          + "known file (mobilenet_v2: L0..L8 or feat_s8,feat_s16,embedding), or the catalog's with --backbone.")
  List<String> levels = new ArrayList<>();

  @Option(names = "--normalization", paramLabel = "NAME",
      description = "Input normalisation: imagenet (mean/std) or minus1to1 (x/127.5-1). Default: preset, else imagenet.")
  String normalization;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads (0 = all cores; at most 256). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--batch", paramLabel = "N",
      description = "Images per inference call when the graph allows a dynamic batch. Default: 16, or 1 when images "
          + "run in parallel (--parallel).")
  Integer batch;

  @Option(names = "--parallel", paramLabel = "N",
      description = "Inference calls run at once, each with one ONNX Runtime thread unless --threads says otherwise "
          + "(1 to 256). Default: one per core when the command reads at least 4 images per core and --threads is "
          + "not given, else 1. Faster on many images (EfficientNet-B0 1.7-1.9x on 2 cores); a single image runs on "
          + "one thread.")
  Integer parallel;

  /**
   * How many images the command runs through the backbone (0: unknown, or few), set before the backbone is opened:
   * decides {@link #parallel()}'s default.
   */
  long workImages;

  /** {@code --parallel}, or its default for {@link #workImages} images. */
  int parallel() {
    if (parallel != null) {
      return parallel;
    }
    int cores = Math.min(Runtime.getRuntime().availableProcessors(), 16);
    return threads == 0 && cores > 1 && workImages >= 4L * cores ? cores : 1;
  }

  /** {@code --batch}, or its default: 16, or 1 when images run in parallel. */
  int batch() {
    return batch != null ? batch : parallel() > 1 ? 1 : org.maha.backbone.BackboneOptions.DEFAULT_MAX_BATCH;
  }

  @Option(names = "--int8", paramLabel = "N",
      description = "With --backbone, on fit, bench, evaluate, demo and fashion-mnist: run the backbone as a static "
          + "int8 graph (ONNX QDQ: per-channel int8 weights, uint8 activations; ONNX Runtime fuses it into "
          + "QLinearConv) calibrated by min/max on the first N training images (1 to 256; e.g. 32). Opt-in: the "
          + "float graph is the default. A model fitted so records the calibration; score, update and serve "
          + "rebuild and run the same int8 graph from the same backbone.")
  Integer int8;

  /** Set by the commands that fit and score in one process and so can offer {@code --int8}. */
  boolean int8Supported;

  /** What the last {@code --int8} open quantized, or null. */
  org.maha.backbone.Int8Quantization.Summary int8Summary;

  /** Set by commands that need the classifier outputs in a graph built for --backbone (classify). */
  boolean withClassifier;

  /** The graph built for --backbone, once resolved (so a second call neither rebuilds nor warns again). */
  private BuiltGraph built;

  /**
   * The ONNX file to use: --onnx; the graph of --backbone (built or taken from the cache; its catalog levels and
   * normalisation become the defaults of --levels and --normalization); else the shared default; else a usage
   * error saying how to supply one.
   */
  Path resolveOnnx() throws MahaCommand.UsageException {
    return resolveOnnx(false);
  }

  /**
   * As {@link #resolveOnnx()}; {@code otherNamedBackbones} allows --mirror and --backbone-cache without --backbone,
   * for a command that builds further named backbones with them (experiment --compare).
   */
  Path resolveOnnx(boolean otherNamedBackbones) throws MahaCommand.UsageException {
    checkCombination(otherNamedBackbones);
    if (backboneName != null) {
      if (built == null) {
        built = buildNamed();
        if (levels == null || levels.isEmpty()) {
          levels = new ArrayList<>(built.levelNames());
        }
        if (normalization == null) {
          normalization = built.entry().normalization().id();
        }
      }
      return built.onnx();
    }
    if (onnx != null) {
      return onnx;
    }
    return DefaultBackbone.find().orElseThrow(() -> new MahaCommand.UsageException(
        "no backbone given and the default MobileNetV2 was not found (" + DefaultBackbone.searched()
            + "); pass an ONNX CNN with --onnx FILE (and --levels OUT1,OUT2,... naming its feature outputs), "
            + "or a named backbone with --backbone NAME"));
  }

  /**
   * The option combinations every command refuses before any work: --onnx with --backbone; the --backbone options
   * without it ({@code otherNamedBackbones}: --mirror and --backbone-cache are allowed alone, for --compare); a
   * --backbone-cache that is not a folder.
   */
  void checkCombination(boolean otherNamedBackbones) throws MahaCommand.UsageException {
    pinned(expectSha256); // a malformed digest stops the command before any work
    if (backboneName != null) {
      if (onnx != null) {
        throw new MahaCommand.UsageException("--onnx and --backbone are mutually exclusive: give one backbone");
      }
    } else {
      for (Object o : otherNamedBackbones ? new Object[] {weights, randomInit, inputSize, expectSha256}
          : new Object[] {weights, randomInit, mirror, backboneCache, inputSize, expectSha256}) {
        if (o != null) {
          throw new MahaCommand.UsageException("--weights, --random-init, --input-size, --expect-sha256, --mirror and "
              + "--backbone-cache need --backbone NAME");
        }
      }
    }
    if (backboneCache != null) {
      OutputPaths.folder("--backbone-cache", backboneCache, List.of(), java.util.Set.of());
    }
    if (int8 != null) {
      if (!int8Supported) {
        throw new MahaCommand.UsageException("--int8 is given where a model is fitted (fit, bench, evaluate, demo, "
            + "fashion-mnist): a model fitted with it records its int8 graph, and score, update, merge and serve "
            + "follow the model");
      }
      if (backboneName == null) {
        throw new MahaCommand.UsageException("--int8 needs --backbone NAME (a graph maha builds with float32 "
            + "weights); an --onnx file or the default MobileNetV2 ONNX is not quantized");
      }
    }
  }

  /** Calibration images for {@code --int8}: at most {@code n} images, each prepared by {@code pre}. */
  interface Calibration {
    List<float[]> images(org.maha.image.Preprocessing pre, int n) throws Exception;

    /** What the images are, for the progress line (e.g. "training images of 3 categories"). */
    String describe();
  }

  /**
   * The backbone as {@link #open(Path, List, String)} opens it, or with {@code --int8} its int8 QDQ graph calibrated
   * on {@code calibration}'s images (what was quantized, and how far its features are from the float graph's on
   * those images, go to {@code err}).
   */
  OnnxBackbone open(Path file, List<String> levelNames, String norm, Calibration calibration, PrintWriter err)
      throws Exception {
    if (int8 == null) {
      return open(file, levelNames, norm);
    }
    org.maha.backbone.BackboneOptions o = options(file, levelNames, norm);
    org.maha.image.Preprocessing pre;
    try (OnnxBackbone f = OnnxBackbone.open(file, o)) {
      pre = new org.maha.image.Preprocessing(f.spec().inputSizePx(), f.spec().normalization());
    }
    List<float[]> images = calibration.images(pre, int8);
    if (images.isEmpty()) {
      throw new MahaCommand.UsageException("--int8: no images to calibrate on (" + calibration.describe() + ")");
    }
    int per = pre.floatsPerImage();
    float[] nchw = new float[images.size() * per];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, nchw, i * per, per);
    }
    err.printf(Locale.ROOT, "int8: calibrating on %d %s ...%n", images.size(), calibration.describe());
    err.flush();
    var q = org.maha.backbone.Int8Quantization.open(file, o, nchw, images.size());
    int8Summary = q.summary();
    err.println("int8: " + q.summary());
    err.flush();
    return q.backbone();
  }

  /** {@code --int8} calibration on the first of {@code files}, in their order. */
  static Calibration firstFiles(List<Path> files, org.maha.image.DecodeLimits limits) {
    return new Calibration() {
      @Override
      public List<float[]> images(org.maha.image.Preprocessing pre, int n) throws Exception {
        List<float[]> out = new ArrayList<>();
        for (Path f : files.subList(0, Math.min(n, files.size()))) {
          out.add(pre.apply(org.maha.pipeline.ImageLoader.decode(f, limits)));
        }
        return out;
      }

      @Override
      public String describe() {
        return "training images (the first in listing order)";
      }
    };
  }

  /**
   * The int8 graph a model records, rebuilt from {@code file} (its float32 graph, checked by the caller) with these
   * options' threads and batch.
   */
  OnnxBackbone openInt8(Path file, List<String> levelNames, String norm,
      org.maha.backbone.Int8Calibration calibration) throws Exception {
    return org.maha.backbone.Int8Quantization.rebuild(file, options(file, levelNames, norm), calibration);
  }

  /** {@code --int8} calibration on the training images of {@code cats}, taken in turn from each category. */
  static Calibration trainImages(List<org.maha.data.MvtecCategory> cats, org.maha.image.DecodeLimits limits) {
    return new Calibration() {
      @Override
      public List<float[]> images(org.maha.image.Preprocessing pre, int n) throws Exception {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
          boolean any = false;
          for (org.maha.data.MvtecCategory c : cats) {
            if (i < c.train().size() && out.size() < n) {
              out.add(pre.apply(org.maha.pipeline.ImageLoader.decode(c.train().get(i), limits)));
              any = true;
            }
          }
          if (!any) {
            break;
          }
        }
        return out;
      }

      @Override
      public String describe() {
        return "training images (train/good) of " + cats.size() + " categories, taken in turn";
      }
    };
  }

  /** The files these options read (for the output checks): --onnx, --weights, or the default backbone. */
  List<Path> inputFiles() {
    List<Path> in = new ArrayList<>();
    if (onnx != null) {
      in.add(onnx);
    }
    if (weights != null) {
      in.add(weights);
    }
    if (onnx == null && backboneName == null) {
      DefaultBackbone.find().ifPresent(in::add);
    }
    return in;
  }

  OnnxBackbone open() throws BackboneException, MahaCommand.UsageException {
    return open(resolveOnnx(), levels, normalization);
  }

  OnnxBackbone open(Path file, List<String> levelNames, String norm)
      throws BackboneException, MahaCommand.UsageException {
    return OnnxBackbone.open(file, options(file, levelNames, norm));
  }

  /**
   * A {@link Detector} builder for {@code file} with these options, as {@link #open(Path, List, String)} opens it
   * (the fit and score commands are clients of the public API); decoding as {@code input} says, progress to
   * {@code progress}.
   */
  Detector.Builder detector(Path file, List<String> levelNames, String norm, InputOptions input,
      org.maha.api.Progress progress) throws MahaCommand.UsageException {
    org.maha.backbone.BackboneOptions o = options(file, levelNames, norm);
    Detector.Builder b = Detector.builder().onnx(file).levels(o.levels().toArray(String[]::new))
        .threads(o.threads()).batchSize(o.maxBatch()).parallelImages(o.parallel())
        .decodeThreads(input.decodeThreads())
        .maxImagePixels(input.maxPixels).progress(progress);
    if (o.normalization() != null) {
      b.normalization(o.normalization().id());
    }
    if (input.maxFileBytes != null) {
      b.maxEncodedBytes(input.maxFileBytes);
    }
    return b;
  }

  private org.maha.backbone.BackboneOptions options(Path file, List<String> levelNames, String norm)
      throws MahaCommand.UsageException {
    List<String> lv = levelNames;
    String nm = norm;
    if (built != null && file.equals(built.onnx())) {
      lv = lv == null || lv.isEmpty() ? built.levelNames() : lv;
      nm = nm == null ? built.entry().normalization().id() : nm;
    }
    Normalization n;
    try {
      n = nm == null ? null : Normalization.parse(nm);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException("--normalization: " + e.getMessage());
    }
    if (batch() < 1) {
      throw new MahaCommand.UsageException("--batch must be at least 1, got " + batch());
    }
    return new org.maha.backbone.BackboneOptions(lv, n, threads, batch(), parallel());
  }

  private BuiltGraph buildNamed() throws MahaCommand.UsageException {
    return buildFromCatalog("--backbone", backboneName, weights, randomInit, buildOverrides(), pinned(expectSha256));
  }

  /**
   * The digest of {@code --expect-sha256 HEX}, if given.
   *
   * @throws MahaCommand.UsageException unless HEX is 64 hex digits (the message does not echo the value, which may
   *                                    hold anything)
   */
  static java.util.Optional<ExpectedHash> pinned(String hex) throws MahaCommand.UsageException {
    if (hex == null) {
      return java.util.Optional.empty();
    }
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new MahaCommand.UsageException("--expect-sha256: expected a full SHA-256 (64 hex digits), got "
          + (hex.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? hex.length() + " hex digits"
              : "a value that is not hex"));
    }
    return java.util.Optional.of(ExpectedHash.pinned(hex));
  }

  /** The zoo overrides these options ask for: --input-size, and the classifier for {@link #withClassifier}. */
  Map<String, String> buildOverrides() {
    Map<String, String> o = new java.util.TreeMap<>();
    if (inputSize != null) {
      o.put(BackboneZoo.OVERRIDE_INPUT_SIZE, Integer.toString(inputSize));
    }
    if (withClassifier) {
      o.put(BackboneZoo.OVERRIDE_CLASSIFIER, "true");
    }
    return o;
  }

  /** The graph of --backbone once {@link #resolveOnnx()} built it; empty for an ONNX file. */
  java.util.Optional<BuiltGraph> built() {
    return java.util.Optional.ofNullable(built);
  }

  /** The catalog (official, or under --mirror). */
  Catalog catalog() {
    return mirror == null ? Catalog.official() : Catalog.official().withBaseUrl(mirror);
  }

  /**
   * Another named backbone, built like --backbone (same weight cache and mirror) at its own catalog input size:
   * from {@code weightsFile}, from random weights {@code seed}, or (both null) the official weights. {@code option}
   * names the option in error messages.
   */
  BuiltGraph buildOther(String option, String name, Path weightsFile, Long seed, Map<String, String> overrides)
      throws MahaCommand.UsageException {
    pinned(expectSha256); // validated before the first download, whichever backbone comes first
    return buildFromCatalog(option, name, weightsFile, seed, overrides, java.util.Optional.empty());
  }

  /** {@link #buildOther}, with {@code pin} (--expect-sha256) as the only acceptable hash when present. */
  private BuiltGraph buildFromCatalog(String option, String name, Path weightsFile, Long seed,
      Map<String, String> overrides, java.util.Optional<ExpectedHash> pin) throws MahaCommand.UsageException {
    Catalog catalog = catalog();
    CatalogEntry listed = catalog.find(name).orElseThrow(() -> new MahaCommand.UsageException(
        option + ": unknown backbone '" + name + "' (known: " + String.join(", ", catalog.names()) + ")"));
    CatalogEntry entry = pin.map(listed::withHash).orElse(listed);
    WeightCache cache = new WeightCache(backboneCache != null ? backboneCache : WeightCache.defaultRoot());
    return build(new BackboneZoo(cache), entry, weightsFile, seed, overrides, err());
  }

  private PrintWriter err() {
    return mixee != null ? mixee.commandLine().getErr() : new PrintWriter(System.err, true);
  }

  /**
   * The graph of {@code entry} from {@code weightsFile}, random weights from {@code seed}, or (both null) the
   * official weights, downloading them with a progress bar on {@code err}. Warnings (unverified weights, random
   * initialisation) go to {@code err}. Every failure is a usage error (exit 2) whose message names the backbone,
   * the file or URL and the problem.
   */
  static BuiltGraph build(BackboneZoo zoo, CatalogEntry entry, Path weightsFile, Long seed,
      Map<String, String> overrides, PrintWriter err) throws MahaCommand.UsageException {
    if (weightsFile != null && seed != null) {
      throw new MahaCommand.UsageException("--weights and --random-init are mutually exclusive");
    }
    if (seed != null && entry.hash().pinned()) {
      throw new MahaCommand.UsageException("--expect-sha256 and --random-init are mutually exclusive: random "
          + "weights have no file to check");
    }
    long start = System.nanoTime();
    BuiltGraph g;
    try {
      if (seed != null) {
        g = zoo.randomInit(entry, seed, overrides);
      } else if (weightsFile != null) {
        g = zoo.fromFile(entry, weightsFile, overrides);
      } else {
        g = zoo.official(entry, overrides, new BackbonesCommand.Bar(err, entry.name()));
      }
    } catch (WeightCacheException | WeightFileException | ZooException e) {
      throw new MahaCommand.UsageException(e.getMessage());
    }
    if (seed != null) {
      err.println("warning: " + entry.name() + " with RANDOM weights (seed " + seed + "): NOT pretrained, for tests "
          + "and demos only; it is named '" + g.displayName() + "' in every output");
    }
    g.note().ifPresent(note -> err.println("warning: " + note));
    if (g.built()) {
      err.printf(Locale.ROOT, "built the %s graph in %.1f s: %s%n", g.displayName(),
          (System.nanoTime() - start) / 1e9, g.onnx());
    }
    err.flush();
    return g;
  }
}
