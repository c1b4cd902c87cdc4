package org.maha.api;

import java.util.List;
import java.util.Objects;

/**
 * A fitted model with what happened on the way, from {@link Detector#fitWithReport} and
 * {@link Detector#calibrateWithReport}: an application that fits unattended logs these rather than losing them.
 *
 * @param model the fitted (or calibrated) model
 * @param skipped images left out as unreadable, in input order (training images first, then calibration images);
 *     always empty unless the images were given with {@link Images#skippingUnreadable()} (unmodifiable)
 * @param warnings what the application should tell its user about the model, e.g. that there are too few training
 *     images for the chi-square thresholds of some levels, or too few calibration images for the asked
 *     false-positive rate (unmodifiable)
 */
public record FitResult(FittedModel model, List<Skipped> skipped, List<String> warnings) {

  /**
   * Copies the lists so the record stays immutable.
   *
   * @param model the model
   * @param skipped images left out
   * @param warnings warnings about the model
   * @throws NullPointerException when an argument is null
   */
  public FitResult {
    Objects.requireNonNull(model, "model");
    skipped = List.copyOf(skipped);
    warnings = List.copyOf(warnings);
  }
}
