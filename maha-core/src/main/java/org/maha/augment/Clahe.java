package org.maha.augment;

/**
 * OpenCV 4.6's {@code CLAHE::apply} for one 8-bit plane ({@code modules/imgproc/src/clahe.cpp}): per tile a
 * 256-bin histogram clipped at {@code max(1, (int)(clip * tileArea / 256))}, the excess spread evenly with
 * the remainder added every {@code 256 / residual} bins, the cumulative sum scaled by {@code 255 / tileArea}
 * (float) and rounded; each pixel bilinearly interpolates the four nearest tiles' tables in float. A plane whose
 * sides do not divide by the tile grid is extended by BORDER_REFLECT_101 on the right and bottom for the
 * histograms, as OpenCV does.
 */
final class Clahe {
  private static final int BINS = 256;

  private Clahe() {}

  /**
   * @param plane w &times; h bytes; not modified
   * @return the equalised plane
   */
  static byte[] apply(byte[] plane, int w, int h, double clipLimit, int tilesX, int tilesY) {
    if (tilesX < 1 || tilesY < 1) {
      throw new IllegalArgumentException("CLAHE tile grid must be at least 1 x 1, got " + tilesX + " x " + tilesY);
    }
    int extW = w % tilesX == 0 ? w : w + tilesX - w % tilesX;
    int extH = h % tilesY == 0 ? h : h + tilesY - h % tilesY;
    int tileW = extW / tilesX;
    int tileH = extH / tilesY;
    int tileArea = tileW * tileH;
    float lutScale = (float) (BINS - 1) / tileArea;
    int clip = 0;
    if (clipLimit > 0.0) {
      clip = Math.max((int) (clipLimit * tileArea / BINS), 1);
    }
    byte[] luts = new byte[tilesX * tilesY * BINS];
    int[] hist = new int[BINS];
    for (int ty = 0; ty < tilesY; ty++) {
      for (int tx = 0; tx < tilesX; tx++) {
        java.util.Arrays.fill(hist, 0);
        for (int y = ty * tileH; y < (ty + 1) * tileH; y++) {
          int sy = Ops.reflect101(y, h);
          for (int x = tx * tileW; x < (tx + 1) * tileW; x++) {
            hist[plane[sy * w + Ops.reflect101(x, w)] & 0xff]++;
          }
        }
        if (clip > 0) {
          int clipped = 0;
          for (int i = 0; i < BINS; i++) {
            if (hist[i] > clip) {
              clipped += hist[i] - clip;
              hist[i] = clip;
            }
          }
          int batch = clipped / BINS;
          int residual = clipped - batch * BINS;
          for (int i = 0; i < BINS; i++) {
            hist[i] += batch;
          }
          if (residual != 0) {
            int step = Math.max(BINS / residual, 1);
            for (int i = 0; i < BINS && residual > 0; i += step, residual--) {
              hist[i]++;
            }
          }
        }
        int sum = 0;
        int base = (ty * tilesX + tx) * BINS;
        for (int i = 0; i < BINS; i++) {
          sum += hist[i];
          luts[base + i] = Ops.saturate((int) Math.rint(sum * lutScale));
        }
      }
    }
    float invTw = 1.0f / tileW;
    float invTh = 1.0f / tileH;
    int[] ind1 = new int[w];
    int[] ind2 = new int[w];
    float[] xa = new float[w];
    float[] xa1 = new float[w];
    for (int x = 0; x < w; x++) {
      float txf = x * invTw - 0.5f;
      int tx1 = (int) Math.floor(txf);
      int tx2 = tx1 + 1;
      xa[x] = txf - tx1;
      xa1[x] = 1.0f - xa[x];
      ind1[x] = Math.max(tx1, 0) * BINS;
      ind2[x] = Math.min(tx2, tilesX - 1) * BINS;
    }
    byte[] out = new byte[plane.length];
    for (int y = 0; y < h; y++) {
      float tyf = y * invTh - 0.5f;
      int ty1 = (int) Math.floor(tyf);
      int ty2 = ty1 + 1;
      float ya = tyf - ty1;
      float ya1 = 1.0f - ya;
      int plane1 = Math.max(ty1, 0) * tilesX * BINS;
      int plane2 = Math.min(ty2, tilesY - 1) * tilesX * BINS;
      for (int x = 0; x < w; x++) {
        int v = plane[y * w + x] & 0xff;
        float res = ((luts[plane1 + ind1[x] + v] & 0xff) * xa1[x] + (luts[plane1 + ind2[x] + v] & 0xff) * xa[x]) * ya1
            + ((luts[plane2 + ind1[x] + v] & 0xff) * xa1[x] + (luts[plane2 + ind2[x] + v] & 0xff) * xa[x]) * ya;
        out[y * w + x] = Ops.saturate((int) Math.rint(res));
      }
    }
    return out;
  }
}
