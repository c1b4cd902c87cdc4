/**
 * Tiling of large images, free of I/O: where the tiles of an image lie ({@link org.maha.tiles.TileGrid}: tiles
 * of a fixed size at native resolution, overlapping by a fixed number of pixels, the last one flush with the
 * border, exact integer arithmetic and a bounded count), how an image's score follows from its tiles' scores
 * ({@link org.maha.tiles.TileScores}: the maximum, since a small defect lives in one tile and the mean over many
 * good tiles would dilute it), and how tile maps become one map of the image ({@link org.maha.tiles.MapStitcher}:
 * each tile's map placed at its origin, overlaps averaged).
 *
 * <p>Why tiling: the backbone sees a fixed input (224 px for MobileNetV2); a 2048-px image resized to it shrinks a
 * 20-px defect to 2 px, below what the pooled features notice. Cut into 224-px tiles, the defect keeps its pixels
 * and fills a visible part of one tile. Maps are {@code double[]} row-major {@code height × width}, as in
 * {@link org.maha.maps}.
 */
package org.maha.tiles;
