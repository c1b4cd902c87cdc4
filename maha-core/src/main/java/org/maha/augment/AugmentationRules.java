package org.maha.augment;

import java.util.Set;

/**
 * Which parts of the training augmentation apply to a category, as the official code's
 * {@code MVTecAD.augmentation_info} sets them (PAPER.md &sect;1.9): some parts carry text or an orientation
 * (no flip), some must not be turned by 90&deg;, only some tolerate &plusmn;45&deg;, and one texture (grid) is
 * broken by shifting or scaling its edge.
 *
 * @param flip horizontal flip with p 0.5
 * @param rotate90 a random multiple of 90&deg; with p 0.5 (square images only)
 * @param rotate45 {@code ShiftScaleRotate} turns up to &plusmn;45&deg; instead of &plusmn;15&deg;
 * @param backgroundEdge the image edge is background, so shifts, up-scaling and rotations are allowed
 * @param noise additive Gaussian noise with p 0.2
 */
public record AugmentationRules(
    boolean flip, boolean rotate90, boolean rotate45, boolean backgroundEdge, boolean noise) {

  /** The 15 MVTec AD categories, in the dataset's order. */
  public static final java.util.List<String> MVTEC_CATEGORIES = java.util.List.of(
      "bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut", "pill", "screw",
      "tile", "toothbrush", "transistor", "wood", "zipper");

  private static final Set<String> NO_FLIP = Set.of("metal_nut", "pill", "capsule", "screw");
  private static final Set<String> NO_ROTATE90 = Set.of("transistor");
  private static final Set<String> NO_ROTATE45 = Set.of(
      "bottle", "cable", "capsule", "metal_nut", "pill", "screw", "toothbrush", "transistor", "wood", "zipper");
  private static final Set<String> NO_BACKGROUND_EDGE = Set.of("grid");

  /**
   * The rules for a part of unknown kind: flip, rotate90, background edge and noise on, rotations limited to
   * &plusmn;15&deg;. (The official generic default, {@code AnomalyDetectionDataset.augmentation_info}, also turns
   * on &plusmn;45&deg;; for an unknown part the smaller turn is the safer choice, as for 10 of 15 MVTec
   * categories.)
   */
  public static AugmentationRules defaults() {
    return new AugmentationRules(true, true, false, true, true);
  }

  /**
   * The rules for an MVTec AD category ({@code "bottle"}, ..., {@code "zipper"}, exact lower-case names); any
   * other name, or null, gets {@link #defaults()}.
   */
  public static AugmentationRules forMvtecCategory(String name) {
    if (name == null || !MVTEC_CATEGORIES.contains(name)) {
      return defaults();
    }
    return new AugmentationRules(
        !NO_FLIP.contains(name),
        !NO_ROTATE90.contains(name),
        !NO_ROTATE45.contains(name),
        !NO_BACKGROUND_EDGE.contains(name),
        true);
  }

  /**
   * Rules by name: {@code default}, an MVTec category name (that category's rules), or a comma list of
   * {@code flip, rotate90, rotate45, background-edge, noise, none}; case and spaces ignored.
   *
   * @throws IllegalArgumentException naming an unknown rule and the ones that exist
   */
  public static AugmentationRules parse(String spec) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("default")) {
      return defaults();
    }
    if (MVTEC_CATEGORIES.contains(s)) {
      return forMvtecCategory(s);
    }
    boolean flip = false;
    boolean rotate90 = false;
    boolean rotate45 = false;
    boolean edge = false;
    boolean noise = false;
    for (String t : s.split(",")) {
      switch (t.trim()) {
        case "flip" -> flip = true;
        case "rotate90" -> rotate90 = true;
        case "rotate45" -> rotate45 = true;
        case "background-edge" -> edge = true;
        case "noise" -> noise = true;
        case "none" -> { }
        default -> throw new IllegalArgumentException("unknown rule '" + t.trim() + "' (expected default, an MVTec "
            + "category name, or a comma list of flip, rotate90, rotate45, background-edge, noise, none)");
      }
    }
    return new AugmentationRules(flip, rotate90, rotate45, edge, noise);
  }

  /** One line for logs and reports, e.g. {@code "flip, rot90, rot±15°, shift/scale, noise"}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(flip ? "flip" : "no flip");
    sb.append(rotate90 ? ", rot90" : ", no rot90");
    if (backgroundEdge) {
      sb.append(rotate45 ? ", rot\u00b145\u00b0" : ", rot\u00b115\u00b0").append(", shift/scale");
    } else {
      sb.append(", no edge shift/rotation (scale 0.95..1 only)");
    }
    sb.append(noise ? ", noise" : ", no noise");
    return sb.toString();
  }
}
