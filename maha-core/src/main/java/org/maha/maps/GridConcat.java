package org.maha.maps;

import java.util.List;

/**
 * Brings the feature maps of several levels to the grid of the finest one and concatenates their channels, as
 * PaDiM's {@code embedding_concat} does (layer1 ‖ layer2 ‖ layer3, each coarse cell repeated over the fine positions
 * it covers). Fine position (y, x) takes coarse cell (⌊y·h/H⌋, ⌊x·w/W⌋), PyTorch's
 * {@code F.interpolate(mode='nearest')} rule; for integer ratios H = s·h this is exactly PaDiM's unfold/fold with
 * kernel and stride s, and unlike it stays defined for other ratios (PaDiM's {@code int(H1 / H2)} would misplace
 * cells there).
 */
public final class GridConcat {
  private GridConcat() {}

  /** One level's map: {@code chw} is {@code channels × height × width}. */
  public record Level(float[] chw, int channels, int height, int width) {
    /** Checks that the sizes are positive and match the array. */
    public Level {
      if (channels < 1 || height < 1 || width < 1 || (long) channels * height * width != chw.length) {
        throw new IllegalArgumentException("level of " + chw.length + " values is not " + channels + " x " + height
            + " x " + width);
      }
    }
  }

  /**
   * The levels (none modified) on the first level's grid, channels concatenated in level order: a new CHW array of
   * (Σ channels) × H × W. Every later level must be no finer than the first.
   */
  public static float[] concatenate(List<Level> levels) {
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("no levels to concatenate");
    }
    Level fine = levels.get(0);
    int h = fine.height();
    int w = fine.width();
    int positions = h * w;
    long total = 0;
    for (Level l : levels) {
      if (l.height() > h || l.width() > w) {
        throw new IllegalArgumentException("level of " + l.height() + " x " + l.width()
            + " is finer than the first level's " + h + " x " + w);
      }
      total += l.channels();
    }
    float[] out = new float[Math.toIntExact(total * positions)];
    int channel = 0;
    for (Level l : levels) {
      int[] rowOf = nearest(h, l.height());
      int[] colOf = nearest(w, l.width());
      int lp = l.height() * l.width();
      for (int c = 0; c < l.channels(); c++) {
        int src = c * lp;
        int dst = (channel + c) * positions;
        for (int y = 0; y < h; y++) {
          int srcRow = src + rowOf[y] * l.width();
          int dstRow = dst + y * w;
          for (int x = 0; x < w; x++) {
            out[dstRow + x] = l.chw()[srcRow + colOf[x]];
          }
        }
      }
      channel += l.channels();
    }
    return out;
  }

  /** For each of {@code fine} positions along an axis, the coarse index ⌊i·coarse/fine⌋. */
  private static int[] nearest(int fine, int coarse) {
    int[] idx = new int[fine];
    for (int i = 0; i < fine; i++) {
      idx[i] = (int) ((long) i * coarse / fine);
    }
    return idx;
  }
}
