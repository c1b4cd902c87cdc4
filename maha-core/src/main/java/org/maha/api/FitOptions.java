package org.maha.api;

import java.util.Objects;
import java.util.Optional;
import org.maha.model.Variant;

/**
 * How to fit, as named options with defaults, so that {@link Detector#fit(Images, FitOptions)} never takes a
 * positional flag. Immutable: each {@code with...} returns a copy. The default is the paper's method (a full
 * Gaussian per level with Ledoit-Wolf shrinkage, Mahalanobis distance) without calibration.
 */
public final class FitOptions {
  private final Variant variant;
  private final Images calibrationImages;
  private final double targetFpr;

  private FitOptions(Variant variant, Images calibrationImages, double targetFpr) {
    this.variant = variant;
    this.calibrationImages = calibrationImages;
    this.targetFpr = targetFpr;
  }

  /**
   * The paper's multivariate Gaussian ({@code mvg}), uncalibrated.
   *
   * @return the default options
   */
  public static FitOptions defaults() {
    return new FitOptions(new Variant.Mvg(), null, 0);
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
    return new FitOptions(Variant.parse(Objects.requireNonNull(id, "id")), calibrationImages, targetFpr);
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
    return new FitOptions(variant, Objects.requireNonNull(goodImages, "goodImages"), targetFpr);
  }

  /**
   * The variant's id, e.g. {@code mvg}.
   *
   * @return the id
   */
  public String variant() {
    return variant.id();
  }

  Variant variantModel() {
    return variant;
  }

  Optional<Images> calibrationImages() {
    return Optional.ofNullable(calibrationImages);
  }

  double targetFpr() {
    return targetFpr;
  }
}
