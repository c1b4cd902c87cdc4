package org.maha.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One test image with its ground truth: {@code defectType} is its class folder name ({@code "good"} or a defect
 * name such as {@code "broken_large"}); {@code anomalous} is false exactly for {@code "good"} (PAPER §1.2).
 */
public record LabeledImage(Path path, String defectType, boolean anomalous) {
  /** Validates that the label agrees with the folder name. */
  public LabeledImage {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(defectType, "defectType");
    if (anomalous == MvtecLayout.GOOD.equals(defectType)) {
      throw new IllegalArgumentException(
          "anomalous must be " + !anomalous + " for defect type '" + defectType + "', found " + anomalous);
    }
  }

  /** The label the official code derives from the folder name: good → normal, anything else → anomalous. */
  public static LabeledImage of(Path path, String defectType) {
    return new LabeledImage(path, defectType, !MvtecLayout.GOOD.equals(defectType));
  }
}
