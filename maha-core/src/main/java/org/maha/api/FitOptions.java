package org.maha.api;

import java.util.Objects;
import java.util.Optional;
import org.maha.augment.AugmentationRules;
import org.maha.model.Variant;
import org.maha.pipeline.TrainAugmentation;

/**
 * How to fit, as named options with defaults, so that {@link Detector#fit(Images, FitOptions)} never takes a
 * positional flag. Immutable: each {@code with...} returns a copy. The default is the paper's method (a full
 * Gaussian per level with Ledoit-Wolf shrinkage, Mahalanobis distance) without calibration.
 */
public final class FitOptions {
  private final Variant variant;
  private final Images calibrationImages;
  private final double targetFpr;
  private final TrainAugmentation augmentation;
  private final Images int8Images;

  private FitOptions(Variant variant, Images calibrationImages, double targetFpr, TrainAugmentation augmentation,
      Images int8Images) {
    this.variant = variant;
    this.calibrationImages = calibrationImages;
    this.targetFpr = targetFpr;
    this.augmentation = augmentation;
    this.int8Images = int8Images;
  }

  /**
   * The paper's multivariate Gaussian ({@code mvg}), uncalibrated.
   *
   * @return the default options
   */
  public static FitOptions defaults() {
    return new FitOptions(new Variant.Mvg(), null, 0, null, null);
  }

  /**
   * Another per-level model, by the id the command line uses: {@code mvg} (default), the baselines {@code l2} and
   * {@code sed}, or a PCA subspace {@code pca:0.99} / {@code npca:0.99}.
   *
   * @param id the variant's id
   * @return a copy with that variant
   * @throws IllegalArgumentException for an unknown id, saying which ones exist
   */
  public FitOptions withVariant(String id) {
    return new FitOptions(Variant.parse(Objects.requireNonNull(id, "id")), calibrationImages, targetFpr,
        augmentation, int8Images);
  }

  /**
   * Also calibrates a decision threshold on {@code goodImages} (normal, and not among the training images) so that
   * at most a fraction {@code targetFpr} of good images is flagged; scores then carry a {@link Verdict}.
   *
   * @param goodImages normal images not used for fitting
   * @param targetFpr the false-positive rate to aim for, in (0, 1), e.g. 0.01
   * @return a copy that also calibrates
   * @throws IllegalArgumentException when {@code targetFpr} is outside (0, 1)
   */
  public FitOptions withCalibration(Images goodImages, double targetFpr) {
    if (!(targetFpr > 0 && targetFpr < 1)) {
      throw new IllegalArgumentException("targetFpr: expected a rate in (0, 1), found " + targetFpr);
    }
    return new FitOptions(variant, Objects.requireNonNull(goodImages, "goodImages"), targetFpr, augmentation,
        int8Images);
  }

  /**
   * Fits on {@code copies} randomly augmented copies of each training image instead of the images themselves
   * (flips, rotations, shifts, noise, applied after the resize; the paper's training uses 100): more training
   * vectors from few good images, at {@code copies} backbone passes per image. Reproducible: the same seed gives
   * the same copies on any machine and thread count. Needs training images that can be read more than once, so not
   * {@link Images#stream streamed} ones.
   *
   * @param copies augmented copies of each image, at least 1
   * @param seed the seed of the random transforms
   * @param rules which transforms: {@code "default"}, an MVTec AD category name (its rules in the paper's code, e.g.
   *     no flip for {@code "screw"}), or a comma list of {@code flip, rotate90, rotate45, background-edge, noise}
   * @return a copy that augments
   * @throws IllegalArgumentException when {@code copies} &lt; 1 or a rule is unknown (naming the ones that exist)
   */
  public FitOptions withAugmentation(int copies, long seed, String rules) {
    if (copies < 1) {
      throw new IllegalArgumentException("copies: expected at least 1, found " + copies);
    }
    return new FitOptions(variant, calibrationImages, targetFpr,
        new TrainAugmentation(copies, seed, AugmentationRules.parse(Objects.requireNonNull(rules, "rules"))),
        int8Images);
  }

  /**
   * Runs the backbone as an int8 graph (ONNX QDQ: per-channel int8 weights, uint8 activations) instead of float32:
   * 1.6 to 2.7 times the images per second on a CPU with VNNI, at features a few percent from the float graph's.
   * The activation ranges are measured on {@code calibrationImages} (a few dozen good images, e.g. the first 32 of
   * the training set; all are held in memory while calibrating) and recorded in the model, so scoring, updating and
   * serving it rebuild and run the same graph from the same backbone file. A fit from merged statistics stays
   * float32.
   *
   * @param calibrationImages 1 to 256 readable normal images
   * @return a copy that fits through the int8 graph
   */
  public FitOptions withInt8(Images calibrationImages) {
    return new FitOptions(variant, this.calibrationImages, targetFpr, augmentation,
        Objects.requireNonNull(calibrationImages, "calibrationImages"));
  }

  /**
   * The variant's id, e.g. {@code mvg}.
   *
   * @return the id
   */
  public String variant() {
    return variant.id();
  }

  /**
   * Whether {@link Detector#fit(FitStatistics, FitOptions)} accepts these options, so that a distributed fit can
   * refuse them before any work: not for a PCA/NPCA variant (its subspace Gaussian needs the training images
   * themselves) nor with augmentation or int8 (they apply when images are read).
   *
   * @return true when a fit from merged statistics can use these options
   */
  public boolean fitsFromStatistics() {
    return !variant.needsRows() && augmentation == null && int8Images == null;
  }

  Variant variantModel() {
    return variant;
  }

  /** The augmentation, or null for none (internal: the pipeline's convention). */
  TrainAugmentation augmentation() {
    return augmentation;
  }

  /** These options without calibration, for the fit itself. */
  FitOptions withoutCalibration() {
    return new FitOptions(variant, null, 0, augmentation, int8Images);
  }

  Optional<Images> calibrationImages() {
    return Optional.ofNullable(calibrationImages);
  }

  /** The int8 calibration images, when the fit runs the int8 graph. */
  Optional<Images> int8CalibrationImages() {
    return Optional.ofNullable(int8Images);
  }

  double targetFpr() {
    return targetFpr;
  }
}
