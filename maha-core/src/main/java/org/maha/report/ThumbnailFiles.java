package org.maha.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.maha.files.InputFiles;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.RgbImage;

/**
 * Reads test images for the report's thumbnail grid. A report must still render when an image has moved or is
 * unreadable since the evaluation, so failures come back as a {@link Thumbnail} with a problem, never thrown.
 */
final class ThumbnailFiles {
  private ThumbnailFiles() {}

  /** A thumbnail, or why there is none ({@code image} null and {@code problem} a short word or phrase). */
  record Thumbnail(BufferedImage image, String problem) {}

  /**
   * Decodes {@code path} with {@link ImageDecoder} (so gray and 16-bit images show as the model saw them) and
   * shrinks it with a box filter to fit {@code maxSidePx} × {@code maxSidePx}, keeping the aspect ratio; an image
   * already that small is kept as is.
   */
  static Thumbnail read(Path path, int maxSidePx, DecodeLimits limits) {
    byte[] bytes;
    try {
      bytes = InputFiles.readRegular(path, limits.maxFileBytes());
    } catch (NoSuchFileException e) {
      return new Thumbnail(null, "missing");
    } catch (IOException | SecurityException e) {
      return new Thumbnail(null, "unreadable");
    }
    try {
      return new Thumbnail(shrink(ImageDecoder.decode(bytes, limits), maxSidePx), null);
    } catch (ImageDecodeException e) {
      return new Thumbnail(null, "not decodable");
    } catch (org.maha.image.ImageMemoryException e) {
      return new Thumbnail(null, "too large for the heap");
    }
  }

  /** First source pixel of output pixel {@code t} when {@code src} pixels shrink to {@code dst} (box filter). */
  static int spanStart(int t, int src, int dst) {
    return (int) ((long) t * src / dst);
  }

  /** One past the last source pixel of output pixel {@code t} (at least one pixel wide). */
  static int spanEnd(int t, int src, int dst) {
    return Math.max(spanStart(t, src, dst) + 1, (int) ((long) (t + 1) * src / dst));
  }

  /** Box-filter downscale: each output pixel is the mean of the source pixels it covers. Deterministic. */
  static BufferedImage shrink(RgbImage src, int maxSidePx) {
    int w = src.width();
    int h = src.height();
    double s = Math.min(1.0, Math.min((double) maxSidePx / w, (double) maxSidePx / h));
    int tw = Math.max(1, (int) Math.round(w * s));
    int th = Math.max(1, (int) Math.round(h * s));
    byte[] rgb = src.rgb();
    BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
    for (int ty = 0; ty < th; ty++) {
      int y0 = spanStart(ty, h, th);
      int y1 = spanEnd(ty, h, th);
      for (int tx = 0; tx < tw; tx++) {
        int x0 = spanStart(tx, w, tw);
        int x1 = spanEnd(tx, w, tw);
        long r = 0;
        long g = 0;
        long b = 0;
        for (int y = y0; y < y1; y++) {
          int row = y * w * 3;
          for (int x = x0; x < x1; x++) {
            int i = row + 3 * x;
            r += rgb[i] & 0xff;
            g += rgb[i + 1] & 0xff;
            b += rgb[i + 2] & 0xff;
          }
        }
        long n = (long) (y1 - y0) * (x1 - x0);
        out.setRGB(tx, ty, (int) ((r + n / 2) / n) << 16 | (int) ((g + n / 2) / n) << 8 | (int) ((b + n / 2) / n));
      }
    }
    return out;
  }
}
