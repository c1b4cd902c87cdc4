package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.MvtecCategory;
import org.maha.data.MvtecLayout;
import org.maha.data.SyntheticInspectionSet;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.FeatureExtractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Fit and evaluate every variant on a built-in synthetic set.",
        "The built-in default job: builds a small synthetic inspection set (procedural textures with scratches,",
        "blobs and cracks, made by maha itself), fits every variant on its good images, evaluates on its test",
        "images and prints the AUROC table; the report files go to OUT/report."})
final class DemoCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Option(names = {"-o", "--out"}, defaultValue = "maha-demo", paramLabel = "DIR",
      description = "Working folder: OUT/data (the generated set, reused if present) and OUT/report. "
          + "Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--variants", split = ",", paramLabel = "V",
      description = "Variants to compare. Default: mvg,l2,sed,pca:0.99,npca:0.99 (with --large: mvg).")
  List<String> variants;

  @Option(names = "--large", description = {"Instead: large images with small defects (fabric and granite, "
      + LARGE_PX + " px, defects drawn at the scale of a " + LARGE_WINDOW + "-px image: about 10 to 50 px; masks in "
      + "ground_truth/), written to OUT/data (OUT defaults to maha-demo-large), evaluated without and with tiling "
      + "category by category, alternating, with the time per image of each."})
  boolean large;

  @Mixin TileOptions tile = new TileOptions();

  /** Side of the --large images. */
  static final int LARGE_PX = 1024;
  /** Defects of --large are drawn at the scale of an image this large. */
  static final int LARGE_WINDOW = 256;
  /** Overlap of --large's tiles when --tile is not given. */
  static final int LARGE_OVERLAP = 32;
  private static final String DEFAULT_OUT = "maha-demo";

  /** The large set: 2 procedural surfaces, 20 train, 10 good and 5 per defect type (20) test images each. */
  static SyntheticInspectionSet.Spec largeSpec() {
    return new SyntheticInspectionSet.Spec(List.of("fabric", "granite"), LARGE_PX, 20, 10, 5, 2020L);
  }

  private org.maha.tiles.Tiling tiling;

  @Override
  public void validate() throws Exception {
    if (variants == null) {
      variants = large ? List.of("mvg") : List.of("mvg", "l2", "sed", "pca:0.99", "npca:0.99");
    }
    tiling = tile.tiling();
    if (tiling != null && !large) {
      throw new MahaCommand.UsageException("--tile: only with --large (the default demo's images are 256 px)");
    }
    if (large && out.equals(Path.of(DEFAULT_OUT))) {
      out = Path.of(DEFAULT_OUT + "-large");
    }
    Cli.variants(variants);
    backbone.int8Supported = true;
    backbone.checkCombination(false);
    backbone.workImages = Long.MAX_VALUE; // data sets: many images
    OutputPaths.folder("-o", out, backbone.inputFiles(), EvaluateCommand.REPORT_FILES);
    OutputPaths.folder("-o", out.resolve("data"), List.of(), java.util.Set.of());
    OutputPaths.folder("-o", out.resolve("report"), backbone.inputFiles(), EvaluateCommand.REPORT_FILES);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    var vs = Cli.variants(variants);
    Path onnx = backbone.resolveOnnx();
    Path data = out.resolve("data");
    SyntheticInspectionSet.Spec set = large ? largeSpec() : SyntheticInspectionSet.Spec.demo();
    if (Files.isDirectory(data)) {
      err.println("using the synthetic set already in " + data);
    } else {
      err.println("writing a synthetic inspection set to " + data + " (" + set.categories().size()
          + " categories, " + set.px() + " px" + (large ? ", defects at the scale of " + LARGE_WINDOW + " px" : "")
          + ")");
      err.flush();
      if (large) {
        SyntheticInspectionSet.writeLarge(data, set, LARGE_WINDOW);
      } else {
        SyntheticInspectionSet.write(data, set);
      }
    }
    var cats = MvtecLayout.resolve(data, Optional.empty());
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization,
        BackboneOptions.trainImages(cats, input.limits()), err)) {
      err.println("backbone " + b.spec().label() + " (" + onnx + "), " + b.spec().levelNames().size() + " levels");
      err.flush();
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      if (large) {
        large(ex, cats, vs, onnx, b.spec().inputSizePx(), err);
        return 0;
      }
      EvaluationReport r = Evaluation.run(ex, cats, vs, onnx.toAbsolutePath().toString(), input.skipUnreadable,
          new ProgressPrinter(err, input.quiet));
      EvaluateCommand.print(spec.commandLine().getOut(), err, r, out.resolve("report"));
    }
    return 0;
  }

  /**
   * demo --large: per category, the untiled evaluation and the tiled one in turn (so both see the same load),
   * each timed; the two AUROC tables, and the time per image of each, on stdout; reports in OUT/report/whole and
   * OUT/report/tiled.
   */
  private void large(FeatureExtractor ex, List<MvtecCategory> cats, List<org.maha.model.Variant> vs, Path onnx,
      int inputPx, PrintWriter err) throws Exception {
    org.maha.tiles.Tiling t = tiling != null ? tiling
        : new org.maha.tiles.Tiling(inputPx, Math.min(LARGE_OVERLAP, inputPx / 2));
    String file = onnx.toAbsolutePath().toString();
    List<Evaluation.CategoryResult> whole = new java.util.ArrayList<>();
    List<Evaluation.CategoryResult> tiled = new java.util.ArrayList<>();
    long wholeNanos = 0;
    long tiledNanos = 0;
    int images = 0;
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    for (MvtecCategory c : cats) {
      images += c.train().size() + c.test().size();
      long t0 = System.nanoTime();
      whole.addAll(Evaluation.run(ex, List.of(c), vs, file, input.skipUnreadable, progress).categories());
      long t1 = System.nanoTime();
      tiled.addAll(org.maha.pipeline.TiledEvaluation.run(ex, List.of(c), vs, t, file, input.skipUnreadable,
          progress).categories());
      tiledNanos += System.nanoTime() - t1;
      wholeNanos += t1 - t0;
    }
    var backboneSpec = ex.backbone().spec();
    PrintWriter stdout = spec.commandLine().getOut();
    List<String> ids = vs.stream().map(org.maha.model.Variant::id).toList();
    stdout.println("## whole images (resized to " + inputPx + " px)");
    EvaluateCommand.print(stdout, err, new EvaluationReport(backboneSpec, ids, whole), out.resolve("report/whole"));
    stdout.println();
    stdout.println("## tiled (" + t.describe() + ", image score = maximum over tiles)");
    EvaluateCommand.print(stdout, err, new EvaluationReport(backboneSpec, ids, tiled), out.resolve("report/tiled"));
    stdout.println();
    stdout.printf(java.util.Locale.ROOT, "time per image (fit and score, %d images of %d px, alternating by "
        + "category): whole %.1f ms, tiled %.1f ms (%.1fx)%n", images, LARGE_PX, wholeNanos / 1e6 / images,
        tiledNanos / 1e6 / images, (double) tiledNanos / wholeNanos);
    stdout.flush();
  }
}
