package org.maha.spark;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.maha.api.MahaException;

/**
 * The {@code spark-submit} entry point ({@code --class org.maha.spark.MahaSparkMain}):
 *
 * <pre>
 * fit   --onnx G.onnx [--levels a,b,c] [--normalization N] [--variant mvg|l2|sed] [--batch N] [--threads N]
 *       [--partitions N] -o MODEL.maha INPUT...
 * score --onnx G.onnx [--levels a,b,c] [--normalization N] [--batch N] [--threads N] [--partitions N]
 *       -m MODEL.maha -o SCORES.parquet INPUT...
 * </pre>
 *
 * Without {@code --levels}, a known graph (maha's exported MobileNetV2) brings its own. INPUT are files, folders or globs that Spark's {@code binaryFile} source reads (folders recursively). Bad
 * options and files exit with status 2 and one line on stderr, before any Spark job. The model is written
 * atomically on the driver; the scores as Parquet (an existing output is refused by Spark).
 */
public final class MahaSparkMain {
  private MahaSparkMain() {}

  /** Usage or input refused: one line, status 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The parsed command line. */
  record Command(String action, Path onnx, SparkBackbone settings, String variant, Path model, String output,
      int partitions, List<String> inputs) {}

  /**
   * Runs {@code fit} or {@code score} on the session {@code spark-submit} configured; exits with status 2 and one
   * line on stderr for bad options or input.
   *
   * @param args the command line (see the class comment)
   */
  public static void main(String[] args) {
    Command c;
    try {
      c = parse(args);
    } catch (UsageException e) {
      fail(System.err, e.getMessage());
      return;
    }
    SparkSession spark = SparkSession.builder().appName("maha " + c.action()).getOrCreate();
    int status = 0;
    try {
      System.out.println(run(spark, c));
    } catch (MahaException | UsageException e) {
      System.err.println("maha-spark: " + e.getMessage());
      status = 2;
    } finally {
      spark.stop();
    }
    if (status != 0) {
      System.exit(status);
    }
  }

  private static void fail(PrintStream err, String message) {
    err.println("maha-spark: " + message);
    System.exit(2);
  }

  /** Runs {@code c} on {@code spark}; returns the line to print (what was written). */
  static String run(SparkSession spark, Command c) throws MahaException, UsageException {
    Dataset<Row> images = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
        .load(c.inputs().toArray(new String[0]));
    if (c.partitions() > 0) {
      images = images.repartition(c.partitions());
    }
    if (c.action().equals("fit")) {
      MahaSpark.FitReport r = MahaSpark.fit(spark, images, c.onnx(), c.settings(), c.variant(),
          String.join(" ", c.inputs()), Path.of(c.output()));
      r.skipped().forEach(s -> System.err.println("maha-spark: skipped " + s.name() + ": " + s.reason()));
      r.warnings().forEach(w -> System.err.println("maha-spark: warning: " + w));
      return "fitted " + r.images() + " images" + (r.skippedCount() > 0 ? " (" + r.skippedCount() + " skipped)" : "")
          + " -> " + c.output();
    }
    MahaSpark.score(spark, images, c.onnx(), c.settings(), c.model()).write().parquet(c.output());
    return "scores -> " + c.output();
  }

  static Command parse(String[] args) throws UsageException {
    if (args.length == 0 || !(args[0].equals("fit") || args[0].equals("score"))) {
      throw new UsageException("usage: fit|score --onnx G.onnx --levels a,b [...] -o OUT INPUT... "
          + "(see the README's Spark section)");
    }
    String action = args[0];
    Path onnx = null;
    Path model = null;
    String output = null;
    String levels = null;
    String normalization = null;
    String variant = "mvg";
    int batch = SparkBackbone.of().batchSize();
    int threads = 0;
    int partitions = 0;
    List<String> inputs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("-")) {
        inputs.add(a);
        continue;
      }
      if (i + 1 >= args.length) {
        throw new UsageException(a + ": missing value");
      }
      String v = args[++i];
      switch (a) {
        case "--onnx" -> onnx = existing(a, v);
        case "-m", "--model" -> model = existing(a, v);
        case "-o", "--output" -> output = v;
        case "--levels" -> levels = v;
        case "--normalization" -> normalization = v;
        case "--variant" -> variant = v;
        case "--batch" -> batch = number(a, v);
        case "--threads" -> threads = number(a, v);
        case "--partitions" -> partitions = number(a, v);
        default -> throw new UsageException(a + ": unknown option");
      }
    }
    if (onnx == null) {
      throw new UsageException("--onnx: missing (the backbone graph)");
    }
    if (output == null) {
      throw new UsageException("-o: missing (the " + (action.equals("fit") ? "model file" : "Parquet output") + ")");
    }
    if (action.equals("score") && model == null) {
      throw new UsageException("-m: missing (the model to score with)");
    }
    if (action.equals("fit") && model != null) {
      throw new UsageException("-m: only for score");
    }
    if (inputs.isEmpty()) {
      throw new UsageException("no INPUT images (files, folders or globs)");
    }
    if (partitions < 0) {
      throw new UsageException("--partitions: expected >= 0, found " + partitions);
    }
    SparkBackbone settings;
    try {
      settings = SparkBackbone.of(levels == null ? new String[0] : levels.split(",")).withBatchSize(batch).withThreads(threads);
      if (normalization != null) {
        settings = settings.withNormalization(normalization);
      }
      if (action.equals("fit")) {
        org.maha.model.Variant.parse(variant);
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return new Command(action, onnx, settings, variant, model, output, partitions, inputs);
  }

  private static Path existing(String option, String value) throws UsageException {
    Path p = Path.of(value);
    if (!Files.isRegularFile(p)) {
      throw new UsageException(option + ": " + value + ": no such file");
    }
    return p;
  }

  private static int number(String option, String value) throws UsageException {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UsageException(option + ": expected a whole number, found '" + value + "'");
    }
  }
}
