package org.maha.pipeline;

import org.maha.augment.AugmentationRules;
import org.maha.augment.Augmenter;
import org.maha.image.RgbImage;

/**
 * Training-set augmentation as the official code's {@code --augment} does it (PAPER.md §1.9): the fit set is
 * {@code passes} passes over the training images, each image of each pass randomly transformed after the resize
 * and before normalisation, so a fold fits on {@code passes × n_fit} feature vectors. Unlike the official code the
 * randomness is seeded per (seed, pass, image), so a run is reproducible whatever the thread count.
 *
 * @param passes how many augmented copies of each training image (the paper: 100); at least 1
 * @param seed   the user's seed
 * @param rules  which transforms apply (the MVTec category rules of §1.9, or the generic default)
 */
public record TrainAugmentation(int passes, long seed, AugmentationRules rules) {
  /**
   * Bumped whenever the augmentation's output for a given seed changes, so cached augmented features of an
   * older version are not reused.
   */
  static final String VERSION = "1";

  public TrainAugmentation {
    if (passes < 1) {
      throw new IllegalArgumentException("augmentation passes must be at least 1, got " + passes);
    }
    if (rules == null) {
      throw new IllegalArgumentException("rules must not be null");
    }
  }

  /** Copy {@code pass} of training image {@code index}, from its resized (S × S) original. */
  RgbImage apply(Augmenter augmenter, RgbImage resized, int pass, int index) {
    return augmenter.apply(resized, Augmenter.seedFor(seed, pass, index));
  }

  /** For reports and logs, e.g. "10 passes, seed 0, flip, rotate90, ...". */
  public String describe() {
    return passes + " augmented pass" + (passes == 1 ? "" : "es") + " (seed " + seed + "; " + rules.describe() + ")";
  }

  /** Identifies the augmented features for the feature cache. */
  String cacheKey() {
    return "augment v" + VERSION + "|" + passes + "|" + seed + "|" + rules;
  }
}
