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

  @Option(names = "--augment-rules", defaultValue = "default", paramLabel = "R",
      description = {"Which augmentations --augment applies: 'default' (flip, rotate90, small shift/scale/rotate, "
          + "noise), an MVTec category name (its rules in the paper's code), or a comma list of flip, rotate90, "
          + "rotate45, background-edge, noise. Default: ${DEFAULT-VALUE}."})
  String augmentRules;

  @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "Good images: files or folders of images.")
  List<Path> images;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE",
      description = "Model file to write; its name must end in .maha (unless --force), and it must not be one of "
          + "the inputs.")
  Path out;

  @Option(names = "--force", description = "Write the model even to a name that does not end in .maha.")
  boolean force;

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

  private TrainAugmentation augmentation;
  private List<Path> files;
  private List<Path> calibration;

  @Override
  public void validate() throws Exception {
    Cli.variant(variant); // refused here, before any work
    backbone.checkCombination(false);
    augmentation = augment.augmentation(augmentRules);
    files = input.expand(images, spec.commandLine().getErr());
    calibration = calibrate == null ? List.of() : input.expand(calibrate, spec.commandLine().getErr());
    Calibrating.requireHeldOut(files, calibration);
    List<Path> inputs = new java.util.ArrayList<>(files);
    inputs.addAll(calibration);
    inputs.addAll(backbone.inputFiles());
    OutputPaths.model("-o", out, force, inputs);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Path onnx = backbone.resolveOnnx();
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    try (Detector detector = backbone.detector(onnx, backbone.levels, backbone.normalization, input,
        progress::progress).build()) {
      FitOptions options = FitOptions.defaults().withVariant(variant);
      if (augmentation != null) {
        options = options.withAugmentation(augmentation.passes(), augmentation.seed(), augmentRules);
      }
      FitResult r = detector.fitWithReport(input.images(files, Cli.describe(images)), options);
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

  private void summary(PrintWriter out, GaussianAdModel m, int skipped) {
    out.printf(Locale.ROOT, "fitted %s on %d images (%d skipped) with backbone %s%n", m.variant().id(),
        m.info().nTrain(), skipped, m.info().backbone().name());
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
