package org.maha.tiles;

import java.util.ArrayList;
import java.util.List;

/**
 * The tiles covering a {@code width × height} image under a {@link Tiling}, in exact integer arithmetic. Per
 * axis of length L with tile size S and stride T = S − overlap:
 * <ul>
 *   <li>L ≤ S: one tile spanning the whole axis (origin 0, extent L): an image no larger than a tile along an axis
 *       is not cut along it, and that tile is resized to the backbone input as an untiled image is;</li>
 *   <li>L &gt; S: n = ⌈(L − S) / T⌉ + 1 tiles of extent S at origins 0, T, 2T, …, (n − 2)·T and L − S: the last
 *       tile is flush with the border (so it overlaps its neighbour by at least the overlap, never less), and the
 *       origins are strictly increasing since (n − 2)·T &lt; L − S.</li>
 * </ul>
 * Every pixel is covered, and every tile lies inside the image. Tiles are numbered row-major: tile
 * {@code r·columns + c} is at row r, column c.
 */
public final class TileGrid {
  private final int width;
  private final int height;
  private final int[] xs;
  private final int[] ys;
  private final int tileWidth;
  private final int tileHeight;

  private TileGrid(int width, int height, int[] xs, int[] ys, int tileWidth, int tileHeight) {
    this.width = width;
    this.height = height;
    this.xs = xs;
    this.ys = ys;
    this.tileWidth = tileWidth;
    this.tileHeight = tileHeight;
  }

  /**
   * The grid of a {@code width × height} image.
   *
   * @throws IllegalArgumentException when a side is not positive, or the image needs more than
   *     {@link Tiling#MAX_TILES} tiles (the message says how many)
   */
  public static TileGrid of(int width, int height, Tiling tiling) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + " x " + height);
    }
    long columns = count(width, tiling);
    long rows = count(height, tiling);
    if (columns * rows > Tiling.MAX_TILES) {
      throw new IllegalArgumentException("a " + width + " x " + height + " image needs " + columns + " x " + rows
          + " = " + columns * rows + " tiles of " + tiling.describe() + ", more than " + Tiling.MAX_TILES
          + "; use larger tiles or a smaller overlap");
    }
    return new TileGrid(width, height, origins(width, tiling), origins(height, tiling),
        Math.min(width, tiling.size()), Math.min(height, tiling.size()));
  }

  /** How many tiles cover an axis of {@code length} pixels (see the class comment); at least 1. */
  public static long count(int length, Tiling tiling) {
    if (length <= tiling.size()) {
      return 1;
    }
    long t = tiling.stride();
    return (length - tiling.size() + t - 1) / t + 1;
  }

  /** The tile origins along an axis of {@code length} pixels, ascending; the last is {@code length − size}. */
  static int[] origins(int length, Tiling tiling) {
    int n = Math.toIntExact(count(length, tiling));
    int[] o = new int[n];
    if (n == 1) {
      return o;
    }
    for (int k = 0; k < n - 1; k++) {
      o[k] = k * tiling.stride();
    }
    o[n - 1] = length - tiling.size();
    return o;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Tiles per row. */
  public int columns() {
    return xs.length;
  }

  /** Rows of tiles. */
  public int rows() {
    return ys.length;
  }

  /** Number of tiles, {@code columns() · rows()}. */
  public int size() {
    return xs.length * ys.length;
  }

  /** Tile {@code i} (row-major). */
  public Tile tile(int i) {
    if (i < 0 || i >= size()) {
      throw new IndexOutOfBoundsException("tile " + i + " of " + size());
    }
    return new Tile(i, xs[i % xs.length], ys[i / xs.length], tileWidth, tileHeight);
  }

  /** Every tile, row-major. */
  public List<Tile> tiles() {
    List<Tile> out = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(tile(i));
    }
    return out;
  }
}
