package org.maha.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ejml.data.DMatrixRMaj;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.backbone.BackboneSpec;
import org.maha.image.Normalization;
import org.maha.model.GaussianAdFitter;
import org.maha.model.TrainingStatistics;
import org.maha.model.Variant;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.ScatterStatistics;

/**
 * The Spark benchmark that {@code scripts/spark_bench.sh} runs (README, Spark section): how a distributed fit and
 * score compare with one process on the same images, and what the aggregation of the per-partition statistics
 * costs at the real feature size. Two modes, each on the session's master ({@code -Dspark.master}, default
 * {@code local[2]}):
 *
 * <pre>
 * pipeline --onnx G.onnx --train DIR --test DIR --work DIR [--rounds R] [--spark-threads N]
 *     per round, alternating: a single-process fit (the API's Detector.fit, what maha fit runs), the Spark fit,
 *     a single-process score, the Spark score (Parquet written); wall time and images/s of each. The Spark side's
 *     executor session uses N ONNX Runtime threads (default 0: all cores, as the single process)
 * aggregate --rows N --dim D --partitions P
 *     N synthetic feature vectors of dimension D in P partitions: per-partition accumulation (the exact
 *     statistics of the model format), then treeAggregate of the D x D partials alone, then the driver's
 *     Ledoit-Wolf + Cholesky fit; time of each and the heap's peak during aggregation and fit
 * </pre>
 *
 * A tool, not an API: its output lines are for people and may change.
 */
public final class SparkBench {
  private SparkBench() {}

  /**
   * Runs one mode (see the class comment) and prints one line per measurement.
   *
   * @param args the mode and its options
   * @throws Exception when a step fails (a benchmark has no partial result worth keeping)
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("pipeline") || args[0].equals("aggregate"))) {
      System.err.println("usage: pipeline --onnx G --train DIR --test DIR --work DIR [--rounds R] | "
          + "aggregate --rows N --dim D --partitions P");
      System.exit(2);
    }
    java.util.Map<String, String> o = new java.util.HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i], args[i + 1]);
    }
    long t0 = System.nanoTime();
    SparkSession spark = SparkSession.builder().master(System.getProperty("spark.master", "local[2]"))
        .appName("maha bench").config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    System.out.printf(Locale.ROOT, "spark %s, master %s, session started in %.1f s, %d cores, heap max %d MB%n",
        spark.version(), spark.sparkContext().master(), secs(t0), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    try {
      if (args[0].equals("pipeline")) {
        pipeline(spark, Path.of(o.get("--onnx")), Path.of(o.get("--train")), Path.of(o.get("--test")),
            Path.of(o.get("--work")), Integer.parseInt(o.getOrDefault("--rounds", "2")),
            Integer.parseInt(o.getOrDefault("--spark-threads", "0")));
      } else {
        aggregate(spark, Long.parseLong(o.get("--rows")), Integer.parseInt(o.get("--dim")),
            Integer.parseInt(o.get("--partitions")));
      }
    } finally {
      spark.stop();
    }
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static List<Path> images(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }

  private static void pipeline(SparkSession spark, Path onnx, Path train, Path test, Path work, int rounds,
      int sparkThreads) throws Exception {
    List<Path> trainFiles = images(train);
    List<Path> testFiles = images(test);
    Files.createDirectories(work);
    SparkBackbone settings = SparkBackbone.of();
    SparkBackbone sparkSettings = settings.withThreads(sparkThreads);
    for (int r = 1; r <= rounds; r++) {
      Path single = work.resolve("single-" + r + ".maha");
      long t = System.nanoTime();
      try (Detector d = settings.detector(onnx).build()) { // maha fit: one Detector, the API's fit, the file
        d.fit(Images.files(trainFiles)).save(single);
      }
      report(r, "single-process fit", trainFiles.size(), secs(t));

      Path distributed = work.resolve("spark-" + r + ".maha");
      Dataset<Row> trainTable = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
          .option("pathGlobFilter", "*.png").load(train.toString());
      t = System.nanoTime();
      MahaSpark.FitReport fit = MahaSpark.fit(spark, trainTable, onnx, sparkSettings, "mvg", train.toString(),
          distributed);
      report(r, "spark fit (" + trainTable.rdd().getNumPartitions() + " partitions)", fit.images(), secs(t));

      t = System.nanoTime();
      try (Detector d = settings.detector(onnx).build()) { // maha score: load, score every image
        d.scoreAll(FittedModel.load(single), Images.files(testFiles));
      }
      report(r, "single-process score", testFiles.size(), secs(t));

      Dataset<Row> testTable = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
          .option("pathGlobFilter", "*.png").load(test.toString());
      Path parquet = work.resolve("spark-scores-" + r + ".parquet");
      t = System.nanoTime();
      MahaSpark.score(spark, testTable, onnx, sparkSettings, distributed).write().parquet(parquet.toString());
      long rows = spark.read().parquet(parquet.toString()).count();
      report(r, "spark score (" + testTable.rdd().getNumPartitions() + " partitions)", rows, secs(t));
    }
  }

  private static void report(int round, String what, long images, double seconds) {
    System.out.printf(Locale.ROOT, "round %d  %-34s %6d images %8.2f s %8.1f images/s%n", round, what, images,
        seconds, images / seconds);
  }

  /** One partition's exact statistics, shipped as arrays (ScatterStatistics itself is not Serializable). */
  static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Partial EMPTY = new Partial(null);
    private transient ScatterStatistics stats;

