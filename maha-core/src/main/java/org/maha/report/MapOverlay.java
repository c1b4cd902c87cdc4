package org.maha.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.maha.image.RgbImage;
import org.maha.pipeline.MapScale;

/**
 * An anomaly map drawn over its image on the model's fixed {@link MapScale} (never min-max per image, so a good
 * part stays calm): pixels at or below the scale's calm level keep the image's colours; above it a tint from blue
 * to yellow grows with the distance up to the contour level; above the contour the tint is red and a white line
 * outlines the region. A legend strip under the image says what the colours mean and where the scale came from.
 */
public final class MapOverlay {
  private static final int LEGEND_H = 70;
  private static final int MIN_WIDTH = 560;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private MapOverlay() {}

  /** The overlay's {width, height} in pixels for an image of {@code width × height}: the legend adds a strip. */
  static int[] size(int width, int height) {
    return new int[] {Math.max(width, MIN_WIDTH), height + LEGEND_H};
  }

  /**
   * The overlay as PNG bytes.
   *
   * @param image the decoded image
   * @param map   its map, row-major at the image's size
   * @param score the image's score, shown in the legend
   */
  public static byte[] png(RgbImage image, double[] map, MapScale scale, double score) throws IOException {
    int w = image.width();
    int h = image.height();
    if (map.length != (long) w * h) {
      throw new IllegalArgumentException("map of " + map.length + " values for a " + w + " x " + h + " image");
    }
    int width = Math.max(w, MIN_WIDTH);
    BufferedImage out = new BufferedImage(width, h + LEGEND_H, BufferedImage.TYPE_INT_RGB);
    byte[] rgb = image.rgb();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int r = rgb[3 * i] & 0xff;
        int g = rgb[3 * i + 1] & 0xff;
        int b = rgb[3 * i + 2] & 0xff;
        double t = scale.position(map[i]);
        if (t > 0) {
          int c = tint(t);
          double a = t >= 1 ? 0.55 : 0.2 + 0.3 * t;
          r = (int) Math.round((1 - a) * r + a * (c >> 16 & 0xff));
          g = (int) Math.round((1 - a) * g + a * (c >> 8 & 0xff));
          b = (int) Math.round((1 - a) * b + a * (c & 0xff));
        }
        if (map[i] >= scale.contour() && onEdge(map, w, h, x, y, scale.contour())) {
          r = g = b = 255;
        }
        out.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    Graphics2D gr = out.createGraphics();
    try {
      gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      gr.setColor(Color.WHITE);
      gr.fillRect(0, h, width, LEGEND_H);
      if (w < width) {
        gr.fillRect(w, 0, width - w, h);
      }
      int barW = 160;
      for (int x = 0; x < barW; x++) {
        double t = x < 20 ? 0 : (x - 20) / (barW - 40.0);
        gr.setColor(t <= 0 ? Color.LIGHT_GRAY : new Color(tint(t)));
        gr.fillRect(6 + x, h + 6, 1, 14);
      }
      gr.setColor(Color.BLACK);
      gr.setFont(FONT);
      gr.drawString(String.format(Locale.ROOT, "score %.4g; colour: Mahalanobis distance per pixel, "
          + "fixed scale", score), barW + 14, h + 17);
      gr.drawString(String.format(Locale.ROOT, "no colour <= %.3g (median good pixel); blue to yellow up to %.3g; "
          + "red and white contour above", scale.calm(), scale.contour()), 6, h + 34);
      gr.drawString(String.format(Locale.ROOT, "scale from %d %s good images; contour = %s quantile of their "
          + "map maxima", scale.images(), scale.source(), 1 - scale.targetFpr()), 6, h + 48);
      gr.drawString(scale.source().equals(MapScale.CALIBRATION)
          ? "(held-out images: about " + scale.targetFpr() + " of good images show any contour)"
          : scale.source().equals(MapScale.HELD_OUT)
          ? "(held out of a second map fit on the other training images)"
          : scale.source().equals(MapScale.TEST)
          ? "(the good test images: out-of-sample, the maps are fitted on train/good)"
          : "(in-sample: new good images look warmer)", 6, h + 62);
    } finally {
      gr.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(out, "png", bytes)) {
      throw new IllegalStateException("no ImageIO PNG writer");
    }
    return bytes.toByteArray();
  }

  /** Blue (just above calm) through cyan and green to yellow (at the contour); red above. */
  static int tint(double t) {
    if (t >= 1) {
      return 0xff2020;
    }
    float hue = (float) (0.66 - 0.5 * t);
    return Color.HSBtoRGB(hue, 1f, 1f) & 0xffffff;
  }

  private static boolean onEdge(double[] map, int w, int h, int x, int y, double level) {
    return (x > 0 && map[y * w + x - 1] < level) || (x + 1 < w && map[y * w + x + 1] < level)
        || (y > 0 && map[(y - 1) * w + x] < level) || (y + 1 < h && map[(y + 1) * w + x] < level);
  }
}
