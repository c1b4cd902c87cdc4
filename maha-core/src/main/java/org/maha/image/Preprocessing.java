package org.maha.image;

/**
 * The reference preprocessing after decoding (PAPER.md &sect;1.3): resize the whole image to
 * S &times; S with {@link OpenCvResize#linear} (no crop, no aspect handling), then {@link Normalization#toChw}.
 *
 * @param inputSizePx   S, the backbone's native input size (224 for EfficientNet-B0, 380 for B4)
 * @param normalization how values are scaled
 */
public record Preprocessing(int inputSizePx, Normalization normalization) {

  /** Checks the size is positive and the normalization present. */
  public Preprocessing {
    if (inputSizePx < 1) {
      throw new IllegalArgumentException("inputSizePx must be >= 1, got " + inputSizePx);
    }
    if (normalization == null) {
      throw new IllegalArgumentException("normalization must not be null");
    }
  }

  /** Floats per image: 3 &times; S &times; S. */
  public int floatsPerImage() {
    return 3 * inputSizePx * inputSizePx;
  }

  /**
   * A new {@code float[3*S*S]}, CHW, ready for the backbone.
   *
   * @param decoded any size; not modified
   */
  public float[] apply(RgbImage decoded) {
    float[] chw = new float[floatsPerImage()];
    applyInto(decoded, chw, 0);
    return chw;
  }

  /**
   * Same as {@link #apply} but writes into {@code dst[offset .. offset + 3*S*S)}, for filling a batch buffer.
   * Modifies {@code dst} in that range only.
   */
  public void applyInto(RgbImage decoded, float[] dst, int offset) {
    RgbImage sized = OpenCvResize.linear(decoded, inputSizePx, inputSizePx); // same size: returned as is
    normalization.toChw(sized, dst, offset);
  }
}
