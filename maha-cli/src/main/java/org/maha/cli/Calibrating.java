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
    return apply(ex, model, calibration, targetFpr, source, input, err, null);
  }

  /** As the method above; with {@code tiling} (null: none), each calibration image scored from its tiles. */
  static GaussianAdModel apply(FeatureExtractor ex, GaussianAdModel model, List<Path> calibration, double targetFpr,
      String source, InputOptions input, PrintWriter err, org.maha.tiles.Tiling tiling) throws Exception {
    ProgressPrinter progress = new ProgressPrinter(err, input.quiet);
    Jobs.CalibrationOutcome c = tiling == null
        ? Jobs.calibrate(ex, model, calibration, targetFpr, source, input.skipUnreadable, progress)
        : org.maha.pipeline.TileJobs.calibrate(ex, model, ex.files(calibration), tiling, targetFpr, source,
            input.skipUnreadable, progress);
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
