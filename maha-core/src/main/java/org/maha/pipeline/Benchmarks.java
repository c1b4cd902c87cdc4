package org.maha.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.maha.backbone.Backbone;
import org.maha.image.Preprocessing;
import org.maha.image.RgbImage;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.Gaussian;
import org.maha.stats.LedoitWolf;
import org.maha.stats.ShrunkCovariance;

/**
 * End-to-end measurements behind {@code maha bench}: backbone throughput at given batch sizes, preprocessing
 * throughput, and the time to fit one level's Gaussian. Inputs are seeded random data, so runs are comparable.
 */
public final class Benchmarks {
  private Benchmarks() {}

  /** Throughput of one configuration; NaN values mean "not measured" with the reason in {@code note}. */
  public record Throughput(String what, int batch, int images, double seconds, double imagesPerSecond,
      String note) {}

  /** Fit time statistics over repetitions, in milliseconds. */
  public record FitTime(int n, int dim, int repeats, double medianMs, double minMs, double shrinkage) {}

  /**
   * Images/s of {@code backbone.extract} alone (input already preprocessed), after {@code warmup} batches.
   */
  public static Throughput backbone(Backbone backbone, int batch, int images, int warmup) throws Exception {
    if (batch > backbone.maxBatch()) {
      return new Throughput("backbone", batch, 0, Double.NaN, Double.NaN,
          "graph has a fixed batch of " + backbone.maxBatch());
    }
    int s = backbone.spec().inputSizePx();
    float[] input = new float[batch * 3 * s * s];
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < warmup; i++) {
      backbone.extract(input, batch);
    }
    int runs = Math.max(1, images / batch);
    long t0 = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      backbone.extract(input, batch);
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    return new Throughput("backbone", batch, runs * batch, sec, runs * batch / sec, "");
  }

  /** Images/s of resize + normalise from a decoded {@code srcPx}² RGB image, on one thread. */
  public static Throughput preprocessing(Preprocessing pre, int srcPx, int images) {
    byte[] rgb = new byte[srcPx * srcPx * 3];
    new SplittableRandom(2).nextBytes(rgb);
    RgbImage img = new RgbImage(srcPx, srcPx, rgb);
    for (int i = 0; i < Math.min(5, images); i++) {
      pre.apply(img);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < images; i++) {
      pre.apply(img);
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    return new Throughput("resize+normalise " + srcPx + "px, 1 thread", 1, images, sec, images / sec, "");
  }

  /**
   * Time to fit one level: stream n random d-dimensional feature vectors into the accumulator, Ledoit-Wolf,
   * Cholesky. The features have a low-rank-plus-noise covariance like pooled CNN features.
   */
  public static FitTime fit(int n, int dim, int repeats) throws Exception {
    double[][] rows = syntheticFeatures(n, dim, 3);
    List<Double> ms = new ArrayList<>();
    double shrinkage = Double.NaN;
    for (int r = 0; r < repeats + 1; r++) {
      long t0 = System.nanoTime();
      CovarianceAccumulator acc = new CovarianceAccumulator(dim);
      for (double[] row : rows) {
        acc.add(row);
      }
      ShrunkCovariance lw = LedoitWolf.fit(acc);
      Gaussian.of(lw.mean(), lw.covariance());
      double t = (System.nanoTime() - t0) / 1e6;
      shrinkage = lw.shrinkage();
      if (r > 0) {
        ms.add(t); // the first run warms up the JIT
      }
    }
    double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new FitTime(n, dim, repeats, v[v.length / 2], v[0], shrinkage);
  }

  static double[][] syntheticFeatures(int n, int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int rank = Math.min(32, dim);
    double[][] basis = new double[rank][dim];
    for (double[] b : basis) {
      for (int j = 0; j < dim; j++) {
        b[j] = rnd.nextDouble() - 0.5;
      }
    }
    double[][] rows = new double[n][dim];
    for (double[] row : rows) {
      Arrays.fill(row, 1.0);
      for (double[] b : basis) {
        double w = rnd.nextDouble() * 2 - 1;
        for (int j = 0; j < dim; j++) {
          row[j] += w * b[j];
        }
      }
      for (int j = 0; j < dim; j++) {
        row[j] += 0.05 * (rnd.nextDouble() - 0.5);
      }
    }
    return rows;
  }
}
