package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maha.backbone.OnnxBackbone;
import org.maha.files.Sha256;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelUpdates;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.MapModelFile;
import org.maha.pipeline.Jobs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code maha update}: adds good images to a model without its old images, from the exact training statistics a
 * format-2 model keeps; the new model equals a fit on the old images plus the new ones ({@link ModelUpdates}).
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

  private List<Path> files;
  private List<Path> calibration;

  @Override
  public void validate() throws Exception {
    FittedBackbone.refuseModelOptions(backbone, "update");
    files = input.expand(images, spec.commandLine().getErr());
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
    // the map section is noted, not read: update keeps only the image model's statistics
    ModelFile.Loaded<Boolean> loaded = ModelFile.read(modelFile, MapModelFile.KEY, (m, node, entries) -> true);
    GaussianAdModel old = loaded.model();
    ModelUpdates.requireUpdatable(old, modelFile.toString());
    ModelUpdates.Source base = new ModelUpdates.Source(old, modelFile.toString(), Sha256.of(modelFile));
    try (OnnxBackbone b = FittedBackbone.open(backbone, old, modelFile)) {
      FeatureExtractor ex = new FeatureExtractor(b, input.limits(), input.decodeThreads());
      Jobs.FitOutcome r = Jobs.update(ex, base, files, Cli.describe(images), input.skipUnreadable,
          new ProgressPrinter(err, input.quiet));
      Cli.reportSkipped(err, r.skipped());
      r.warnings().forEach(w -> err.println("warning: " + w));
      if (old.threshold().isPresent() && calibration.isEmpty()) {
        err.println("warning: " + modelFile + "'s calibrated threshold was dropped: it was a quantile of scores under "
            + "the old model, so its false-positive rate no longer holds; give --calibrate IMAGES to set a new one");
      }
      if (loaded.section() != null) {
        err.println("warning: " + modelFile + "'s anomaly maps were dropped: update adds images to the image model "
            + "only; fit --maps on all the images to have maps again");
      }
      GaussianAdModel model = r.model();
      if (!calibration.isEmpty()) {
        model = Calibrating.apply(ex, model, calibration, targetFpr, Cli.describe(calibrate), input, err);
      }
      ModelFile.write(model, out);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.printf(Locale.ROOT, "updated %s model: %d images + %d new = %d (%d skipped)%n", model.variant().id(),
          old.info().nTrain(), model.info().nTrain() - old.info().nTrain(), model.info().nTrain(), r.skipped().size());
      model.threshold().ifPresent(c -> stdout.printf(Locale.ROOT, "decision threshold %.6g on the combined score "
          + "(target false-positive rate %s, %d calibration images)%n", c.threshold(), c.targetFpr(), c.n()));
      stdout.println("wrote " + out);
      stdout.flush();
    }
    return 0;
  }
}
