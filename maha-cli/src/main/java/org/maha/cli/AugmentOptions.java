package org.maha.cli;

import org.maha.augment.AugmentationRules;
import org.maha.pipeline.TrainAugmentation;
import picocli.CommandLine.Option;

/** Training augmentation (PAPER §1.9) for `fit`, `evaluate` and `experiment`. */
final class AugmentOptions {
  @Option(names = "--augment", defaultValue = "0", paramLabel = "N",
      description = {"Fit on N randomly augmented copies of each training image (flips, rotations, blur, colour and "
          + "noise, after the resize) instead of the images themselves; the paper's --augment uses 100. Costs N "
          + "backbone passes per training image. Default: 0 (off)."})
  int passes;

  @Option(names = "--augment-seed", defaultValue = "0", paramLabel = "S",
      description = "Seed of the augmentation: the same seed gives the same copies on any machine. Default: 0.")
  long seed;

  int passes() throws MahaCommand.UsageException {
    if (passes < 0) {
      throw new MahaCommand.UsageException("--augment must be >= 0, got " + passes);
    }
    return passes;
  }

  /**
   * The augmentation with rules {@code rules}: "default", an MVTec category name (that category's rules), or a
   * comma list of flip, rotate90, rotate45, background-edge, noise. Null when {@code --augment} is 0.
   */
  TrainAugmentation augmentation(String rules) throws MahaCommand.UsageException {
    return passes() == 0 ? null : new TrainAugmentation(passes, seed, rules(rules));
  }

  static AugmentationRules rules(String spec) throws MahaCommand.UsageException {
    try {
      return AugmentationRules.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException("--augment-rules: " + e.getMessage());
    }
  }
}
