package org.maha.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.maha.model.GaussianAdModel;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;

/** The decision threshold of {@code fit --calibrate} and {@code update --calibrate}, set the same way by both. */
final class Calibrating {
  private Calibrating() {}

  /** Before any work: calibration images must not be training images (split conformal needs held-out scores). */
  static void requireHeldOut(Collection<Path> training, List<Path> calibration) throws MahaCommand.UsageException {
    Set<Path> real = new HashSet<>();
    training.forEach(f -> real.add(InputOptions.realPath(f)));
    for (Path c : calibration) {
      if (real.contains(InputOptions.realPath(c))) {
        throw new MahaCommand.UsageException("--calibrate: " + c + " is also a training image; calibration images "
            + "must be good images NOT used for fitting, or the threshold's false-positive rate is not guaranteed");
      }
    }
  }

  /** {@code model} with the threshold set from {@code calibration}; skipped files and a weak guarantee reported. */
  static GaussianAdModel apply(FeatureExtractor ex, GaussianAdModel model, List<Path> calibration, double targetFpr,
      String source, InputOptions input, PrintWriter err) throws Exception {
    Jobs.CalibrationOutcome c = Jobs.calibrate(ex, model, calibration, targetFpr, source, input.skipUnreadable,
        new ProgressPrinter(err, input.quiet));
    Cli.reportSkipped(err, c.skipped());
    GaussianAdModel calibrated = c.model();
    if (!calibrated.calibration().guaranteed()) {
      err.printf(Locale.ROOT, "warning: %d calibration images are too few for a false-positive rate of %s "
          + "(need at least %d); the threshold is the largest calibration score%n", calibrated.calibration().n(),
          targetFpr, org.maha.eval.ConformalThreshold.minimumImages(targetFpr));
    }
    return calibrated;
  }
}
