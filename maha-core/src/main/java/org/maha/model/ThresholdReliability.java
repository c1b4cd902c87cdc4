package org.maha.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.maha.stats.ChiSquare;

/**
 * Whether a model's χ² thresholds (PAPER.md §2.5, {@code maha score --sigma}) can be trusted. They assume the
 * Gaussian's mean and covariance are known, i.e. N ≫ D training vectors per level; fitted on few images (3 images
 * against D = 1280 features) the distances of good images are inflated and most of them are flagged. A level is
 * weak when its n is below {@link ChiSquare#minimumSampleSize} of its degrees of freedom. L2 and SED levels have
 * no χ² thresholds and are never weak.
 */
public final class ThresholdReliability {
  private ThresholdReliability() {}

  /** One level whose χ² thresholds are unreliable: its name, training vectors n, degrees of freedom k, and n needed. */
  public record WeakLevel(String level, long n, int dof, long needed) {}

  /** The levels of {@code model} whose χ² thresholds are unreliable (empty: all fine, or no χ² thresholds). */
  public static List<WeakLevel> weakLevels(GaussianAdModel model) {
    List<WeakLevel> out = new ArrayList<>();
    for (int i = 0; i < model.levels().size(); i++) {
      LevelModel l = model.levels().get(i);
      int k = l.chiSquareDof();
      long n = l instanceof LevelModel.Mvg m ? m.n() : l instanceof LevelModel.Projected p ? p.inner().n() : 0;
      if (k > 0 && n < ChiSquare.minimumSampleSize(k)) {
        out.add(new WeakLevel(model.info().levelNames().get(i), n, k, ChiSquare.minimumSampleSize(k)));
      }
    }
    return out;
  }

  /** The warning {@code maha fit} gives for such a model, if any: what it means and what to do instead. */
  public static Optional<String> fitWarning(GaussianAdModel model) {
    return describe(model).map(what -> what + ": `maha score --sigma` assumes N >> D and will flag many good "
        + "images (expect false alarms); for a decision threshold use `fit --calibrate GOOD_IMAGES`, or fit on "
        + "many more images (`--augment` helps, though its copies are not independent)");
  }

  /** The warning {@code maha score --sigma} gives once for such a model, if any. */
  public static Optional<String> sigmaWarning(GaussianAdModel model, String modelName) {
    return describe(model).map(what -> modelName + ": " + what + ", so its --sigma thresholds are unreliable and "
        + "flag many good images; for a decision threshold refit with `maha fit --calibrate GOOD_IMAGES`");
  }

  private static Optional<String> describe(GaussianAdModel model) {
    List<WeakLevel> weak = weakLevels(model);
    if (weak.isEmpty()) {
      return Optional.empty();
    }
    WeakLevel worst = weak.get(0);
    for (WeakLevel w : weak) {
      if (w.needed() - w.n() > worst.needed() - worst.n()) {
        worst = w;
      }
    }
    return Optional.of(String.format(Locale.ROOT, "N = %d training vectors are too few for chi-square thresholds "
        + "at %d of %d levels (%s: D = %d needs N >= %d)", worst.n(), weak.size(), model.levels().size(),
        worst.level(), worst.dof(), worst.needed()));
  }
}
