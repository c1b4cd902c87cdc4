package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.api.Detector;
import org.maha.api.FitOptions;
import org.maha.api.FitResult;
import org.maha.api.FittedModel;
import org.maha.api.internal.ApiInternals;
import org.maha.model.GaussianAdModel;
import org.maha.model.LevelModel;
import org.maha.backbone.OnnxBackbone;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MapJobs;
import org.maha.pipeline.MapModel;
import org.maha.pipeline.MapModelFile;
import org.maha.pipeline.MapScale;
import org.maha.pipeline.MapSettings;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.TileJobs;
import org.maha.pipeline.TilingFile;
import org.maha.model.ModelFile;
import org.maha.tiles.Tiling;
import org.maha.pipeline.TrainAugmentation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "fit", mixinStandardHelpOptions = true,
    description = "Fit the detector on good images and save it as a .maha model file.")
final class FitCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();
  @Mixin AugmentOptions augment = new AugmentOptions();
  @Mixin TileOptions tile = new TileOptions();

  @Option(names = "--augment-rules", defaultValue = "default", paramLabel = "R",
      description = {"Which augmentations --augment applies: 'default' (flip, rotate90, small shift/scale/rotate, "
          + "noise), an MVTec category name (its rules in the paper's code), or a comma list of flip, rotate90, "
          + "rotate45, background-edge, noise. Default: ${DEFAULT-VALUE}."})
  String augmentRules;

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Good images: files or folders of images.")
  List<Path> images;

  @Mixin ModelOutput output = new ModelOutput();
  private Path out;

  @Option(names = "--variant", defaultValue = "mvg", paramLabel = "V",
      description = "mvg (the paper's Gaussian), l2, sed, pca:T or npca:T (maha's component rule), or "
          + "pca-official:T / npca-official:T (the paper's exact slice). Default: ${DEFAULT-VALUE}.")
  String variant;

  @Option(names = "--calibrate", split = ",", paramLabel = "IMAGES",
      description = "Good images NOT used for fitting (files or folders): set the decision threshold on the combined "
          + "score from them (split-conformal quantile), stored in the model and used by `maha score`.")
  List<Path> calibrate;

  @Option(names = "--target-fpr", defaultValue = "0.01", paramLabel = "A",
      description = "False-positive rate the calibrated threshold targets; needs at least 1/A - 1 calibration "
          + "images for the guarantee. Default: ${DEFAULT-VALUE}.")
  double targetFpr;

  @Option(names = "--maps", description = {"Also fit an anomaly-map model (a Gaussian per feature-grid position, "
      + "PaDiM with Ledoit-Wolf shrinkage), stored in the model file, for `maha score --maps`. Its display scale "
      + "is learnt from the --calibrate images, else from the training images."})
  boolean maps;

  @Option(names = "--map-levels", split = ",", paramLabel = "L",
      description = "With --maps: backbone levels whose grids are concatenated (default: those at strides 4 to 16).")
  List<String> mapLevels;

  @Option(names = "--map-channels", paramLabel = "N",
      description = "With --maps: channels kept after concatenation, drawn at random with a fixed seed, 1.."
          + MapSettings.MAX_CHANNELS + " (default " + MapSettings.DEFAULT_CHANNELS + ").")
  Integer mapChannels;

  @Option(names = "--map-float32",
      description = "With --maps: store the per-position Cholesky factors in float32, about halving the file (on "
          + "the demo set the maps stay within 1e-7 relative of float64's; see README).")
  boolean mapFloat32;

  private TrainAugmentation augmentation;
  private Tiling tiling;
  private MapSettings mapSettings;
  private List<Path> files;
  private List<Path> calibration;

  @Override
  public void validate() throws Exception {
    Cli.variant(variant); // refused here, before any work
    backbone.int8Supported = true;
    backbone.checkCombination(false);
    augmentation = augment.augmentation(augmentRules);
    tiling = tile.tiling();
    if (tiling != null && augmentation != null) {
      throw new MahaCommand.UsageException("--tile: not with --augment (tiles are fitted as they are)");
    }
    mapSettings = mapSettings();
    files = input.expand(images, spec.commandLine().getErr());
    backbone.workImages = files.size();
    calibration = calibrate == null ? List.of() : input.expand(calibrate, spec.commandLine().getErr());
    Calibrating.requireHeldOut(files, calibration);
    List<Path> inputs = new java.util.ArrayList<>(files);
    inputs.addAll(calibration);
    inputs.addAll(backbone.inputFiles());
    out = output.check(inputs);
  }

  private MapSettings mapSettings() throws MahaCommand.UsageException {
    if (!maps) {
      if (mapLevels != null || mapChannels != null || mapFloat32) {
        throw new MahaCommand.UsageException((mapLevels != null ? "--map-levels" : mapChannels != null
            ? "--map-channels" : "--map-float32") + ": needs --maps");
      }
      return null;
    }
    if (augmentation != null) {
      throw new MahaCommand.UsageException("--maps: not with --augment (the map model is fitted on the images as "
          + "they are)");
    }
    MapSettings d = MapSettings.defaults();
    try {
      return new MapSettings(mapLevels == null ? List.of() : mapLevels,
          mapChannels == null ? d.channels() : mapChannels, d.seed(), d.sigmaPx());
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException((mapChannels != null ? "--map-channels" : "--map-levels") + ": "
          + e.getMessage());
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Path onnx = backbone.resolveOnnx();
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    if (mapSettings != null) {
      fitWithMaps(onnx, err, stdout, progress);
      return 0;
    }
    if (tiling != null) {
      fitTiled(onnx, err, stdout, progress);
      return 0;
    }
    try (Detector detector = backbone.detector(onnx, backbone.levels, backbone.normalization, input,
        progress::progress).build()) {
      FitOptions options = FitOptions.defaults().withVariant(variant);
      if (augmentation != null) {
        options = options.withAugmentation(augmentation.passes(), augmentation.seed(), augmentRules);
      }
      if (backbone.int8 != null) {
        int n = Math.min(backbone.int8, files.size());
        err.printf(Locale.ROOT, "int8: calibrating on the first %d training images ...%n", n);
        err.flush();
        options = options.withInt8(input.images(files.subList(0, n), "the first " + n + " training images"));
      }
      FitResult r = detector.fitWithReport(input.images(files, Cli.describe(images)), options);
      reportInt8(err, r.model());
      Cli.reportSkippedImages(err, r.skipped());
      r.warnings().forEach(w -> err.println("warning: " + w));
      FittedModel model = r.model();
      if (!calibration.isEmpty()) { // after the fit's report, as a separate step, so stderr reads in order
        FitResult c = detector.calibrateWithReport(model, input.images(calibration, Cli.describe(calibrate)),
            targetFpr);
        Cli.reportSkippedImages(err, c.skipped());
        c.warnings().forEach(w -> err.println("warning: " + w));
        model = c.model();
      }
      model.save(out);
      summary(stdout, ApiInternals.model(model), r.skipped().size());
    }
    return 0;
  }

  /**
   * {@code fit --maps}: the image model exactly as without maps ({@link MapJobs#fit}) plus the map model from the
   * same inference, then the map scale from the calibration images, or without them from a fifth of the training
   * images (at most {@value #SCALE_TRAINING_IMAGES}) held out of a second map fit on the others (a second pass).
   */
  private void fitWithMaps(Path onnx, PrintWriter err, PrintWriter stdout, ProgressPrinter progress)
      throws Exception {
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization,
        BackboneOptions.firstFiles(files, input.limits()), err)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      MapJobs.MapFitOutcome r = tiling == null
          ? MapJobs.fit(ex, ex.files(files), Cli.variant(variant), Cli.describe(images),
              onnx.toAbsolutePath().toString(), mapSettings, input.skipUnreadable, progress)
          : TileJobs.fitWithMaps(ex, ex.files(files), tiling, Cli.variant(variant), Cli.describe(images),
              onnx.toAbsolutePath().toString(), mapSettings, input.skipUnreadable, progress);
      Cli.reportSkipped(err, r.image().skipped());
      r.image().warnings().forEach(w -> err.println("warning: " + w));
      GaussianAdModel model = r.image().model();
      MapModel scaleModel = r.maps();
      List<Path> scaleImages = calibration;
      if (!calibration.isEmpty()) {
        model = Calibrating.apply(ex, model, calibration, targetFpr, Cli.describe(calibrate), input, err, tiling);
      } else {
        // maps of the training images are in-sample (far too calm): hold some out of a second map fit
        List<Path> readable = readable(files, r.image().skipped());
        int k = Math.max(1, Math.min(SCALE_TRAINING_IMAGES, readable.size() / 5));
        if (readable.size() - k < 2) {
          throw new MahaCommand.UsageException("--maps: " + readable.size() + " training images are too few to "
              + "learn the map scale from held-out ones; give more, or --calibrate GOOD_IMAGES");
        }
        scaleImages = readable.subList(readable.size() - k, readable.size());
        FeatureExtractor.ImageSource rest = ex.files(readable.subList(0, readable.size() - k));
        scaleModel = (tiling == null
            ? MapJobs.fit(ex, rest, Cli.variant(variant), "map scale", null, mapSettings, false, progress)
            : TileJobs.fitWithMaps(ex, rest, tiling, Cli.variant(variant), "map scale", null, mapSettings, false,
                progress)).maps();
      }
      MapScale.Builder scale = new MapScale.Builder();
      if (tiling == null) {
        MapJobs.score(ex, model, scaleModel, ex.files(scaleImages), false, progress, (i, im) -> scale.add(im.map()));
      } else {
        TileJobs.scoreWithMaps(ex, model, scaleModel, ex.files(scaleImages), tiling, false, progress,
            (i, im) -> scale.add(im.map()));
      }
      MapScale s = scale.build(targetFpr, calibration.isEmpty() ? MapScale.HELD_OUT : MapScale.CALIBRATION);
      MapModelFile.write(model, r.maps(), s, out,
          tiling == null ? List.of() : List.of(TilingFile.section(tiling)), mapFloat32);
      stdout.printf(Locale.ROOT, "anomaly maps: levels %s on a %d x %d grid, %d channels; scale from %d %s images: "
          + "calm <= %.4g, contour at %.4g%n", r.maps().levels(), r.maps().gaussians().height(),
          r.maps().gaussians().width(), r.maps().gaussians().channels(), s.images(), s.source(), s.calm(),
          s.contour());
      tiles(stdout, model, r.image().skipped().size());
      summary(stdout, model, r.image().skipped().size());
    }
  }

  /**
   * {@code fit --tile}: every tile of every image a training vector ({@link TileJobs#fit}), calibration images
   * scored from their tiles, the tiling recorded in the model file ({@link TilingFile}).
   */
  private void fitTiled(Path onnx, PrintWriter err, PrintWriter stdout, ProgressPrinter progress) throws Exception {
    try (OnnxBackbone b = backbone.open(onnx, backbone.levels, backbone.normalization,
        BackboneOptions.firstFiles(files, input.limits()), err)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Jobs.FitOutcome r = TileJobs.fit(ex, ex.files(files), tiling, Cli.variant(variant), Cli.describe(images),
          onnx.toAbsolutePath().toString(), input.skipUnreadable, progress);
      Cli.reportSkipped(err, r.skipped());
      r.warnings().forEach(w -> err.println("warning: " + w));
      GaussianAdModel model = r.model();
      if (!calibration.isEmpty()) {
        model = Calibrating.apply(ex, model, calibration, targetFpr, Cli.describe(calibrate), input, err, tiling);
      }
      ModelFile.write(model, out, List.of(TilingFile.section(tiling)));
      tiles(stdout, model, r.skipped().size());
      summary(stdout, model, r.skipped().size());
    }
  }

  /** With {@code --int8}: what the model records, on stderr. */
  private static void reportInt8(PrintWriter err, FittedModel model) {
    model.int8().ifPresent(d -> err.println("int8: the model records its graph: " + d));
  }

  /** With tiling, what the training count of the summary counts. */
  private void tiles(PrintWriter out, GaussianAdModel m, int skipped) {
    if (tiling != null) {
      out.printf(Locale.ROOT, "tiled: %s; %d training tiles from %d images; an image's score is the maximum over "
          + "its tiles%n", tiling.describe(), m.info().nTrain(), files.size() - skipped);
    }
  }

  /** Most training images held out for the map scale when no calibration images are given (else a fifth). */
  static final int SCALE_TRAINING_IMAGES = 64;

  private static List<Path> readable(List<Path> files, List<org.maha.pipeline.Skipped> skipped) {
    java.util.Set<Path> left = new java.util.HashSet<>();
    skipped.forEach(x -> left.add(x.path()));
    return files.stream().filter(f -> !left.contains(f)).toList();
  }

  private void summary(PrintWriter out, GaussianAdModel m, int skipped) {
    out.printf(Locale.ROOT, "fitted %s on %d %s (%d skipped) with backbone %s%n", m.variant().id(),
        m.info().nTrain(), tiling == null ? "images" : "tiles", skipped, m.info().backbone().name());
    for (int i = 0; i < m.levels().size(); i++) {
      LevelModel l = m.levels().get(i);
      String extra = "";
      if (l instanceof LevelModel.Mvg g) {
        extra = String.format(Locale.ROOT, "  shrinkage %.4f", g.shrinkage());
      } else if (l instanceof LevelModel.Projected p) {
        extra = String.format(Locale.ROOT, "  kept %d of %d components  shrinkage %.4f", p.inner().inputDim(),
            p.totalComponents(), p.inner().shrinkage());
      }
      out.printf(Locale.ROOT, "  %-10s d=%-5d%s%n", m.info().levelNames().get(i), l.inputDim(), extra);
    }
    m.threshold().ifPresent(c -> out.printf(Locale.ROOT,
        "decision threshold %.6g on the combined score (target false-positive rate %s, %d calibration images)%n",
        c.threshold(), c.targetFpr(), c.n()));
    out.println("wrote " + this.out);
    out.flush();
  }
}
