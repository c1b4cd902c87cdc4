package org.maha.backbone;

/**
 * The spatial size of one level's output for one image, as recorded when the backbone was opened: an
 * {@code [N, C, H, W]} output is {@code C × H × W}; an {@code [N, C]} output is the map {@code C × 1 × 1} (its values
 * are laid out alike, and its average over positions is itself).
 *
 * @param channels C, the level's feature count ({@link BackboneSpec#levelDims()})
 * @param height   H
 * @param width    W
 */
public record LevelGrid(int channels, int height, int width) {

  /** Checks that the sizes are positive and that one image's map fits one Java array. */
  public LevelGrid {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("level grid sizes must be positive, found " + channels + " x " + height
          + " x " + width);
    }
    Math.multiplyExact(channels, Math.multiplyExact(height, width));
  }

  /** Grid positions: H × W. */
  public int positions() {
    return height * width;
  }

  /** Floats in one image's map: C × H × W. */
  public int values() {
    return channels * height * width;
  }
}
