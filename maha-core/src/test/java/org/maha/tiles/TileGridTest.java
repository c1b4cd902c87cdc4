package org.maha.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tile geometry: edge cases by hand, and the covering properties on random sizes. */
class TileGridTest {
  private static int[] xs(TileGrid g) {
    int[] o = new int[g.columns()];
    for (int c = 0; c < o.length; c++) {
      o[c] = g.tile(c).x();
    }
    return o;
  }

  @Test
  void imageNoLargerThanATileIsOneTileOfItsOwnSize() {
    TileGrid g = new Tiling(224, 32).grid(200, 224);
    assertThat(g.size()).isEqualTo(1);
    assertThat(g.tile(0)).isEqualTo(new Tile(0, 0, 0, 200, 224));
  }

  @Test
  void exactMultipleOfTheStrideEndsFlushWithoutAnExtraTile() {
    // 224 + 2 * 192 = 608: origins 0, 192, 384, the last flush
    assertThat(xs(new Tiling(224, 32).grid(608, 224))).containsExactly(0, 192, 384);
    // no overlap, 3 tiles exactly
    assertThat(xs(new Tiling(100, 0).grid(300, 100))).containsExactly(0, 100, 200);
  }

  @Test
  void oneMorePixelAddsAFlushLastTile() {
    assertThat(xs(new Tiling(224, 32).grid(609, 224))).containsExactly(0, 192, 384, 385);
    assertThat(xs(new Tiling(100, 0).grid(301, 100))).containsExactly(0, 100, 200, 201);
    assertThat(xs(new Tiling(224, 32).grid(225, 224))).containsExactly(0, 1);
  }

  @Test
  void largestOverlapStepsOnePixel() {
    assertThat(xs(new Tiling(16, 15).grid(20, 16))).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void rowMajorNumbering() {
    TileGrid g = new Tiling(100, 0).grid(250, 150);
    assertThat(g.columns()).isEqualTo(3);
    assertThat(g.rows()).isEqualTo(2);
    List<Tile> t = g.tiles();
    assertThat(t.get(4)).isEqualTo(new Tile(4, 100, 50, 100, 100));
    assertThat(t.get(2)).isEqualTo(new Tile(2, 150, 0, 100, 100));
  }

  @Test
  void coversEveryPixelInsideTheImageWithAtLeastTheOverlap() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 2000; trial++) {
      int size = 16 + rnd.nextInt(300);
      int overlap = rnd.nextInt(size);
      int length = 1 + rnd.nextInt(3000);
      Tiling t = new Tiling(size, overlap);
      int[] o = TileGrid.origins(length, t);
      int extent = Math.min(length, size);
      assertThat(o.length).isEqualTo((int) TileGrid.count(length, t));
      // direct count: the fewest tiles at stride T whose span reaches the end
      int direct = 1;
      while (length > size && (long) (direct - 1) * t.stride() + size < length) {
        direct++;
      }
      assertThat(o.length).as("L=%d S=%d O=%d", length, size, overlap).isEqualTo(direct);
      assertThat(o[0]).isZero();
      assertThat(o[o.length - 1] + extent).isEqualTo(length);
      for (int k = 1; k < o.length; k++) {
        assertThat(o[k]).isGreaterThan(o[k - 1]);
        assertThat(o[k] - o[k - 1]).isLessThanOrEqualTo(t.stride()); // overlap never below the asked one
      }
    }
  }

  @Test
  void countIsBoundedBeforeAnythingIsAllocated() {
    Tiling t = new Tiling(16, 15);
    assertThatThrownBy(() -> t.grid(20_000, 20_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tiles").hasMessageContaining("more than " + Tiling.MAX_TILES);
    // the largest image maha decodes (1e8 pixels) at 224/32 stays well within the bound
    assertThat(new Tiling(224, 32).grid(10_000, 10_000).size()).isLessThan(Tiling.MAX_TILES);
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> new Tiling(224, 224)).hasMessageContaining("--tile-overlap");
    assertThatThrownBy(() -> new Tiling(224, -1)).hasMessageContaining("--tile-overlap");
    assertThatThrownBy(() -> new Tiling(8, 0)).hasMessageContaining("--tile");
    assertThatThrownBy(() -> new Tiling(224, 0).grid(0, 5)).isInstanceOf(IllegalArgumentException.class);
  }
}
