package org.maha.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.backbone.Presets;
import org.maha.catalog.WeightCache;
import org.maha.data.MvtecCategory;
import org.maha.files.AtomicFiles;
import org.maha.files.Sha256;
import org.maha.model.Variant;
import org.maha.pipeline.CategoryFeatures;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.ExperimentFiles;
import org.maha.pipeline.ExperimentResults;
import org.maha.pipeline.Experiments;
import org.maha.pipeline.FeatureCache;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MapEvaluation;
import org.maha.pipeline.MapSettings;
import org.maha.pipeline.ReportFiles;
import org.maha.report.ExperimentReport;
import org.maha.report.HtmlReport;
import org.maha.report.ReportOptions;
import org.maha.zoo.BuiltGraph;
import org.maha.zoo.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = {"Reproduce the paper's experiments on an MVTec-layout folder.",
        "Writes a report (HTML with figures, Markdown, CSV, JSON): per-level MVG/L2/SED (Table I), per-level MVG",
        "across backbones (Table II, with --compare), PCA/NPCA (table3.py) and AUROC versus variance retained, and",
        "the sigma-threshold table (table4.py). PCA/NPCA follow one component rule per run (--pca-rule). Protocol:",
        "5 folds of KFold(5, shuffle=True, random_state=0) by default. Features are extracted once per backbone and",
        "cached, so reruns are fast."})
