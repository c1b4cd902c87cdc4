package org.maha.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.maha.eval.ConformalThreshold;

/**
 * The fixed scale on which anomaly maps are shown, learnt once from maps of good images, never min-max per image
 * (which makes every good part look defective): at or below {@code calm} (the median map value over the good
 * images' pixels) a pixel gets no colour; the {@code contour} is the split-conformal quantile of the good images'
 * map maxima at {@code targetFpr}, so about that fraction of good images shows any contour at all (guaranteed
 * only for held-out calibration images, at least 1/α − 1 of them). Maps of the training images themselves are
 * in-sample and far calmer than any new good image's (on the demo set the median good pixel is 6.2 in-sample, 10.4
 * on new good images), so a scale from them would paint every new image red: without calibration images the scale
 * comes from training images held out of a second map fit ({@link #HELD_OUT}).
 *
 * @param calm      median pixel value of good maps (Mahalanobis distance)
 * @param contour   distance where the contour is drawn; at least {@code calm}
 * @param targetFpr α of the contour's quantile
 * @param images    good images it was learnt from
 * @param source    {@link #CALIBRATION}, {@link #HELD_OUT}, {@link #TRAINING} (in-sample; API use only) or
 *                  {@link #TEST} (an evaluation's report)
 */
public record MapScale(double calm, double contour, double targetFpr, int images, String source) {
  /** Pixels sampled per map for the median: evenly strided, enough for a median to 1/64 of a quantile. */
  static final int SAMPLES_PER_MAP = 1024;
  public static final String CALIBRATION = "calibration";
  public static final String TRAINING = "training";
  /**
   * Training images held out of a second map fit on the other training images (the stored model still uses all):
   * out-of-sample like calibration images, without asking for more images.
   */
  public static final String HELD_OUT = "held-out training";
  /**
   * The good test images of an evaluation ({@code evaluate --maps}, whose maps are fitted on all of train/good): out
   * of sample, drawn only in the report, never stored in a model.
   */
  public static final String TEST = "test-set";
  /** The contour's α for {@link #TEST} scales, as {@code fit --maps}'s default {@code --target-fpr}. */
  public static final double TEST_TARGET_FPR = 0.01;

  /** Checks the values. */
  public MapScale {
    if (!Double.isFinite(calm) || !Double.isFinite(contour) || calm < 0 || contour < calm) {
      throw new IllegalArgumentException("map scale needs 0 <= calm <= contour, finite, found " + calm + ", "
          + contour);
    }
    if (!(targetFpr > 0 && targetFpr < 1) || images < 1) {
      throw new IllegalArgumentException("map scale: targetFpr in (0, 1) and images >= 1 expected, found "
          + targetFpr + ", " + images);
    }
    if (!source.equals(CALIBRATION) && !source.equals(TRAINING) && !source.equals(HELD_OUT) && !source.equals(TEST)) {
      throw new IllegalArgumentException("map scale source must be calibration, training, held-out training or "
          + "test-set, found " + source);
    }
  }

  /** Where 0 is calm and 1 the contour: the colour position of a distance (may exceed 1). */
  public double position(double distance) {
    return contour > calm ? (distance - calm) / (contour - calm) : (distance > calm ? 1 : 0);
  }

  /** Collects good maps one at a time: their maxima and a strided sample of pixels (memory per map is fixed). */
  public static final class Builder {
    private final List<Double> maxima = new ArrayList<>();
    private final List<float[]> samples = new ArrayList<>();

    public void add(double[] map) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : map) {
        max = Math.max(max, v);
      }
      int k = Math.min(SAMPLES_PER_MAP, map.length);
      float[] s = new float[k];
      for (int i = 0; i < k; i++) {
        s[i] = (float) map[(int) ((long) i * map.length / k)];
      }
      maxima.add(max);
      samples.add(s);
    }

    public int size() {
      return maxima.size();
    }

    /** The scale of the maps added. */
    public MapScale build(double targetFpr, String source) {
      if (maxima.isEmpty()) {
        throw new IllegalArgumentException("no good maps for a map scale");
      }
      double[] all = samples.stream().flatMapToDouble(a -> {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          d[i] = a[i];
        }
        return Arrays.stream(d);
      }).sorted().toArray();
      double calm = all[all.length / 2];
      double contour = ConformalThreshold.of(maxima.stream().mapToDouble(Double::doubleValue).toArray(), targetFpr)
          .threshold();
      return new MapScale(calm, Math.max(calm, contour), targetFpr, maxima.size(), source);
    }
  }
}