    Partial(ScatterStatistics stats) {
      this.stats = stats;
    }

    /** The rows' statistics; null for {@link #EMPTY}. */
    ScatterStatistics statistics() {
      return stats;
    }

    Partial merge(Partial other) {
      return stats == null ? other : other.stats == null ? this : new Partial(stats.merge(other.stats));
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      out.writeBoolean(stats != null);
      if (stats != null) {
        out.writeLong(stats.n());
        out.writeObject(stats.mean());
        out.writeObject(stats.scatter().data);
        out.writeObject(stats.u());
        out.writeDouble(stats.q());
      }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      if (in.readBoolean()) {
        long n = in.readLong();
        double[] mean = (double[]) in.readObject();
        double[] t = (double[]) in.readObject();
        double[] u = (double[]) in.readObject();
        double q = in.readDouble();
        stats = new ScatterStatistics(n, mean, DMatrixRMaj.wrap(mean.length, mean.length, t), u, q);
      }
    }
  }

  /** Accumulates {@code rows} synthetic vectors of dimension {@code dim} (seeded by {@code seed}). */
  static Partial accumulate(long rows, int dim, long seed) {
    if (rows == 0) {
      return Partial.EMPTY;
    }
    CovarianceAccumulator acc = new CovarianceAccumulator(dim);
    SplittableRandom random = new SplittableRandom(seed);
    double[] scale = new double[dim];
    for (int j = 0; j < dim; j++) {
      scale[j] = 0.5 + j % 7; // unequal variances, as real features have
    }
    int block = 64;
    double[] data = new double[block * dim];
    for (long done = 0; done < rows; ) {
      int n = (int) Math.min(block, rows - done);
      for (int i = 0; i < n * dim; i++) {
        data[i] = 1 + scale[i % dim] * (random.nextDouble() - 0.5);
      }
      acc.addBlock(data, 0, n);
      done += n;
    }
    return new Partial(acc.statistics());
  }

  private static void aggregate(SparkSession spark, long rows, int dim, int partitions) throws Exception {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = IntStream.range(0, partitions).boxed().toList();
    JavaRDD<Partial> parts = jsc.parallelize(ids, partitions)
        .map(p -> accumulate(rows / partitions + (p < rows % partitions ? 1 : 0), dim, 1000L + p))
        .persist(StorageLevel.MEMORY_ONLY());
    long t = System.nanoTime();
    parts.count();
    double accumulate = secs(t);
    System.out.printf(Locale.ROOT, "aggregate: %d rows, D = %d, %d partitions: accumulation %.2f s (%.0f rows/s)%n",
        rows, dim, partitions, accumulate, rows / accumulate);

    List<MemoryPoolMXBean> heap = new ArrayList<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap.add(pool);
      }
    }
    System.gc();
    long before = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    int depth = MahaSpark.aggregationDepth(partitions);
    t = System.nanoTime();
    Partial all = parts.treeAggregate(Partial.EMPTY, Partial::merge, Partial::merge, depth);
    double merge = secs(t);
    t = System.nanoTime();
    BackboneSpec spec = new BackboneSpec("synthetic", "00".repeat(32), "input", 224, Normalization.IMAGENET,
        List.of("features"), List.of(dim));
    GaussianAdFitter fitter = GaussianAdFitter.fromStatistics(spec, null, new Variant.Mvg(), new TrainingStatistics(
        List.of(all.statistics()), List.of(TrainingStatistics.Step.now("fit", "synthetic", all.statistics().n(), null, null))));
    fitter.fit("synthetic");
    double fit = secs(t);
    long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    double partialMb = 8.0 * dim * dim / (1 << 20);
    System.out.printf(Locale.ROOT, "aggregate: treeAggregate (depth %d) of %d partials of %.1f MB: %.2f s; driver fit "
        + "(Ledoit-Wolf + Cholesky): %.2f s; heap before %d MB, peak during both %d MB (local mode: driver and "
        + "executors share this heap)%n", depth, partitions, partialMb, merge, fit, before >> 20, peak >> 20);
    parts.unpersist(true);
  }
}