final class ExperimentCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();
  @Mixin AugmentOptions augment = new AugmentOptions();

  @Mixin MvtecOptions data = new MvtecOptions();

  @Option(names = "--experiments", split = ",", defaultValue = "levels,pca,sweep,sigma,backbones", paramLabel = "E",
      description = "Which to run: levels (Table I), pca (PCA/NPCA table), sweep (AUROC vs variance), sigma (χ² table), "
          + "backbones (Table II; needs --compare). Default: ${DEFAULT-VALUE}.")
  List<String> experiments;

  @Option(names = "--compare", split = ",", paramLabel = "BACKBONE",
      description = {"More backbones for the per-level MVG table across backbones (Table II), each at its own input "
          + "size and normalisation: a catalog name (official weights, downloaded once, e.g. efficientnet-b0), "
          + "NAME=FILE (local weights, e.g. resnet18=/path/resnet18-f37072fd.pth), NAME@random:SEED (random init, "
          + "labelled NOT pretrained), or an ONNX file (known files use their preset levels, others the --levels "
          + "given)."})
  List<String> compare = new ArrayList<>();

  @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "KFold splits (paper: 5).")
  int folds;

  @Option(names = "--full-train", description = "Quick protocol: one fit on all of train/good (same as --folds 1).")
  boolean fullTrain;

  @Option(names = "--sigma-level", paramLabel = "LEVEL",
      description = "Level of the σ table (default: the level with the best mean MVG AUROC).")
  String sigmaLevel;

  @Option(names = "--sigma-variant", defaultValue = "mvg", paramLabel = "V",
      description = {"Variant of the σ table: mvg, pca:T or npca:T, or pca-official:T / npca-official:T (k = the "
          + "components kept; table4.py runs mvg, pca:0.99 and npca:0.99). Default: ${DEFAULT-VALUE}."})
  String sigmaVariant;

  @Option(names = "--pca-rule", defaultValue = "maha", paramLabel = "R",
      description = {"Which principal components the PCA/NPCA table and the variance sweep keep, one rule for both: "
          + "maha (variants pca:T/npca:T: drops numerically null components; NPCA keeps all when the first alone "
          + "passes T) or official (pca-official:T/npca-official:T: the paper's exact slice, to reproduce its "
          + "table as published). Default: ${DEFAULT-VALUE}."})
  String pcaRule;

  /** {@link #pcaRule}, parsed by validate(). */
  private Variant.PcaRule rule;

  @Option(names = "--maps", description = {"Also fit anomaly maps (default map settings, on all of train/good) and "
      + "report pixel AUROC and AU-PRO up to FPR 0.3 per category that has ground-truth masks "
      + "(ground_truth/<defect>/<name>_mask.png), as evaluate --maps: a section of the report and pixel_metrics.csv."})
  boolean maps;

  @Option(names = "--cache", paramLabel = "DIR",
      description = "Feature cache. Default: $MAHA_HOME/features or ~/.cache/maha/features.")
  Path cache;

  @Option(names = "--no-cache", description = "Neither read nor write cached features.")
  boolean noCache;

  @Option(names = {"-o", "--out"}, defaultValue = "maha-experiment", paramLabel = "DIR",
      description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public void validate() throws Exception {
    for (String e : experiments) {
      if (!EXPERIMENTS.contains(e)) {
        throw new MahaCommand.UsageException("--experiments: unknown experiment '" + e
            + "' (expected " + String.join(", ", EXPERIMENTS) + ")");
      }
    }
    try {
      rule = Variant.PcaRule.parse(pcaRule);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException("--pca-rule: " + e.getMessage());
    }
    augment.passes();
    backbone.checkCombination(true);
    backbone.workImages = Long.MAX_VALUE; // data sets: many images
    List<Path> inputs = new ArrayList<>(backbone.inputFiles());
    inputs.add(data.root);
    for (String c : compare) {
      inputs.add(Path.of(c.contains("=") ? c.substring(c.indexOf('=') + 1) : c));
    }
    OutputPaths.folder("-o", out, inputs, EvaluateCommand.REPORT_FILES);
    if (cache != null) {
      OutputPaths.folder("--cache", cache, inputs, java.util.Set.of("npy", "json", "bin"));
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    List<String> ran = EXPERIMENTS.stream().filter(experiments::contains)
        .filter(e -> !e.equals("backbones") || !compare.isEmpty()).toList();
    Evaluation.Protocol protocol = new Evaluation.Protocol(fullTrain ? 1 : folds, 0)
        .withAugmentation(augment.passes(), augment.seed);
    List<MvtecCategory> cats = data.categories();
    FeatureCache fc = noCache ? null
        : new FeatureCache(cache != null ? cache : WeightCache.defaultRoot().resolve("features"));
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    // resolve every --compare entry before the long feature extraction, so a typo fails at once
    List<CompareBackbone> others = new ArrayList<>();
    if (ran.contains("backbones")) {
      for (String c : compare) {
        others.add(resolveCompare(c));
      }
    }
    Path onnx = backbone.resolveOnnx(true);
    String weights = backbone.built().map(g -> describe(g.provenance())).orElseGet(() -> describeOnnx(onnx));
    EvaluationReport levels;
    Optional<EvaluationReport> pca = Optional.empty();
    List<Experiments.SweepPoint> sweep = List.of();
    Optional<ExperimentResults.SigmaTable> sigma = Optional.empty();
    List<ExperimentResults.BackboneRun> backbones = new ArrayList<>();
    List<ExperimentResults.CategorySplit> splits;
    List<MapEvaluation.CategoryPixels> pixels = List.of();
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization)) {
      var specB = b.spec();
      List<CategoryFeatures> features = features(b, cats, fc, protocol, progress);
      splits = ExperimentResults.splits(features, protocol);
      String file = onnx.toAbsolutePath().toString();
      levels = Experiments.evaluate(specB, features, Experiments.TABLE_I, protocol, file);
      if (ran.contains("pca")) {
        pca = Optional.of(Experiments.evaluate(specB, features, Experiments.pcaTable(rule), protocol,
            file));
      }
      if (ran.contains("sweep")) {
        sweep = Experiments.varianceSweep(features, protocol, rule);
      }
      if (ran.contains("sigma")) {
        int level = sigmaLevel == null ? bestLevel(levels, 0) : specB.levelNames().indexOf(sigmaLevel);
        if (level < 0) {
          throw new MahaCommand.UsageException("--sigma-level: no level '" + sigmaLevel + "' (levels: "
              + specB.levelNames() + ")");
        }
        String v = Cli.variant(sigmaVariant).id();
        if (v.equals("l2") || v.equals("sed")) {
          throw new MahaCommand.UsageException("--sigma-variant: χ² thresholds need a Mahalanobis variant (mvg, "
              + "pca:T, npca:T), got " + v);
        }
        EvaluationReport sr = levels.variants().contains(v) ? levels
            : pca.isPresent() && pca.get().variants().contains(v) ? pca.get()
            : Experiments.evaluate(specB, features, List.of(v), protocol, file);
        sigma = Optional.of(new ExperimentResults.SigmaTable(v, level, specB.levelNames().get(level),
            specB.levelDims().get(level), Experiments.sigmaTable(sr, v, level), Experiments.sigmaCounts(sr, v, level)));
      }
      if (maps) {
        pixels = MapEvaluation.runAll(new FeatureExtractor(b, input.limits(), input.decodeThreads()), cats,
            MapSettings.defaults(), file, input.skipUnreadable, input.limits(), progress,
            name -> err.println("note: " + name + " has no ground-truth masks; no pixel metrics for it"));
      }
      if (ran.contains("backbones")) {
        backbones.add(new ExperimentResults.BackboneRun(onnx.getFileName().toString(), weights,
            subset(levels, "mvg")));
      }
    }
    for (CompareBackbone other : others) {
      try (OnnxBackbone b = backbone.open(other.onnx(), other.levels(), other.normalization())) {
        List<CategoryFeatures> f = features(b, cats, fc, protocol, progress);
        backbones.add(new ExperimentResults.BackboneRun(other.label(), other.weights(),
            Experiments.evaluate(b.spec(), f, List.of("mvg"), protocol, other.onnx().toAbsolutePath().toString())));
      }
    }
    ExperimentResults results = new ExperimentResults(weights, data.root.toAbsolutePath().normalize().toString(),
        OffsetDateTime.now(), ran, levels, pca, sweep, sigma, backbones, splits, pixels);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.putAll(ReportFiles.files(levels));
    files.putAll(HtmlReport.render(levels, ReportOptions.defaults(results.generated())
        .withTitle("maha experiment: per-level MVG, L2 and SED, per category"), pixels));
    files.putAll(ExperimentReport.render(results));
    files.putAll(ExperimentFiles.files(results));
    AtomicFiles.writeAll(out, files);
    spec.commandLine().getOut().print(new String(files.get("experiments.md"), StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
    err.println("wrote experiments.html (the report), report.html (per category), folds.json, "
        + "auroc_per_fold.csv, auroc_summary.csv and the other CSV/JSON files to " + out);
    err.flush();
    return 0;
  }

  static final List<String> EXPERIMENTS = List.of("levels", "pca", "sweep", "sigma", "backbones");

  /** A --compare backbone, resolved: the graph to open, its levels and normalisation, and where it came from. */
  record CompareBackbone(String label, Path onnx, List<String> levels, String normalization, String weights) {}

  /** NAME, NAME=FILE, NAME@random:SEED or an ONNX file (see --compare). */
  CompareBackbone resolveCompare(String arg) throws Exception {
    Path asFile = Path.of(arg);
    if (Files.isRegularFile(asFile)) {
      // a known file (preset) brings its own levels; any other uses the --levels given for the main backbone
      boolean preset = Presets.bySha256(Sha256.of(asFile)).isPresent();
      return new CompareBackbone(asFile.getFileName().toString(), asFile, preset ? List.of() : backbone.levels,
          preset ? null : backbone.normalization, describeOnnx(asFile));
    }
    java.util.regex.Matcher random = RANDOM.matcher(arg);
    BuiltGraph g;
    if (random.matches()) {
      g = backbone.buildOther("--compare", random.group(1), null, Long.parseLong(random.group(2)), Map.of());
    } else if (arg.contains("=")) {
      String name = arg.substring(0, arg.indexOf('='));
      Path file = Path.of(arg.substring(arg.indexOf('=') + 1));
      if (!Files.isRegularFile(file)) {
        throw new MahaCommand.UsageException("--compare " + arg + ": weight file " + file + " not found");
      }
      g = backbone.buildOther("--compare", name, file, null, Map.of());
    } else if (backbone.catalog().find(arg).isPresent()) {
      g = backbone.buildOther("--compare", arg, null, null, Map.of());
    } else {
      throw new MahaCommand.UsageException("--compare: '" + arg + "' is neither an existing ONNX file nor a backbone "
          + "NAME, NAME=WEIGHTS_FILE or NAME@random:SEED (known names: "
          + String.join(", ", backbone.catalog().names()) + ")");
    }
    return new CompareBackbone(arg, g.onnx(), g.levelNames(), g.entry().normalization().id(),
        describe(g.provenance()));
  }

  private static final java.util.regex.Pattern RANDOM = java.util.regex.Pattern.compile("(.+)@random:(-?[0-9]+)");

  /** Where a named backbone's weights came from, in words (the report's "Weights" line). */
  static String describe(Provenance p) {
    switch (p.weightSource()) {
      case RANDOM:
        return "random init (seed " + p.randomSeed().orElse(0) + "), NOT pretrained";
      case FILE:
        return "weights from the local file " + p.weightsFile().orElse("?") + " (SHA-256 "
            + p.weightsSha256().orElse("?") + ", " + (p.verified() ? "matches the official hash" : "unverified: "
            + "not the official file") + ")";
      default:
        return "official pretrained weights " + p.weightsFile().orElse("") + ", SHA-256 verified";
    }
  }

  /** An ONNX file: its name, SHA-256 and, when it is a known file, the preset it matches. */
  static String describeOnnx(Path onnx) {
    try {
      String sha = Sha256.of(onnx);
      return "ONNX file " + onnx.getFileName() + Presets.bySha256(sha).map(p -> " (known file: preset " + p.name()
          + ", ImageNet-pretrained)").orElse(" (weights as stored in the file; provenance not known to maha)");
    } catch (java.io.IOException e) {
      return "ONNX file " + onnx.getFileName();
    }
  }

  /** The report restricted to one variant (Table II shows only MVG). */
  private static EvaluationReport subset(EvaluationReport r, String variant) {
    int v = r.variants().indexOf(variant);
    List<Evaluation.CategoryResult> cats = new ArrayList<>();
    for (Evaluation.CategoryResult c : r.categories()) {
      cats.add(new Evaluation.CategoryResult(c.category(), c.nTrain(), c.nTest(), List.of(c.variants().get(v)),
          c.skipped(), c.warnings()));
    }
    return new EvaluationReport(r.backbone(), List.of(variant), cats, r.protocol());
  }

  private List<CategoryFeatures> features(OnnxBackbone b, List<MvtecCategory> cats, FeatureCache fc,
      Evaluation.Protocol protocol, ProgressPrinter progress) throws Exception {
    FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
    List<CategoryFeatures> out = new ArrayList<>();
    for (MvtecCategory c : cats) {
      out.add(CategoryFeatures.extract(ex, c, input.skipUnreadable, progress, fc, protocol));
    }
    return out;
  }

  private static int bestLevel(EvaluationReport r, int variant) {
    int best = 0;
    for (int l = 1; l < r.backbone().levelNames().size(); l++) {
      if (r.summary(variant, l).mean() > r.summary(variant, best).mean()) {
        best = l;
      }
    }
    return best;
  }
}
