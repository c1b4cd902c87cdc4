package org.maha.api;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecodeException;
import org.maha.image.ImageDecoder;
import org.maha.image.RgbImage;
import org.maha.pipeline.MapScale;
import org.maha.report.MapOverlay;

/**
 * Where in one image the model sees anomalies: the anomaly map of a scored image ({@link Detector#anomalyMaps}),
 * one value per pixel of the image as decoded, and the fixed display scale learnt from good images when the model
 * was fitted ({@code maha fit --maps}). A value is the Mahalanobis distance of the image's features at that place
 * from the Gaussian of good images' features at the same place of the feature grid (PaDiM, Defard et al. 2020,
 * with Ledoit–Wolf shrinkage), upsampled to the image and smoothed; larger is more anomalous. The values are on the
 * same scale for every image, never min-max normalised per image, so a good part stays below the calm level.
 *
 * <p>Immutable and safe to share between threads: the values are copied in and out.
 */
public final class AnomalyMap {
  private final Score score;
  private final int width;
  private final int height;
  private final float[] values;
  private final float max;
  private final double calm;
  private final double contour;
  /** The model's display scale, or null when its file keeps none. */
  private final MapScale scale;

  /** Values are owned (not copied) by this instance; {@link Detector} makes them. */
  AnomalyMap(Score score, int width, int height, float[] values, MapScale scale) {
    this.score = Objects.requireNonNull(score, "score");
    if (width < 1 || height < 1 || values.length != (long) width * height) {
      throw new IllegalArgumentException("map of " + values.length + " values for " + width + " x " + height);
    }
    this.width = width;
    this.height = height;
    this.values = values;
    float m = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      m = Math.max(m, v);
    }
    this.max = m;
    this.scale = scale;
    this.calm = scale == null ? Double.NaN : scale.calm();
    this.contour = scale == null ? Double.NaN : scale.contour();
  }

  /**
   * The image's score, exactly as {@link Detector#scoreAll} gives it (the image score does not depend on the map).
   *
   * @return the score, whose {@link Score#name()} names the image
   */
  public Score score() {
    return score;
  }

  /**
   * The map's width: the image's, as decoded.
   *
   * @return the width in pixels
   */
  public int width() {
    return width;
  }

  /**
   * The map's height: the image's, as decoded.
   *
   * @return the height in pixels
   */
  public int height() {
    return height;
  }

  /**
   * The map's value at one pixel.
   *
   * @param x the column, 0 to {@code width() − 1}
   * @param y the row, 0 to {@code height() − 1}
   * @return the Mahalanobis distance there (float32)
   * @throws IndexOutOfBoundsException when the pixel is outside the image
   */
  public float value(int x, int y) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    return values[y * width + x];
  }

  /**
   * Every value, row by row: pixel (x, y) at index {@code y · width() + x}, as {@code maha score --maps} writes
   * its {@code .npy}.
   *
   * @return a new array of {@code width() · height()} values
   */
  public float[] values() {
    return values.clone();
  }

  /**
   * The largest value of the map.
   *
   * @return the maximum
   */
  public float maxValue() {
    return max;
  }

  /**
   * The display scale's calm level: the median pixel value of good images' maps. {@code maha score --maps} leaves
   * pixels at or below it uncoloured.
   *
   * @return the calm level; empty when the model file keeps no display scale
   */
  public OptionalDouble calmLevel() {
    return Double.isNaN(calm) ? OptionalDouble.empty() : OptionalDouble.of(calm);
  }

  /**
   * The display scale's contour level: the split-conformal quantile of good images' map maxima at the scale's
   * target false-positive rate, so that about that share of good images has any pixel above it.
   * {@code maha score --maps} draws a contour around the pixels above it.
   *
   * @return the contour level; empty when the model file keeps no display scale
   */
  public OptionalDouble contourLevel() {
    return Double.isNaN(contour) ? OptionalDouble.empty() : OptionalDouble.of(contour);
  }

  /**
   * Whether some pixel is above the contour level: the region an operator should look at.
   *
   * @return true when {@link #maxValue()} exceeds {@link #contourLevel()}; false when it does not or there is no
   *     display scale
   */
  public boolean exceedsContour() {
    return !Double.isNaN(contour) && max > contour;
  }

  /**
   * The map drawn over its image as {@code maha score --maps} draws its {@code NAME_map.png}: on the model's fixed
   * display scale (never min-max per image), no colour up to the calm level, blue to yellow up to the contour level,
   * red with a white contour above it, and a legend strip under the image saying what the colours mean and which
   * good images the scale was learnt from. A service can send it to an operator's page as it is.
   *
   * <p>The image is decoded again (as the detector decoded it to make this map), refused before decoding when its
   * header claims more pixels than this map has; the PNG is about 3 to 4 bytes per pixel before compression while
   * it is drawn.
   *
   * @param encodedImage the same image file's bytes as were scored (PNG, JPEG, BMP or TIFF)
   * @return the overlay as PNG bytes, at least the image's size (a narrow image is padded to fit the legend) plus
   *     the legend strip's height
   * @throws MahaException when the model file keeps no display scale ({@link #calmLevel()} is empty), or the bytes
   *     do not decode to an image of this map's size
   */
  public byte[] overlayPng(byte[] encodedImage) throws MahaException {
    Objects.requireNonNull(encodedImage, "encodedImage");
    if (scale == null) {
      throw new MahaException(score.name() + ": the model keeps no display scale for its anomaly maps, so no "
          + "overlay can be drawn; fit it again with maha fit --maps", null);
    }
    RgbImage image;
    try {
      image = ImageDecoder.decode(encodedImage, new DecodeLimits((long) width * height,
          Math.min(DecodeLimits.MAX_FILE_BYTES_CEILING, Math.max(1, encodedImage.length))));
    } catch (ImageDecodeException e) {
      throw new MahaException(score.name() + ": " + e.getMessage(), e);
    }
    if (image.width() != width || image.height() != height) {
      throw new MahaException(score.name() + ": the image is " + image.width() + " x " + image.height()
          + " but its map is " + width + " x " + height + ": not the image that was scored", null);
    }
    double[] map = new double[values.length];
    for (int i = 0; i < map.length; i++) {
      map[i] = values[i];
    }
    try {
      return MapOverlay.png(image, map, scale, score.score());
    } catch (java.io.IOException e) {
      throw new MahaException(score.name() + ": cannot encode the overlay (" + e.getMessage() + ")", e);
    }
  }

  /** The image, the map's size and maximum, and the contour level, for logs. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "AnomalyMap[%s, %d x %d, max %.4g%s]", score.name(), width, height, max,
        Double.isNaN(contour) ? "" : String.format(Locale.ROOT, ", contour %.4g", contour));
  }
}
