package org.maha.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stitching against a direct computation: per pixel, the mean of the maps of the tiles that contain it. */
class MapStitcherTest {
  @Test
  void averagesOverlapsAsADirectPerPixelMean() {
    Random r = new Random(11);
    for (int trial = 0; trial < 100; trial++) {
      int size = 16 + r.nextInt(40);
      Tiling tiling = new Tiling(size, r.nextInt(size / 2 + 1) + (r.nextInt(10) == 0 ? size / 2 - 1 : 0));
      int w = 1 + r.nextInt(120);
      int h = 1 + r.nextInt(120);
      TileGrid g = tiling.grid(w, h);
      List<Tile> tiles = g.tiles();
      double[][] maps = new double[tiles.size()][];
      MapStitcher s = new MapStitcher(w, h);
      for (Tile t : tiles) {
        double[] m = new double[t.width() * t.height()];
        for (int k = 0; k < m.length; k++) {
          m[k] = r.nextGaussian() * 5 + t.index();
        }
        maps[t.index()] = m;
        s.add(t, m);
      }
      double[] out = s.map();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double sum = 0;
          int n = 0;
          for (Tile t : tiles) { // direct: every tile containing (x, y)
            if (x >= t.x() && x < t.x() + t.width() && y >= t.y() && y < t.y() + t.height()) {
              sum += maps[t.index()][(y - t.y()) * t.width() + (x - t.x())];
              n++;
            }
          }
          assertThat(n).isPositive();
          assertThat(out[y * w + x]).isCloseTo(sum / n, within(1e-12));
        }
      }
    }
  }

  @Test
  void aConstantMapStaysConstant() {
    TileGrid g = new Tiling(32, 7).grid(100, 70);
    MapStitcher s = new MapStitcher(100, 70);
    for (Tile t : g.tiles()) {
      double[] m = new double[t.width() * t.height()];
      java.util.Arrays.fill(m, 2.5);
      s.add(t, m);
    }
    assertThat(s.map()).containsOnly(2.5);
  }

  @Test
  void refusesUncoveredPixelsAndMisplacedTiles() {
    MapStitcher s = new MapStitcher(10, 10);
    s.add(new Tile(0, 0, 0, 5, 10), new double[50]);
    assertThatThrownBy(s::map).isInstanceOf(IllegalStateException.class).hasMessageContaining("(5, 0)");
    assertThatThrownBy(() -> s.add(new Tile(1, 6, 0, 5, 10), new double[50])).hasMessageContaining("leaves");
    assertThatThrownBy(() -> s.add(new Tile(1, 5, 0, 5, 10), new double[49])).hasMessageContaining("values");
  }
}
