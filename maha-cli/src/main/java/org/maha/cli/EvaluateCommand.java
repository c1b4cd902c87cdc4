package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.MvtecCategory;
import org.maha.model.Variant;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MapEvaluation;
import org.maha.pipeline.MapSettings;
import org.maha.files.AtomicFiles;
import org.maha.pipeline.ReportFiles;
import org.maha.report.HtmlReport;
import org.maha.report.ReportOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "evaluate", aliases = "eval", mixinStandardHelpOptions = true,
    description = {"Image-level AUROC of each variant on an MVTec-layout folder.",
        "Layout: ROOT/CATEGORY/train/good/*, ROOT/CATEGORY/test/<good|defect type>/*. Prints image-level AUROC per",
        "level and combined, per variant (mean ± SEM over categories), and writes auroc.csv, scores.csv,",
        "evaluation.json, evaluation.md."})
final class EvaluateCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();
  @Mixin AugmentOptions augment = new AugmentOptions();
  @Mixin TileOptions tile = new TileOptions();

  @Mixin MvtecOptions data = new MvtecOptions();

  @Option(names = "--variants", split = ",", defaultValue = "mvg,l2,sed", paramLabel = "V",
      description = "Comma-separated: mvg, l2, sed, pca:T, npca:T, pca-official:T, npca-official:T. Default: "
          + "${DEFAULT-VALUE}.")
  List<String> variants;

  @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder for the report files.")
  Path out;

  @Option(names = "--folds", defaultValue = "1", paramLabel = "K",
      description = "1: fit once on all of train/good (default). K > 1: the paper's protocol, KFold(K, shuffle=True, "
          + "random_state=SEED) on the name-sorted training images, AUROC averaged over folds (the paper uses 5).")
  int folds;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "KFold random_state. Default: 0.")
  long seed;

  @Option(names = "--maps", description = {"Also fit anomaly maps (default map settings, on all of train/good) and "
      + "report pixel AUROC and AU-PRO up to FPR 0.3 per category that has ground-truth masks "
      + "(ground_truth/<defect>/<name>_mask.png); written to pixel_metrics.csv with -o."})
  boolean maps;

  /** What evaluate and demo write into their report folder. */
  static final java.util.Set<String> REPORT_FILES = java.util.Set.of("csv", "json", "md", "html", "png");

  private List<Variant> vs;
  private org.maha.tiles.Tiling tiling;

  @Override
  public void validate() throws Exception {
    vs = Cli.variants(variants);
    augment.passes();
    tiling = tile.tiling();
    if (tiling != null && (folds != 1 || augment.passes() > 0)) {
      throw new MahaCommand.UsageException("--tile: " + (folds != 1 ? "not with --folds (tiled evaluation fits "
          + "once on all of train/good)" : "not with --augment (tiles are fitted as they are)"));
    }
    backbone.int8Supported = true;
    backbone.checkCombination(false);
    backbone.workImages = Long.MAX_VALUE; // data sets: many images
    if (out != null) {
      List<Path> inputs = new java.util.ArrayList<>(backbone.inputFiles());
      inputs.add(data.root);
      OutputPaths.folder("-o", out, inputs, REPORT_FILES);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    List<MvtecCategory> cats = data.categories();
    Path onnx = backbone.resolveOnnx();
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization,
        BackboneOptions.trainImages(cats, input.limits()), err)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Evaluation.Protocol protocol = new Evaluation.Protocol(folds, seed)
          .withAugmentation(augment.passes(), augment.seed);
      EvaluationReport r = tiling == null
          ? Evaluation.run(ex, cats, vs, protocol, onnx.toAbsolutePath().toString(), input.skipUnreadable,
              new ProgressPrinter(err, input.quiet))
          : org.maha.pipeline.TiledEvaluation.run(ex, cats, vs, tiling, onnx.toAbsolutePath().toString(),
              input.skipUnreadable, new ProgressPrinter(err, input.quiet));
      if (tiling != null) {
        spec.commandLine().getOut().println("Tiled: " + tiling.describe() + "; every tile of train/good a training "
            + "vector, an image's score the maximum over its tiles.");
      }
      show(spec.commandLine().getOut(), err, r);
      List<MapEvaluation.CategoryPixels> pixels = maps ? pixelMetrics(ex, cats, onnx, err) : List.of();
      write(err, r, out, pixels);
    }
    return 0;
  }

  /** evaluate --maps: pixel AUROC and AU-PRO per category with masks, printed and (with -o) written as CSV. */
  private List<MapEvaluation.CategoryPixels> pixelMetrics(FeatureExtractor ex, List<MvtecCategory> cats, Path onnx,
      PrintWriter err) throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    java.util.function.Consumer<String> noMasks =
        name -> err.println("note: " + name + " has no ground-truth masks; no pixel metrics for it");
    List<MapEvaluation.CategoryPixels> r;
    if (tiling == null) {
      r = MapEvaluation.runAll(ex, cats, MapSettings.defaults(), onnx.toAbsolutePath().toString(),
          input.skipUnreadable, input.limits(), new ProgressPrinter(err, input.quiet), noMasks);
    } else {
      r = new java.util.ArrayList<>();
      for (MvtecCategory c : cats) {
        if (!MapEvaluation.hasMasks(c)) {
          noMasks.accept(c.name());
          continue;
        }
        r.add(org.maha.pipeline.TiledEvaluation.pixelMetrics(ex, c, MapSettings.defaults(), tiling,
            onnx.toAbsolutePath().toString(), input.skipUnreadable, input.limits(),
            new ProgressPrinter(err, input.quiet)));
      }
    }
    stdout.println();
    stdout.print(MapEvaluation.markdown(r));
    stdout.flush();
    if (out != null && !r.isEmpty()) {
      AtomicFiles.write(out.resolve(MapEvaluation.CSV_FILE), MapEvaluation.csv(r).getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
      err.println("wrote " + MapEvaluation.CSV_FILE + " to " + out);
    }
    return r;
  }

  static void print(PrintWriter stdout, PrintWriter err, EvaluationReport r, Path out) throws Exception {
    show(stdout, err, r);
    write(err, r, out, List.of());
  }

  /** The skipped files and warnings on stderr, the AUROC tables on stdout. */
  static void show(PrintWriter stdout, PrintWriter err, EvaluationReport r) {
    for (Evaluation.CategoryResult c : r.categories()) {
      Cli.reportSkipped(err, c.skipped());
      c.warnings().forEach(w -> err.println("warning: " + c.category() + ": " + w));
    }
    stdout.print(r.toMarkdown());
    stdout.flush();
  }

  /** With {@code out}, the report files (report.html with the maps of {@code pixels} when there are any). */
  static void write(PrintWriter err, EvaluationReport r, Path out, List<MapEvaluation.CategoryPixels> pixels)
      throws Exception {
    if (out != null) {
      Map<String, byte[]> files = new LinkedHashMap<>(ReportFiles.files(r));
      Map<String, byte[]> html = HtmlReport.render(r, ReportOptions.defaults(OffsetDateTime.now()), pixels);
      files.putAll(html);
      AtomicFiles.writeAll(out, files);
      long figures = html.keySet().stream().filter(k -> k.startsWith("figures/")).count();
      err.println("wrote auroc.csv, scores.csv, evaluation.json, evaluation.md, report.html, report.md and "
          + figures + " figures to " + out);
      err.flush();
    }
  }
}
