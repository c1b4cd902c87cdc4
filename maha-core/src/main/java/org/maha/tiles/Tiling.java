package org.maha.tiles;

/**
 * How images are cut: square tiles of {@code size} pixels at native resolution, neighbours sharing
 * {@code overlap} pixels (the stride is {@code size − overlap}). A tiling is recorded with a model fitted on
 * tiles, since its scores only make sense for images cut the same way.
 *
 * @param size    tile side in pixels, {@value #MIN_SIZE} to {@value #MAX_SIZE}; the backbone's input size keeps
 *                tiles at native resolution (other sizes are resized to the input, as whole images are)
 * @param overlap pixels shared by neighbouring tiles, 0 to {@code size − 1}
 */
public record Tiling(int size, int overlap) {
  /** Smallest tile side: below it a CNN's deepest grid has no area left. */
  public static final int MIN_SIZE = 16;
  /** Largest tile side (the largest backbone input maha builds is 2048 px). */
  public static final int MAX_SIZE = 4096;
  /**
   * Most tiles one image may be cut into: an image that needs more is refused (an overlap close to the size on a
   * huge image would otherwise cost millions of inference runs). 2048 px at 224/32 needs 121.
   */
  public static final int MAX_TILES = 16_384;

  /** Validates the ranges; messages name the options of the command line. */
  public Tiling {
    if (size < MIN_SIZE || size > MAX_SIZE) {
      throw new IllegalArgumentException("--tile must be between " + MIN_SIZE + " and " + MAX_SIZE + ", got " + size);
    }
    if (overlap < 0 || overlap >= size) {
      throw new IllegalArgumentException("--tile-overlap must be at least 0 and less than --tile (" + size + "), got "
          + overlap);
    }
  }

  /** Pixels from one tile's origin to the next one's, along each axis. */
  public int stride() {
    return size - overlap;
  }

  /** The tiles of a {@code width × height} image. */
  public TileGrid grid(int width, int height) {
    return TileGrid.of(width, height, this);
  }

  /** {@code "224 px, overlap 32"}, for messages. */
  public String describe() {
    return size + " px tiles, overlap " + overlap + " px";
  }
}
