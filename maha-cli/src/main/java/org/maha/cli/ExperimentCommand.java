package org.maha.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.catalog.WeightCache;
import org.maha.data.MvtecCategory;
import org.maha.eval.MeanSem;
import org.maha.files.AtomicFiles;
import org.maha.pipeline.CategoryFeatures;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.Experiments;
import org.maha.pipeline.FeatureCache;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.ReportFiles;
import org.maha.report.ExperimentFigures;
import org.maha.report.HtmlReport;
import org.maha.report.ReportOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = {"Reproduce the paper's experiments on an MVTec-layout folder and write a report (HTML with",
        "figures, Markdown, CSV, JSON): per-level MVG/L2/SED (Table I), per-level MVG across backbones (Table II, with",
        "--compare), PCA/NPCA (table3.py) and AUROC versus variance retained, and the sigma-threshold table",
        "(table4.py). Protocol: 5 folds of KFold(5, shuffle=True, random_state=0) by default. Features are extracted",
        "once per backbone and cached, so reruns are fast."})
final class ExperimentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Mixin MvtecOptions data = new MvtecOptions();

  @Option(names = "--experiments", split = ",", defaultValue = "levels,pca,sweep,sigma,backbones", paramLabel = "E",
      description = "Which to run: levels (Table I), pca (PCA/NPCA table), sweep (AUROC vs variance), sigma (χ² table), "
          + "backbones (Table II; needs --compare). Default: ${DEFAULT-VALUE}.")
  List<String> experiments;

  @Option(names = "--compare", split = ",", paramLabel = "ONNX",
      description = "More backbones (ONNX files) for the per-level MVG table across backbones; known files use "
          + "their preset levels, others the --levels given.")
  List<Path> compare = new ArrayList<>();

  @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "KFold splits (paper: 5).")
  int folds;

  @Option(names = "--full-train", description = "Quick protocol: one fit on all of train/good (same as --folds 1).")
  boolean fullTrain;

  @Option(names = "--sigma-level", paramLabel = "LEVEL",
      description = "Level of the σ table (default: the level with the best mean MVG AUROC).")
  String sigmaLevel;

  @Option(names = "--cache", paramLabel = "DIR",
      description = "Feature cache. Default: $MAHA_HOME/features or ~/.cache/maha/features.")
  Path cache;

  @Option(names = "--no-cache", description = "Neither read nor write cached features.")
  boolean noCache;

  @Option(names = {"-o", "--out"}, defaultValue = "maha-experiment", paramLabel = "DIR",
      description = "Report folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Cli.requireWritableDir(out);
    for (String e : experiments) {
      if (!List.of("levels", "pca", "sweep", "sigma", "backbones").contains(e)) {
        throw new MahaCommand.UsageException("--experiments: unknown experiment '" + e
            + "' (expected levels, pca, sweep, sigma, backbones)");
      }
    }
    Evaluation.Protocol protocol = new Evaluation.Protocol(fullTrain ? 1 : folds, 0);
    List<MvtecCategory> cats = data.categories();
    FeatureCache fc = noCache ? null
        : new FeatureCache(cache != null ? cache : WeightCache.defaultRoot().resolve("features"));
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);

    Map<String, byte[]> files = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder("# maha experiment\n\n");
    Map<String, Object> json = new LinkedHashMap<>();
    List<String> figures = new ArrayList<>();
    Path onnx = backbone.resolveOnnx();
    List<EvaluationReport> mvgPerBackbone = new ArrayList<>();
    List<String> backboneLabels = new ArrayList<>();
    backboneLabels.add(onnx.getFileName().toString());
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization)) {
      var specB = b.spec();
      List<CategoryFeatures> features = features(b, cats, fc, progress);
      md.append("Backbone ").append(specB.name()).append(" (").append(onnx.getFileName()).append("), ")
          .append(cats.size()).append(" categories; protocol: ").append(protocol.describe()).append(".\n\n");
      json.put("backbone", specB.name());
      json.put("protocol", protocol.describe());
      String file = onnx.toAbsolutePath().toString();
      EvaluationReport levels = Experiments.evaluate(specB, features, Experiments.TABLE_I, protocol, file);
      mvgPerBackbone.add(levels);
      if (experiments.contains("levels")) {
        md.append("## Per-level AUROC, MVG vs L2 vs SED (mirrors the paper's Table I)\n\n").append(levels.toMarkdown())
            .append('\n');
        files.putAll(ReportFiles.files(levels));
        files.putAll(HtmlReport.render(levels, ReportOptions.defaults(OffsetDateTime.now())
            .withTitle("maha experiment: per-level MVG, L2 and SED")));
        json.put("levels", summaryJson(levels));
      }
      if (experiments.contains("pca")) {
        EvaluationReport pca = Experiments.evaluate(specB, features, Experiments.PCA_TABLE, protocol, file);
        md.append("## PCA and NPCA per level (mirrors table3.py; the paper's per-level PCA table is not public)\n\n")
            .append(pca.toMarkdown()).append('\n');
        json.put("pca", summaryJson(pca));
      }
      if (experiments.contains("sweep")) {
        List<Experiments.SweepPoint> sweep = Experiments.varianceSweep(features, protocol);
        md.append("## AUROC versus variance retained (the paper's PCA finding: low-variance components carry "
            + "the signal)\n\n").append(Experiments.sweepMarkdown(sweep)).append('\n');
        files.put("figures/variance_sweep.png", ExperimentFigures.varianceSweep(sweep));
        figures.add("figures/variance_sweep.png");
        json.put("sweep", sweep);
      }
      if (experiments.contains("sigma")) {
        int level = sigmaLevel == null ? bestLevel(levels, 0) : specB.levelNames().indexOf(sigmaLevel);
        if (level < 0) {
          throw new MahaCommand.UsageException("--sigma-level: no level '" + sigmaLevel + "' (levels: "
              + specB.levelNames() + ")");
        }
        var rows = Experiments.sigmaTable(levels, "mvg", level);
        md.append("## False- and true-positive rates of the χ² thresholds (mirrors table4.py, without augmentation)"
            + "\n\n").append(Experiments.sigmaMarkdown(rows, "mvg", specB.levelNames().get(level),
                specB.levelDims().get(level))).append('\n');
        json.put("sigma", rows);
      }
    }
    if (experiments.contains("backbones") && !compare.isEmpty()) {
      for (Path other : compare) {
        // a known file (preset) brings its own levels; any other uses the --levels given for the main backbone
        boolean preset = org.maha.backbone.Presets.bySha256(org.maha.files.Sha256.of(other)).isPresent();
        try (OnnxBackbone b = backbone.open(other, preset ? List.of() : backbone.levels,
            preset ? null : backbone.normalization)) {
          List<CategoryFeatures> f = features(b, cats, fc, progress);
          mvgPerBackbone.add(Experiments.evaluate(b.spec(), f, List.of("mvg"), protocol,
              other.toAbsolutePath().toString()));
          backboneLabels.add(other.getFileName().toString());
        }
      }
      md.append("## Per-level MVG AUROC across backbones (mirrors the paper's Table II)\n\n");
      for (int i = 0; i < mvgPerBackbone.size(); i++) {
        EvaluationReport r = mvgPerBackbone.get(i);
        md.append("### ").append(r.backbone().name()).append(" (").append(backboneLabels.get(i)).append(")\n\n")
            .append(r.toMarkdown()).append('\n');
      }
      files.put("figures/levels_across_backbones.png", ExperimentFigures.levelsAcrossBackbones("mvg", mvgPerBackbone));
      figures.add("figures/levels_across_backbones.png");
    }
    files.put("experiments.md", md.toString().getBytes(StandardCharsets.UTF_8));
    files.put("experiments.html", html(md.toString(), figures, files).getBytes(StandardCharsets.UTF_8));
    files.put("experiments.json", new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(json));
    AtomicFiles.writeAll(out, files);
    spec.commandLine().getOut().print(md);
    spec.commandLine().getOut().flush();
    err.println("wrote experiments.html, experiments.md, experiments.json"
        + (files.containsKey("report.html") ? ", report.html" : "") + " and CSV files to " + out);
    err.flush();
    return 0;
  }

  private List<CategoryFeatures> features(OnnxBackbone b, List<MvtecCategory> cats, FeatureCache fc,
      ProgressPrinter progress) throws Exception {
    FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
    List<CategoryFeatures> out = new ArrayList<>();
    for (MvtecCategory c : cats) {
      out.add(CategoryFeatures.extract(ex, c, input.skipUnreadable, progress, fc));
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

  private static Map<String, Object> summaryJson(EvaluationReport r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int v = 0; v < r.variants().size(); v++) {
      Map<String, Object> levels = new LinkedHashMap<>();
      for (int l = -1; l < r.backbone().levelNames().size(); l++) {
        MeanSem m = r.summary(v, l);
        levels.put(l < 0 ? "combined" : r.backbone().levelNames().get(l), m);
      }
      out.put(r.variants().get(v), levels);
    }
    return out;
  }

  /** A plain page: the Markdown's tables as HTML tables, the figures inline, a link to the detailed report. */
  static String html(String md, List<String> figures, Map<String, byte[]> files) {
    StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>maha experiment"
        + "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "td:first-child,th:first-child{text-align:left}th{background:#f0f0f0}img{max-width:100%}</style></head><body>");
    if (files.containsKey("report.html")) {
      h.append("<p>Per-category ROC curves, score histograms and image grids: <a href=\"report.html\">report.html</a>"
          + "</p>");
    }
    boolean inTable = false;
    boolean header = false;
    for (String line : md.split("\n")) {
      if (line.startsWith("|")) {
        String[] cells = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0)).split("\\|", -1);
        if (cells.length > 0 && cells[0].trim().startsWith("---") || line.matches("\\|[-:| ]+\\|?")) {
          continue;
        }
        if (!inTable) {
          h.append("<table>");
          inTable = true;
          header = true;
        }
        h.append("<tr>");
        for (String c : cells) {
          String t = esc(c.trim()).replaceAll("\\*\\*(.*?)\\*\\*", "<b>$1</b>");
          h.append(header ? "<th>" : "<td>").append(t).append(header ? "</th>" : "</td>");
        }
        h.append("</tr>");
        header = false;
        continue;
      }
      if (inTable) {
        h.append("</table>");
        inTable = false;
      }
      if (line.startsWith("### ")) {
        h.append("<h3>").append(esc(line.substring(4))).append("</h3>");
      } else if (line.startsWith("## ")) {
        h.append("<h2>").append(esc(line.substring(3))).append("</h2>");
      } else if (line.startsWith("# ")) {
        h.append("<h1>").append(esc(line.substring(2))).append("</h1>");
      } else if (!line.isBlank()) {
        h.append("<p>").append(esc(line)).append("</p>");
      }
    }
    if (inTable) {
      h.append("</table>");
    }
    for (String f : figures) {
      h.append("<p><img alt=\"").append(esc(f)).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(files.get(f))).append("\"></p>");
    }
    return h.append("</body></html>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
