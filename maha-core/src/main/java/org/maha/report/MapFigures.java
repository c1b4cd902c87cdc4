package org.maha.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.maha.eval.PixelMetrics;
import org.maha.image.DecodeLimits;
import org.maha.image.RgbImage;
import org.maha.pipeline.MapEvaluation;
import org.maha.pipeline.MapScale;

/**
 * The report's anomaly maps ({@code evaluate --maps}): per category with masks, its pixel metrics and the overlays
 * ({@link MapOverlay}, the same drawing as {@code score --maps}) of its highest-scoring test images, on the scale
 * learnt from the category's good test images. Images larger than {@value #MAX_SIDE_PX} px are shrunk with their
 * maps by the same box filter so that the page stays small; an image that has moved or become unreadable since
 * the evaluation is listed by name instead of failing the report.
 */
final class MapFigures {
  /** Largest side of an overlay's image, in pixels (the legend strip comes on top of it). */
  static final int MAX_SIDE_PX = 384;

  private MapFigures() {}

  /**
   * One category's maps.
   *
   * @param missing names of top images that could not be read again, each with why
   */
  record Category(String category, String anchor, int testImages, PixelMetrics.Result result, MapScale scale,
      List<Figure> figures, List<String> missing) {}

  static List<Category> build(List<MapEvaluation.CategoryPixels> pixels, DecodeLimits limits, Set<String> anchors) {
    List<Category> out = new ArrayList<>();
    for (MapEvaluation.CategoryPixels c : pixels) {
      String anchor = ReportContent.uniqueSlug("maps-" + c.category(), anchors);
      List<Figure> figures = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      if (c.scale() != null) {
        int rank = 0;
        for (MapEvaluation.TopMap t : c.top()) {
          rank++;
          String name = t.image().path().getFileName().toString();
          String what = (t.image().anomalous() ? "defective (" + t.image().defectType() + ")" : "good");
          ThumbnailFiles.Thumbnail read = ThumbnailFiles.read(t.image().path(), MAX_SIDE_PX, limits);
          if (read.image() == null) {
            missing.add(name + " (" + read.problem() + ")");
            continue;
          }
          BufferedImage small = read.image();
          double[] map = shrink(t.map(), t.width(), t.height(), small.getWidth(), small.getHeight());
          byte[] png;
          try {
            png = MapOverlay.png(rgb(small), map, c.scale(), t.score());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException("encoding an overlay as PNG in memory failed", e);
          }
          int[] wh = MapOverlay.size(small.getWidth(), small.getHeight());
          figures.add(new Figure(anchor + "_" + rank + ".png", "anomaly map of " + name,
              String.format(Locale.ROOT, "#%d, score %.4g: %s, %s", rank, t.score(), what, name),
              new Png(png, wh[0], wh[1])));
        }
      }
      out.add(new Category(c.category(), anchor, c.testImages(), c.result(), c.scale(), figures, missing));
    }
    return out;
  }

  private static RgbImage rgb(BufferedImage b) {
    int w = b.getWidth();
    int h = b.getHeight();
    byte[] rgb = new byte[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = b.getRGB(x, y);
        int i = 3 * (y * w + x);
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** The map shrunk to {@code tw × th} with {@link ThumbnailFiles#shrink}'s box filter (the same pixel spans). */
  static double[] shrink(float[] map, int w, int h, int tw, int th) {
    double[] out = new double[tw * th];
    for (int ty = 0; ty < th; ty++) {
      int y0 = ThumbnailFiles.spanStart(ty, h, th);
      int y1 = ThumbnailFiles.spanEnd(ty, h, th);
      for (int tx = 0; tx < tw; tx++) {
        int x0 = ThumbnailFiles.spanStart(tx, w, tw);
        int x1 = ThumbnailFiles.spanEnd(tx, w, tw);
        double sum = 0;
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            sum += map[y * w + x];
          }
        }
        out[ty * tw + tx] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
    return out;
  }
}
