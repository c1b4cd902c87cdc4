package org.maha.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Pixel-level metrics of anomaly maps against ground-truth masks, over all pixels of all test images together:
 * the pixel AUROC (equal to {@code sklearn.metrics.roc_auc_score(masks.ravel(), maps.ravel())}, ties counted ½)
 * and the normalised area under the PRO curve of Bergmann et al. (2021, "The MVTec Anomaly Detection Dataset",
 * IJCV; their {@code compute_pro} and {@code trapezoid}).
 *
 * <p>PRO, the per-region overlap at a threshold t, is the mean over all ground-truth regions (8-connected
 * components, {@link Regions}) of all images of the fraction of the region's pixels scoring ≥ t; FPR is the
 * fraction of defect-free pixels scoring ≥ t. Every distinct score is a threshold; the curve runs from (0, 0)
 * through one (FPR, PRO) point per threshold, highest first, to (1, 1). Its area from FPR 0 to the limit (0.3 in the
 * paper; the curve is linearly interpolated at the limit) divided by the limit is the AU-PRO. One deliberate
 * difference from the reference code: FPRs are float64 here, float32 there (a relative difference of ~1e-7).
 *
 * <p>Scores are compared as float32, the precision maps are stored in; −0.0 and 0.0 are one score. Memory: 8 bytes
 * per pixel (one packed long: the score's ordered bits and the pixel's region) held until the result, plus 4
 * bytes per region; {@link #add} refuses pixels beyond the limit given to the constructor before allocating, so
 * the caller can bound it (at most {@link #MAX_PIXELS}, which also keeps every count exact in a long). Each image's
 * pixels are sorted once when added; the result merges the sorted images (O(N log images)).
 *
 * <p>Mutable and not thread-safe: add the images, then ask for {@link #result}.
 */
public final class PixelMetrics {
  /** The most pixels one accumulator holds: 2³¹−1 (16 GiB of keys), so 2·P·N fits a long exactly. */
  public static final long MAX_PIXELS = Integer.MAX_VALUE;

  /** The FPR up to which Bergmann et al. integrate the PRO curve. */
  public static final double PAPER_FPR_LIMIT = 0.3;

  private final long maxPixels;
  private final List<long[]> images = new ArrayList<>();
  /** regionSizes[r − 1] = pixels in global region r. */
  private int[] regionSizes = new int[16];
  private int regions;
  private long pixels;
  private long defectPixels;

  /** An empty accumulator that will hold at most {@code maxPixels} pixels (1..{@link #MAX_PIXELS}). */
  public PixelMetrics(long maxPixels) {
    if (maxPixels < 1 || maxPixels > MAX_PIXELS) {
      throw new IllegalArgumentException("maxPixels must be in [1, " + MAX_PIXELS + "], found " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /** Pixels added so far. */
  public long pixels() {
    return pixels;
  }

  /**
   * Adds one test image: its anomaly map and ground-truth mask, both row-major {@code height × width} (not
   * modified). A defect-free image has an all-false mask. Throws {@link IllegalArgumentException} if the sizes
   * disagree, a score is not finite, or the pixels would exceed the limit (checked before allocating).
   */
  public void add(float[] map, boolean[] defect, int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, found " + width + " x " + height);
    }
    long n = (long) width * height;
    if (map.length != n || defect.length != n) {
      throw new IllegalArgumentException("map has " + map.length + " and mask " + defect.length
          + " pixels, expected " + width + " x " + height + " = " + n);
    }
    if (n > maxPixels - pixels) {
      throw new IllegalArgumentException("pixel metrics are limited to " + maxPixels + " pixels (8 bytes each);"
          + " this image would bring them to " + (pixels + n));
    }
    for (int i = 0; i < map.length; i++) {
      if (!Float.isFinite(map[i])) {
        throw new IllegalArgumentException("map value at pixel " + i + " is not finite: " + map[i]);
      }
    }
    Regions found = Regions.label(defect, width, height);
    int[] sizes = new int[found.count()];
    int[] labels = found.labels();
    for (int label : labels) {
      if (label != 0) {
        sizes[label - 1]++;
      }
    }
    if (found.count() > Integer.MAX_VALUE - 1 - regions) {
      throw new IllegalArgumentException("more than " + (Integer.MAX_VALUE - 1) + " ground-truth regions");
    }
    int first = regions;
    if (regions + sizes.length > regionSizes.length) {
      regionSizes = Arrays.copyOf(regionSizes, Math.max(regions + sizes.length, 2 * regionSizes.length));
    }
    System.arraycopy(sizes, 0, regionSizes, regions, sizes.length);
    long[] keys = new long[map.length];
    long defects = 0;
    for (int i = 0; i < keys.length; i++) {
      int region = labels[i] == 0 ? 0 : first + labels[i];
      defects += labels[i] == 0 ? 0 : 1;
      keys[i] = ((long) orderedBits(map[i]) << 32) | (region & 0xffffffffL);
    }
    Arrays.sort(keys);
    images.add(keys);
    regions += sizes.length;
    pixels += n;
    defectPixels += defects;
  }

  /** An int whose signed order is the float's numeric order (−0.0 folded into 0.0). */
  private static int orderedBits(float score) {
    int bits = Float.floatToIntBits(score + 0.0f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  /**
   * The metrics of the images added so far, the PRO curve integrated up to {@code fprLimit} (in (0, 1]; use
   * {@link #PAPER_FPR_LIMIT}). Does not change the accumulator.
   */
  public Result result(double fprLimit) {
    if (!(fprLimit > 0 && fprLimit <= 1)) {
      throw new IllegalArgumentException("fprLimit must be in (0, 1], found " + fprLimit);
    }
    long normalPixels = pixels - defectPixels;
    if (defectPixels == 0 || normalPixels == 0) {
      return new Result(pixels, defectPixels, regions, OptionalDouble.empty(), OptionalDouble.empty(), fprLimit);
    }
    Curve curve = curve(normalPixels);
    double auroc = curve.twiceArea / (2.0 * defectPixels * (double) normalPixels);
    double aupro = trapezoid(curve.fpr, curve.pro, curve.points, fprLimit) / fprLimit;
    return new Result(pixels, defectPixels, regions, OptionalDouble.of(auroc), OptionalDouble.of(aupro), fprLimit);
  }

  /** The (FPR, PRO) points, highest threshold first, with (0, 0) before and (1, 1) after; 2·ROC area exactly. */
  private record Curve(double[] fpr, double[] pro, int points, long twiceArea) {}

  private Curve curve(long normalPixels) {
    long[][] keys = images.toArray(new long[0][]);
    int k = keys.length;
    int[] next = new int[k]; // next[i]: index of the next key of image i, counting down from its end
    int[] heap = new int[k];
    int size = 0;
    for (int i = 0; i < k; i++) {
      next[i] = keys[i].length - 1;
      size = push(keys, heap, size, next, i);
    }
    double[] inverseSize = new double[regions + 1];
    for (int r = 1; r <= regions; r++) {
      inverseSize[r] = 1.0 / regionSizes[r - 1];
    }
    int capacity = 1024;
    double[] fpr = new double[capacity];
    double[] pro = new double[capacity];
    int points = 1; // (0, 0)
    long fp = 0;
    long tp = 0;
    long twiceArea = 0;
    double proSum = 0; // Neumaier-compensated Σ 1/|region| over region pixels at or above the threshold
    double proCompensation = 0;
    while (size > 0) {
      int score = (int) (keys[heap[0]][next[heap[0]]] >> 32); // the highest score not yet passed
      long groupFp = 0;
      long groupTp = 0;
      while (size > 0) {
        int img = heap[0];
        long key = keys[img][next[img]];
        if ((int) (key >> 32) != score) {
          break;
        }
        int region = (int) key;
        if (region == 0) {
          groupFp++;
        } else {
          groupTp++;
          double term = inverseSize[region];
          double t = proSum + term;
          proCompensation += Math.abs(proSum) >= term ? (proSum - t) + term : (term - t) + proSum;
          proSum = t;
        }
        next[img]--;
        size = next[img] < 0 ? pop(keys, heap, size, next) : siftDown(keys, heap, size, next, 0);
      }
      twiceArea += groupFp * (2 * tp + groupTp);
      fp += groupFp;
      tp += groupTp;
      if (points + 2 > capacity) {
        capacity = Math.multiplyExact(capacity, 2);
        fpr = Arrays.copyOf(fpr, capacity);
        pro = Arrays.copyOf(pro, capacity);
      }
      fpr[points] = (double) fp / normalPixels;
      pro[points] = Math.min(1.0, (proSum + proCompensation) / regions);
      points++;
    }
    fpr[points] = 1;
    pro[points] = 1;
    points++;
    return new Curve(fpr, pro, points, twiceArea);
  }

  /**
   * Area under y(x) by trapezoids up to {@code xMax}, interpolating linearly at {@code xMax} when it is not a point,
   * as the reference {@code trapezoid(x, y, x_max)}; x is non-decreasing from 0 to 1.
   */
  static double trapezoid(double[] x, double[] y, int points, double xMax) {
    double area = 0;
    int i = 1;
    for (; i < points && x[i] <= xMax; i++) {
      area += 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
    }
    if (i < points && x[i - 1] < xMax) { // xMax lies strictly between x[i-1] and x[i]
      double yAt = y[i - 1] + (y[i] - y[i - 1]) * (xMax - x[i - 1]) / (x[i] - x[i - 1]);
      area += 0.5 * (yAt + y[i - 1]) * (xMax - x[i - 1]);
    }
    return area;
  }

  // A max-heap of image indices ordered by each image's next (largest remaining) key.

  private static long top(long[][] keys, int img, int[] next) {
    return keys[img][next[img]];
  }

  private static int push(long[][] keys, int[] heap, int size, int[] next, int img) {
    if (next[img] < 0) {
      return size; // empty image (cannot happen: sizes are positive), nothing to merge
    }
    int c = size;
    heap[c] = img;
    while (c > 0) {
      int parent = (c - 1) / 2;
      if (top(keys, heap[parent], next) >= top(keys, heap[c], next)) {
        break;
      }
      int t = heap[parent];
      heap[parent] = heap[c];
      heap[c] = t;
      c = parent;
    }
    return size + 1;
  }

  private static int pop(long[][] keys, int[] heap, int size, int[] next) {
    heap[0] = heap[size - 1];
    return size - 1 == 0 ? 0 : siftDown(keys, heap, size - 1, next, 0);
  }

  private static int siftDown(long[][] keys, int[] heap, int size, int[] next, int c) {
    while (true) {
      int l = 2 * c + 1;
      if (l >= size) {
        return size;
      }
      int big = l + 1 < size && top(keys, heap[l + 1], next) > top(keys, heap[l], next) ? l + 1 : l;
      if (top(keys, heap[c], next) >= top(keys, heap[big], next)) {
        return size;
      }
      int t = heap[big];
      heap[big] = heap[c];
      heap[c] = t;
      c = big;
    }
  }

  /**
   * Pixel metrics of a test set. {@code auroc} and {@code aupro} are empty when the set has no defect pixel or no
   * defect-free pixel (both are undefined then).
   *
   * @param pixels       all pixels
   * @param defectPixels pixels inside a ground-truth region
   * @param regions      8-connected ground-truth regions over all images
   * @param auroc        pixel AUROC
   * @param aupro        area under the PRO curve up to {@code fprLimit}, divided by {@code fprLimit}
   * @param fprLimit     the integration limit
   */
  public record Result(
      long pixels, long defectPixels, int regions, OptionalDouble auroc, OptionalDouble aupro, double fprLimit) {}
}
