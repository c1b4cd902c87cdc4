package org.maha.model;

import java.util.List;

/**
 * A fitted detector (Rippel et al., ICPR 2020): one {@link LevelModel} per backbone level; an image's score is
 * the unweighted mean of its per-level distances (PAPER §1.7). Immutable and thread-safe.
 *
 * @param calibration the decision threshold, or null
 * @param statistics what {@code maha update}/{@code merge} need to add images, or null (format-1 files, PCA/NPCA)
 */
public record GaussianAdModel(ModelInfo info, Variant variant, List<LevelModel> levels, Calibration calibration,
    TrainingStatistics statistics) {

  /** A model without training statistics. */
  public GaussianAdModel(ModelInfo info, Variant variant, List<LevelModel> levels, Calibration calibration) {
    this(info, variant, levels, calibration, null);
  }

  /** A model without a calibrated threshold. */
  public GaussianAdModel(ModelInfo info, Variant variant, List<LevelModel> levels) {
    this(info, variant, levels, null);
  }

  public GaussianAdModel {
    levels = List.copyOf(levels);
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one level");
    }
    List<Integer> dims = info.backbone().levelDims();
    if (dims.size() != levels.size()) {
      throw new IllegalArgumentException("backbone has " + dims.size() + " levels, model " + levels.size());
    }
    for (int i = 0; i < levels.size(); i++) {
      if (levels.get(i).inputDim() != dims.get(i)) {
        throw new IllegalArgumentException("level " + info.levelNames().get(i) + " expects "
            + levels.get(i).inputDim() + " features, backbone gives " + dims.get(i));
      }
    }
    if (!variant.id().equals(info.variant())) {
      throw new IllegalArgumentException("variant " + variant.id() + " but provenance says " + info.variant());
    }
  }

  /**
   * Scores one image.
   *
   * @param levelFeatures one pooled vector per level, in level order. Not modified.
   */
  public AnomalyScore score(double[][] levelFeatures) {
    if (levelFeatures.length != levels.size()) {
      throw new IllegalArgumentException("got " + levelFeatures.length + " levels, model has " + levels.size());
    }
    double[] d = new double[levels.size()];
    double sum = 0;
    for (int i = 0; i < d.length; i++) {
      if (levelFeatures[i].length != levels.get(i).inputDim()) {
        throw new IllegalArgumentException("level " + i + ": got " + levelFeatures[i].length + " features, expected "
            + levels.get(i).inputDim());
      }
      d[i] = levels.get(i).distance(levelFeatures[i]);
      sum += d[i];
    }
    return new AnomalyScore(sum / d.length, d);
  }

  /** The calibrated decision threshold, if the model has one ({@code maha fit --calibrate}). */
  public java.util.Optional<Calibration> threshold() {
    return java.util.Optional.ofNullable(calibration);
  }

  /** The same model with {@code c} as its decision threshold. */
  public GaussianAdModel withCalibration(Calibration c) {
    return new GaussianAdModel(info, variant, levels, c, statistics);
  }

  /** The training statistics, if the model keeps them (it can then be updated and merged). */
  public java.util.Optional<TrainingStatistics> trainingStatistics() {
    return java.util.Optional.ofNullable(statistics);
  }

  /** The same model with {@code s} as its training statistics (null: none). */
  public GaussianAdModel withStatistics(TrainingStatistics s) {
    return new GaussianAdModel(info, variant, levels, calibration, s);
  }

  /** Per-level χ² thresholds at {@code sigma} (NaN for L2/SED levels). */
  public double[] chiSquareThresholds(double sigma) {
    double[] t = new double[levels.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = levels.get(i).chiSquareThreshold(sigma);
    }
    return t;
  }
}
