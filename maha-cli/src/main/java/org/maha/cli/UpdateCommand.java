package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.api.Detector;
import org.maha.api.FitResult;
import org.maha.api.FittedModel;
import org.maha.api.internal.ApiInternals;
import org.maha.model.GaussianAdModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha update}: adds good images to a model without its old images, from the exact training statistics a
 * format-2 model keeps; the new model equals a fit on the old images plus the new ones, through the public API
 * ({@link Detector#update}).
 */
@Command(name = "update", mixinStandardHelpOptions = true,
    description = {"Add good images to a model (mvg, l2, sed; model format 2) without its old images: the new model "
        + "is the one `maha fit` gives on the old images and these together. A calibrated threshold is dropped "
        + "(it held for the old model's scores only); --calibrate sets a new one."})
final class UpdateCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin BackboneOptions backbone = new BackboneOptions();
  @Mixin InputOptions input = new InputOptions();

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "OLD", description = "Model file to update (.maha).")
  Path modelFile;

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Good images to add: files or folders.")
  List<Path> images;

  @Mixin ModelOutput output = new ModelOutput();
  private Path out;

  @Option(names = "--calibrate", split = ",", paramLabel = "IMAGES",
      description = "Good images used neither for the old model nor here (files or folders): set the updated model's "
          + "decision threshold from them, as fit --calibrate does (the old threshold is always dropped).")
  List<Path> calibrate;

  @Option(names = "--target-fpr", defaultValue = "0.01", paramLabel = "A",
      description = "False-positive rate the calibrated threshold targets. Default: ${DEFAULT-VALUE}.")
  double targetFpr;

  @Option(names = "--drop-maps",
      description = "Update a model fitted with --maps by writing the updated image model without its anomaly maps "
          + "(they keep no training statistics to add images to; without this option such a model is refused).")
  boolean dropMaps;

  private List<Path> files;
  private List<Path> calibration;

  @Override
  public void validate() throws Exception {
    FittedBackbone.refuseModelOptions(backbone, "update");
    files = input.expand(images, spec.commandLine().getErr());
    backbone.workImages = files.size();
    calibration = calibrate == null ? List.of() : input.expand(calibrate, spec.commandLine().getErr());
    Calibrating.requireHeldOut(files, calibration);
    List<Path> inputs = new ArrayList<>(files);
    inputs.addAll(calibration);
    inputs.add(modelFile);
    inputs.addAll(backbone.inputFiles());
    out = output.check(inputs);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    TileOptions.refuseTiled(modelFile, "update");
    FittedModel old = FittedModel.load(modelFile); // a map section is noted, not read
    boolean droppedMaps = old.hasMaps();
    if (droppedMaps) {
      if (!dropMaps) {
        throw new MahaCommand.UsageException(modelFile + ": has anomaly maps, which keep only their fitted "
            + "per-position Gaussians, not the training statistics that adding images needs; give --drop-maps to "
            + "write the updated image model without maps, or fit --maps on all the images");
      }
      old = old.withoutMaps();
    }
    old.checkUpdatable(); // before the backbone is looked for: a v1 or PCA model is refused as such
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    GaussianAdModel internal = ApiInternals.model(old);
    Path onnx = FittedBackbone.onnxFile(backbone, internal, modelFile);
    var fitted = internal.info().backbone();
    try (Detector detector = backbone.detector(onnx, fitted.levelNames(), fitted.normalization().id(), input,
        progress::progress).build()) {
      FitResult r = detector.updateWithReport(old, input.images(files, Cli.describe(images)));
      Cli.reportSkippedImages(err, r.skipped());
      r.warnings().forEach(w -> err.println("warning: " + w));
      if (old.threshold().isPresent() && calibration.isEmpty()) {
        err.println("warning: " + modelFile + "'s calibrated threshold was dropped: it was a quantile of scores under "
            + "the old model, so its false-positive rate no longer holds; give --calibrate IMAGES to set a new one");
      }
      FittedModel model = r.model();
      if (!calibration.isEmpty()) { // after the update's report, as fit does, so stderr reads in order
        FitResult c = detector.calibrateWithReport(model, input.images(calibration, Cli.describe(calibrate)),
            targetFpr);
        Cli.reportSkippedImages(err, c.skipped());
        c.warnings().forEach(w -> err.println("warning: " + w));
        model = c.model();
      }
      model.save(out);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.printf(Locale.ROOT, "updated %s model: %d images + %d new = %d (%d skipped)%n", model.variant(),
          old.trainingImages(), model.trainingImages() - old.trainingImages(), model.trainingImages(),
          r.skipped().size());
      model.threshold().ifPresent(t -> stdout.printf(Locale.ROOT, "decision threshold %.6g on the combined score "
          + "(target false-positive rate %s, %d calibration images)%n", t.value(), t.targetFpr(),
          t.calibrationImages()));
      if (droppedMaps) {
        stdout.println("without anomaly maps (--drop-maps)");
      }
      stdout.println("wrote " + out);
      stdout.flush();
    }
    return 0;
  }
}
