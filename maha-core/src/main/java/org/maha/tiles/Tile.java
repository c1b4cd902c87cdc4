package org.maha.tiles;

/**
 * One tile of an image: the rectangle of pixels {@code [x, x + width) × [y, y + height)}, inside the image.
 *
 * @param index the tile's position in its {@link TileGrid}, row-major (rows of tiles top to bottom)
 */
public record Tile(int index, int x, int y, int width, int height) {
  /** Validates the rectangle (non-negative origin, positive size). */
  public Tile {
    if (index < 0 || x < 0 || y < 0 || width < 1 || height < 1) {
      throw new IllegalArgumentException("tile " + index + " at (" + x + ", " + y + ") of " + width + " x " + height
          + " is not a rectangle of pixels");
    }
  }
}
