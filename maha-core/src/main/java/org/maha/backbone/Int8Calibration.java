package org.maha.backbone;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a backbone's int8 graph was made from its float32 ONNX file: the activation ranges measured on the calibration
 * images and the rewrite's one switch. {@link Int8Quantization#rebuild} makes the same graph from the same file
 * byte for byte, and {@link #graphSha256} proves it did. A model fitted through the int8 graph records this, so that
 * {@code score}, {@code update} and {@code serve} run the graph the model was fitted with, not the float one (whose
 * features differ by a few percent) and not one calibrated again (whose would differ too).
 *
 * @param graphSha256 SHA-256 of the quantized ModelProto's bytes, 64 lowercase hex digits
 * @param images      calibration images the ranges were measured on, 1 to
 *                    {@link Int8Quantization#MAX_CALIBRATION_IMAGES}
 * @param elementwise whether swish and squeeze-excitation products were quantized too (the default)
 * @param ranges      one per quantized activation, in the graph's order; names distinct
 */
public record Int8Calibration(String graphSha256, int images, boolean elementwise, List<Range> ranges) {

  /** Most ranges accepted: EfficientNet-B7, the largest catalog graph, has under a thousand quantized values. */
  public static final int MAX_RANGES = 65_536;

  /** Longest activation name accepted, in characters. */
  public static final int MAX_NAME_LENGTH = 4096;

  /**
   * The smallest and largest value one activation took on the calibration images (before the rewrite widens the
   * range to hold 0).
   *
   * @param name the graph value's name
   * @param min  finite, at most {@code max}
   * @param max  finite
   */
  public record Range(String name, double min, double max) {
    public Range {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("range name: expected 1 to " + MAX_NAME_LENGTH + " characters, found "
            + name.length());
      }
      if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
        throw new IllegalArgumentException("range of '" + name + "': expected finite min <= max, found [" + min
            + ", " + max + "]");
      }
    }
  }

  public Int8Calibration {
    Objects.requireNonNull(graphSha256, "graphSha256");
    if (!graphSha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("graphSha256: expected 64 lowercase hex digits, found '" + graphSha256
          + "'");
    }
    if (images < 1 || images > Int8Quantization.MAX_CALIBRATION_IMAGES) {
      throw new IllegalArgumentException("images: expected 1 to " + Int8Quantization.MAX_CALIBRATION_IMAGES
          + ", found " + images);
    }
    ranges = List.copyOf(ranges);
    if (ranges.isEmpty() || ranges.size() > MAX_RANGES) {
      throw new IllegalArgumentException("ranges: expected 1 to " + MAX_RANGES + ", found " + ranges.size());
    }
    Set<String> names = new HashSet<>();
    for (Range r : ranges) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("ranges: '" + r.name() + "' appears twice");
      }
    }
  }

  /** One line for messages, e.g. {@code "int8, 128 activations calibrated on 32 images"}. */
  public String describe() {
    return "int8, " + ranges.size() + " activations calibrated on " + images + " image" + (images == 1 ? "" : "s")
        + (elementwise ? "" : " (convolutions only)");
  }
}
