package org.maha.tiles;

/**
 * Stitches tile maps into one map of the image: each tile's map (its own size, row-major) is added at the tile's
 * origin, and each pixel of the result is the mean of the maps of the tiles covering it (float64 sums and
 * counts). Mutable, single-threaded: {@link #add} every tile, then {@link #map}. Memory: 12 bytes per image pixel.
 */
public final class MapStitcher {
  private final int width;
  private final int height;
  private final double[] sum;
  private final int[] count;

  /** An empty map of a {@code width × height} image. */
  public MapStitcher(int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + " x " + height);
    }
    this.width = width;
    this.height = height;
    int n = Math.multiplyExact(width, height);
    this.sum = new double[n];
    this.count = new int[n];
  }

  /**
   * Adds {@code tileMap} (row-major {@code tile.height() × tile.width()}, not modified) at the tile's origin.
   *
   * @throws IllegalArgumentException when the tile leaves the image or the map is not the tile's size
   */
  public void add(Tile tile, double[] tileMap) {
    if ((long) tile.x() + tile.width() > width || (long) tile.y() + tile.height() > height) {
      throw new IllegalArgumentException("tile at (" + tile.x() + ", " + tile.y() + ") of " + tile.width() + " x "
          + tile.height() + " leaves the " + width + " x " + height + " image");
    }
    if (tileMap.length != (long) tile.width() * tile.height()) {
      throw new IllegalArgumentException("tile map has " + tileMap.length + " values, expected " + tile.width()
          + " x " + tile.height());
    }
    for (int r = 0; r < tile.height(); r++) {
      int dst = (tile.y() + r) * width + tile.x();
      int src = r * tile.width();
      for (int c = 0; c < tile.width(); c++) {
        sum[dst + c] += tileMap[src + c];
        count[dst + c]++;
      }
    }
  }

  /**
   * The stitched map, row-major {@code height × width}: per pixel the mean over the tiles covering it.
   *
   * @throws IllegalStateException when a pixel is covered by no tile added
   */
  public double[] map() {
    double[] out = new double[sum.length];
    for (int i = 0; i < out.length; i++) {
      if (count[i] == 0) {
        throw new IllegalStateException("pixel (" + i % width + ", " + i / width + ") is covered by no tile");
      }
      out[i] = sum[i] / count[i];
    }
    return out;
  }
}
