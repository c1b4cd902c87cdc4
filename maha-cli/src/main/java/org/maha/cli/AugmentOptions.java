package org.maha.cli;

import java.util.Locale;
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
    String s = spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("default")) {
      return AugmentationRules.defaults();
    }
    if (AugmentationRules.MVTEC_CATEGORIES.contains(s)) {
      return AugmentationRules.forMvtecCategory(s);
    }
    boolean flip = false;
    boolean rotate90 = false;
    boolean rotate45 = false;
    boolean edge = false;
    boolean noise = false;
    for (String t : s.split(",")) {
      switch (t.trim()) {
        case "flip":
          flip = true;
          break;
        case "rotate90":
          rotate90 = true;
          break;
        case "rotate45":
          rotate45 = true;
          break;
        case "background-edge":
          edge = true;
          break;
        case "noise":
          noise = true;
          break;
        case "none":
          break;
        default:
          throw new MahaCommand.UsageException("--augment-rules: unknown rule '" + t.trim() + "' (expected default, "
              + "an MVTec category name, or a comma list of flip, rotate90, rotate45, background-edge, noise, none)");
      }
    }
    return new AugmentationRules(flip, rotate90, rotate45, edge, noise);
  }
}
