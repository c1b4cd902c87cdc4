package org.maha.eval;

/**
 * Connected regions of a ground-truth mask with 8-connectivity (a pixel touches the 8 around it), as the MVTec AD
 * evaluation code labels them for PRO: {@code scipy.ndimage.label(mask, structure=np.ones((3, 3)))} (Bergmann et
 * al. 2021, {@code pro_curve_util.compute_pro}). Labels are numbered 1..count in raster order of each region's
 * first pixel, exactly as scipy numbers them; 0 is background.
 *
 * @param labels row-major {@code height × width}, 0 for background, else the region number
 * @param count  number of regions
 */
record Regions(int[] labels, int count) {
  /**
   * Labels {@code mask} (row-major {@code height × width}, not modified) by a flood fill with an explicit stack:
   * O(width·height) time, two int arrays of that size.
   */
  static Regions label(boolean[] mask, int width, int height) {
    if (width < 1 || height < 1 || (long) width * height != mask.length) {
      throw new IllegalArgumentException(
          "mask has " + mask.length + " pixels, expected " + width + " x " + height);
    }
    int[] labels = new int[mask.length];
    int[] stack = new int[mask.length];
    int count = 0;
    for (int start = 0; start < mask.length; start++) {
      if (!mask[start] || labels[start] != 0) {
        continue;
      }
      count++;
      int top = 0;
      stack[top++] = start;
      labels[start] = count;
      while (top > 0) {
        int p = stack[--top];
        int y = p / width;
        int x = p - y * width;
        for (int dy = -1; dy <= 1; dy++) {
          int ny = y + dy;
          if (ny < 0 || ny >= height) {
            continue;
          }
          for (int dx = -1; dx <= 1; dx++) {
            int nx = x + dx;
            if (nx < 0 || nx >= width) {
              continue;
            }
            int q = ny * width + nx;
            if (mask[q] && labels[q] == 0) {
              labels[q] = count;
              stack[top++] = q;
            }
          }
        }
      }
    }
    return new Regions(labels, count);
  }
}
