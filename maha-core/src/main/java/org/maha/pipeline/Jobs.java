package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.eval.ConformalThreshold;
import org.maha.model.Calibration;
import org.maha.model.FitException;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelUpdates;
import org.maha.model.Variant;

/**
 * Fit and score over lists of image files (the library calls behind {@code maha fit} and {@code maha score}) or
 * any other {@link FeatureExtractor.ImageSource}, such as frames in memory, through the same extraction.
 */
public final class Jobs {
  private Jobs() {}

  /** A fitted model with what happened on the way. */
  public record FitOutcome(GaussianAdModel model, List<Skipped> skipped, List<String> warnings) {}

  /** A scoring run's results, in input order, and the files left out. */
  public record ScoreOutcome(List<ScoredImage> scores, List<Skipped> skipped) {}

  /**
   * Fits a model on {@code images} (all assumed normal). Features stream into per-level accumulators, so memory
   * does not grow with the number of images (except for PCA variants, which keep the rows).
   */
  public static FitOutcome fit(FeatureExtractor extractor, List<Path> images, Variant variant, String trainSource,
      String backboneFile, boolean skipUnreadable, ProgressListener progress) throws Exception {
    return fit(extractor, images, variant, trainSource, backboneFile, skipUnreadable, null, progress);
  }

  /**
   * As {@link #fit(FeatureExtractor, List, Variant, String, String, boolean, ProgressListener)}, but with
   * {@code augmentation} (null: none) the model is fitted on that many augmented copies of each image instead of
   * the images themselves (PAPER §1.9).
   */
  public static FitOutcome fit(FeatureExtractor extractor, List<Path> images, Variant variant, String trainSource,
      String backboneFile, boolean skipUnreadable, TrainAugmentation augmentation, ProgressListener progress)
      throws Exception {
    return fit(extractor, extractor.files(images), variant, trainSource, backboneFile, skipUnreadable, augmentation,
        progress);
  }

  /**
   * As {@link #fit(FeatureExtractor, List, Variant, String, String, boolean, TrainAugmentation, ProgressListener)}
   * for images from any source, e.g. frames in memory ({@link MemoryImages}): the same extraction and fitter as
   * for files.
   */
  public static FitOutcome fit(FeatureExtractor extractor, FeatureExtractor.ImageSource images, Variant variant,
      String trainSource, String backboneFile, boolean skipUnreadable, TrainAugmentation augmentation,
      ProgressListener progress) throws Exception {
    GaussianAdFitter fitter = new GaussianAdFitter(extractor.backbone().spec(), backboneFile, variant);
    ImageDigests digests = new ImageDigests();
    FeatureExtractor.ImageSource hashed = digests.wrap(images);
    List<Skipped> skipped = augmentation == null
        ? extractor.extract(hashed, skipUnreadable, "fit: features", progress, (i, p, f) -> {
          fitter.add(f);
          digests.accept(i);
        })
        : extractor.extractAugmented(hashed, augmentation, skipUnreadable,
            "fit: features of " + augmentation.passes() + " augmented passes", progress, (i, p, f) -> {
              fitter.add(f);
              if (i < images.size()) { // the first pass: each image read once, digested once
                digests.accept(i);
              }
            });
    fitter.recordImages(digests.digest());
    return finish(fitter, skipped, trainSource);
  }

  /**
   * Adds the good {@code images} to {@code base}'s model ({@link GaussianAdFitter#resume}): the result is the model
   * a fit on the old images and these gives, with the update recorded in its history and no calibrated threshold
   * ({@link ModelUpdates}). {@code base} must be updatable ({@link ModelUpdates#requireUpdatable}).
   */
  public static FitOutcome update(FeatureExtractor extractor, ModelUpdates.Source base, List<Path> images,
      String source, boolean skipUnreadable, ProgressListener progress) throws Exception {
    return update(extractor, base, extractor.files(images), source, skipUnreadable, progress);
  }

  /** As {@link #update(FeatureExtractor, ModelUpdates.Source, List, String, boolean, ProgressListener)}, any images. */
  public static FitOutcome update(FeatureExtractor extractor, ModelUpdates.Source base,
      FeatureExtractor.ImageSource images, String source, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    GaussianAdFitter fitter = GaussianAdFitter.resume(base.model());
    long before = fitter.count();
    ImageDigests digests = new ImageDigests();
    List<Skipped> skipped = extractor.extract(digests.wrap(images), skipUnreadable, "update: features", progress,
        (i, p, f) -> {
          fitter.add(f);
          digests.accept(i);
        });
    long added = fitter.count() - before;
    if (added == 0) {
      throw new FitException(source + ": none of the images to add could be read; the model is unchanged");
    }
    GaussianAdModel fitted = fitter.fit(source);
    return new FitOutcome(ModelUpdates.updated(fitted, base, source, added, digests.digest()), skipped,
        fitter.warnings());
  }

