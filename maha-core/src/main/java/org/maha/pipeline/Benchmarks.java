package org.maha.pipeline;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.maha.backbone.Backbone;
import org.maha.data.PngEncoder;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecoder;
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
   * Images/s of {@code backbone.extract} alone (input already preprocessed), after {@code warmup} batches; with
   * {@link Backbone#parallelRuns()} calls at once, as the pipeline runs them.
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
    int callers = Math.max(1, backbone.parallelRuns());
    int runs = Math.max(1, images / batch / callers) * callers;
    long t0 = System.nanoTime();
    if (callers == 1) {
      for (int i = 0; i < runs; i++) {
        backbone.extract(input, batch);
      }
    } else {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(callers);
      try {
        List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
          calls.add(pool.submit(() -> {
            for (int i = 0; i < runs / callers; i++) {
              backbone.extract(input, batch);
            }
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> f : calls) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    return new Throughput("backbone", batch, runs * batch, sec, runs * batch / sec,
        callers == 1 ? "" : callers + " calls at once");
  }

  /**
   * The whole pipeline against the bare graph, side by side: {@code rounds} times, first {@link #backbone} on as
   * many preprocessed images as {@code files} holds, then {@code extractor} over {@code files} (read, decode,
   * resize, normalise on its decoding threads, overlapped with the graph; pooled features handed to a sink that
   * drops them). Alternating in one process puts both under the same machine load. Each row's note gives the
   * process CPU time per image (all threads: ONNX Runtime, decoding, GC), which moves less with load than
   * images/s.
   *
   * @return per round, the graph's row, then the pipeline's
   */
  public static List<Throughput> pipeline(FeatureExtractor extractor, List<java.nio.file.Path> files, int batch,
      int rounds) throws Exception {
    Backbone backbone = extractor.backbone();
    extractor.extract(files.subList(0, Math.min(files.size(), 2 * batch)), false, "warm-up",
        ProgressListener.NONE, (i, p, f) -> {});
    List<Throughput> rows = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long cpu0 = processCpuNanos();
      Throughput graph = backbone(backbone, batch, files.size(), 0); // warmed up above: CPU covers timed runs only
      long cpu1 = processCpuNanos();
      rows.add(withNote(graph, "graph alone, round " + (r + 1), (cpu1 - cpu0) / 1e6 / graph.images()));
      long t0 = System.nanoTime();
      extractor.extract(files, false, "pipeline", ProgressListener.NONE, (i, p, f) -> {});
      double sec = (System.nanoTime() - t0) / 1e9;
      long cpu2 = processCpuNanos();
      rows.add(withNote(new Throughput("pipeline (" + files.size() + " files)", batch, files.size(), sec,
          files.size() / sec, ""), "decode+resize+graph, round " + (r + 1), (cpu2 - cpu1) / 1e6 / files.size()));
    }
    return rows;
  }

  private static Throughput withNote(Throughput t, String what, double cpuMsPerImage) {
    return new Throughput(t.what(), t.batch(), t.images(), t.seconds(), t.imagesPerSecond(),
        String.format(java.util.Locale.ROOT, "%s; process CPU %.1f ms/image", what, cpuMsPerImage));
  }

  /** CPU time of this process (all threads), or 0 where the JVM does not report it. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
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

  /** An image format {@link #decoding} measures. */
  public enum EncodedFormat {
    /**
     * PNG as Java's ImageIO writes it: deflate at its default level, of unfiltered rows (its writer applies filter None to every
     * row of a non-palette image, whatever its adaptive-filter code seems to say).
     */
    PNG("png"),
    /**
     * PNG as libpng writes it by default (PIL, and cv2 with other settings): each row's filter chosen by the least
     * sum of absolute signed differences, deflate level 6. Real image sets (MVTec AD) are written this way.
     */
    PNG_FILTERED("png"),
    /** Baseline JPEG as Java's ImageIO writes it (quality 0.75, 4:2:0 chroma). */
    JPEG("jpeg");

    private final String imageIoName;

    EncodedFormat(String imageIoName) {
      this.imageIoName = imageIoName;
    }
  }

  /**
   * Images/s of decoding a {@code px}² file held in memory to RGB ({@link ImageDecoder}, as every command does),
   * on one thread: the file is a seeded photo-like picture (smooth gradients, texture and sensor noise), encoded
   * once by ImageIO. Reading the file from disk is not included (the page cache serves repeated reads). For PNG,
   * two rows: as every command decodes (maha's direct PNG decoder unless {@code -Dmaha.png.direct=false}) and
   * the ImageIO path it replaced ({@link ImageDecoder#decodeWithImageIo}), alternating in three rounds so that
   * both run under the same load.
   */
  public static List<Throughput> decoding(EncodedFormat format, int px, int images) throws Exception {
    byte[] file = encodedPicture(format, px);
    DecodeLimits limits = DecodeLimits.DEFAULT;
    boolean both = format != EncodedFormat.JPEG;
    for (int i = 0; i < Math.min(20, images); i++) { // warm-up: enough for the JIT to compile the row loops
      ImageDecoder.decode(file, limits);
      if (both) {
        ImageDecoder.decodeWithImageIo(file, limits);
      }
    }
    int rounds = both ? 3 : 1;
    long[] cpu = new long[2];
    long[] wall = new long[2];
    int[] done = new int[2];
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      for (int path = 0; path < (both ? 2 : 1); path++) {
        int n = images / rounds + (r < images % rounds ? 1 : 0);
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (path == 0) {
            ImageDecoder.decode(file, limits);
          } else {
            ImageDecoder.decodeWithImageIo(file, limits);
          }
        }
        wall[path] += System.nanoTime() - t0;
        cpu[path] += threads.getCurrentThreadCpuTime() - cpu0;
        done[path] += n;
      }
    }
    List<Throughput> rows = new ArrayList<>();
    for (int path = 0; path < (both ? 2 : 1); path++) {
      double sec = wall[path] / 1e9;
      double cpuMs = cpu[path] / 1e6 / done[path];
      String how = !both ? "" : path == 0 ? " (as commands do)" : " via ImageIO";
      String name = format == EncodedFormat.PNG_FILTERED ? "PNG filtered" : format.toString();
      rows.add(new Throughput("decode " + name + how + " " + px + "px (" + file.length / 1024 + " KiB), 1 thread",
          1, done[path], sec, done[path] / sec, String.format(java.util.Locale.ROOT,
              "thread CPU %.2f ms/image (%.0f images/s of CPU)", cpuMs, 1000 / cpuMs)));
    }
    return rows;
  }

  /** A seeded photo-like RGB picture, encoded as {@code format}. */
  static byte[] encodedPicture(EncodedFormat format, int px) throws IOException {
    BufferedImage img = new BufferedImage(px, px, BufferedImage.TYPE_3BYTE_BGR);
    SplittableRandom rnd = new SplittableRandom(4);
    byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < px; y++) {
      for (int x = 0; x < px; x++) {
        double u = (double) x / px;
        double v = (double) y / px;
        double texture = 20 * Math.sin(40 * u + 7 * Math.sin(9 * v)) * Math.cos(33 * v);
        for (int c = 0; c < 3; c++) {
          double value = 60 + 120 * (c == 0 ? u : c == 1 ? v : 1 - u * v) + texture + 6 * rnd.nextGaussian();
          data[(y * px + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
    if (format == EncodedFormat.PNG_FILTERED) {
      return filteredPng(data, px);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format.imageIoName, out)) {
      throw new IOException("ImageIO has no " + format + " writer");
    }
    return out.toByteArray();
  }

  /**
   * A {@code px}² 8-bit RGB PNG of {@code bgr} (rows of B, G, R) with libpng's default row filters (the least sum
   * of |signed byte| of the five) and deflate level 6, written by the synthetic data set's {@link PngEncoder}.
   */
  private static byte[] filteredPng(byte[] bgr, int px) {
    byte[] rgb = new byte[bgr.length];
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 1] = bgr[i + 1];
      rgb[i + 2] = bgr[i];
    }
    return PngEncoder.encode(px, px, 3, rgb, 6);
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

  /**
   * Images/s of the whole extraction pipeline from files, as {@code maha evaluate} runs it: read, decode, resize +
   * normalise (on {@code decodeThreads} threads, overlapped with inference), the backbone at its batch size, and
   * pooling to feature vectors, measured by {@link #pipeline(FeatureExtractor, List, int, int)} (one round, after a
   * warm-up) on {@code images} PNGs of {@code px}² written to {@code dir} first, outside the timing: a smooth seeded
   * pattern with noise, so that they compress like photographs rather than like noise.
   */
  public static Throughput pipeline(Backbone backbone, java.nio.file.Path dir, int images, int px, int decodeThreads)
      throws Exception {
    List<java.nio.file.Path> files = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(4);
    for (int i = 0; i < images; i++) {
      java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(px, px,
          java.awt.image.BufferedImage.TYPE_INT_RGB);
      double fx = 0.01 + 0.05 * rnd.nextDouble();
      double fy = 0.01 + 0.05 * rnd.nextDouble();
      for (int y = 0; y < px; y++) {
        for (int x = 0; x < px; x++) {
          int base = (int) (110 + 80 * Math.sin(fx * x) * Math.cos(fy * y));
          int r = Math.min(255, Math.max(0, base + rnd.nextInt(-12, 13)));
          int g = Math.min(255, Math.max(0, base / 2 + 40 + rnd.nextInt(-12, 13)));
          int b = Math.min(255, Math.max(0, 255 - base + rnd.nextInt(-12, 13)));
          img.setRGB(x, y, (r << 16) | (g << 8) | b);
        }
      }
      java.nio.file.Path f = dir.resolve(String.format(java.util.Locale.ROOT, "bench%04d.png", i));
      if (!javax.imageio.ImageIO.write(img, "png", f.toFile())) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
      files.add(f);
    }
    FeatureExtractor ex = new FeatureExtractor(backbone, org.maha.image.DecodeLimits.DEFAULT, decodeThreads);
    Throughput measured = pipeline(ex, files, backbone.maxBatch(), 1).get(1); // [graph alone, pipeline]
    return new Throughput("whole pipeline: " + px + " px PNG files, " + decodeThreads + " decode threads",
        measured.batch(), measured.images(), measured.seconds(), measured.imagesPerSecond(), measured.note());
  }

  /** The process's peak resident set (VmHWM of /proc/self/status) in bytes, or -1 where there is none (not Linux). */
  public static long peakRssBytes() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
    return -1;
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