  static FitOutcome finish(GaussianAdFitter fitter, List<Skipped> skipped, String trainSource)
      throws FitException {
    if (fitter.count() < 2) {
      throw new FitException(trainSource + ": need at least 2 readable training images to fit a model, got "
          + fitter.count());
    }
    GaussianAdModel model = fitter.fit(trainSource);
    return new FitOutcome(model, skipped, fitter.warnings());
  }

  /**
   * Sets the model's decision threshold from good images not used for fitting: the split-conformal quantile of
   * their combined scores at {@code targetFpr}; the scores are kept in the model for conformal p-values.
   */
  public static CalibrationOutcome calibrate(FeatureExtractor extractor, GaussianAdModel model, List<Path> goodImages,
      double targetFpr, String source, boolean skipUnreadable, ProgressListener progress) throws Exception {
    return calibrate(extractor, model, extractor.files(goodImages), targetFpr, source, skipUnreadable, progress);
  }

  /** As {@link #calibrate(FeatureExtractor, GaussianAdModel, List, double, String, boolean, ProgressListener)} for
   * good images from any source. */
  public static CalibrationOutcome calibrate(FeatureExtractor extractor, GaussianAdModel model,
      FeatureExtractor.ImageSource goodImages, double targetFpr, String source, boolean skipUnreadable,
      ProgressListener progress) throws Exception {
    ScoreOutcome scored = score(extractor, model, goodImages, skipUnreadable, progress);
    return calibrated(model, scored.scores(), scored.skipped(), targetFpr, source);
  }

  /**
   * {@code model} with the split-conformal threshold at {@code targetFpr} of the good images' {@code scores} (kept
   * for p-values), however they were scored (whole images or tiles).
   *
   * @throws FitException when no calibration image could be scored
   */
  static CalibrationOutcome calibrated(GaussianAdModel model, List<ScoredImage> scores, List<Skipped> skipped,
      double targetFpr, String source) throws FitException {
    if (scores.isEmpty()) {
      throw new FitException(source + ": no readable calibration images");
    }
    double[] s = new double[scores.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = scores.get(i).score().score();
    }
    ConformalThreshold t = ConformalThreshold.of(s, targetFpr);
    Calibration c = new Calibration(t.threshold(), targetFpr, t.n(), t.guaranteed(), source, s); // s: p-values
    return new CalibrationOutcome(model.withCalibration(c), skipped);
  }

  /** A calibrated model and the calibration files left out. */
  public record CalibrationOutcome(GaussianAdModel model, List<Skipped> skipped) {}

  /** Scores {@code images} with {@code model}; the extractor's backbone must be the model's. */
  public static ScoreOutcome score(FeatureExtractor extractor, GaussianAdModel model, List<Path> images,
      boolean skipUnreadable, ProgressListener progress) throws Exception {
    return score(extractor, model, extractor.files(images), skipUnreadable, progress);
  }

  /**
   * Scores images from any source, e.g. frames in memory ({@link MemoryImages}); each result's path is the
   * source's name for the image.
   */
  public static ScoreOutcome score(FeatureExtractor extractor, GaussianAdModel model,
      FeatureExtractor.ImageSource images, boolean skipUnreadable, ProgressListener progress) throws Exception {
    return score(extractor, model, images, skipUnreadable, progress, new StageTimes());
  }

  /** As {@link #score(FeatureExtractor, GaussianAdModel, FeatureExtractor.ImageSource, boolean, ProgressListener)},
   * adding the time of each stage to {@code times}. */
  public static ScoreOutcome score(FeatureExtractor extractor, GaussianAdModel model,
      FeatureExtractor.ImageSource images, boolean skipUnreadable, ProgressListener progress, StageTimes times)
      throws Exception {
    List<ScoredImage> out = new ArrayList<>();
    List<Skipped> skipped = extractor.extract(images, skipUnreadable, "score", progress,
        (i, p, f) -> out.add(new ScoredImage(p, model.score(f))), times);
    return new ScoreOutcome(out, skipped);
  }
}
