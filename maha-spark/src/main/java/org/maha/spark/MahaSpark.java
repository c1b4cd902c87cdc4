package org.maha.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalDouble;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.maha.api.Accumulated;
import org.maha.api.Detector;
import org.maha.api.FitOptions;
import org.maha.api.FitResult;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.MahaException;
import org.maha.api.Score;
import org.maha.api.Scores;
import org.maha.api.Skipped;
import org.maha.files.Sha256;

/**
 * Fit and score on Spark. The input is any Dataset with a string column {@code path} and a binary column
 * {@code content} holding an encoded image (PNG, JPEG, BMP, TIFF): exactly what {@code
 * spark.read().format("binaryFile")} gives. Each partition is read as a stream in chunks of one batch, so a
 * task's memory is bounded by the batch and the per-level statistics (D² doubles a level), never by the number
 * of images; the backbone is opened once per executor JVM ({@link ExecutorSessions}).
 *
 * <p>The fit is exact: each partition accumulates the mergeable statistics maha's model files keep (count, mean,
 * centred scatter and the fourth-moment terms of the Ledoit-Wolf shrinkage), {@code treeAggregate} merges them
 * pairwise (Chan et al.), and the driver fits the model from the merged statistics: the model {@code maha fit}
 * writes on the same images, up to rounding in the merge (a single partition gives it bit for bit). A failed
 * task is simply recomputed. Variants: mvg, l2, sed (PCA/NPCA need the rows themselves).
 */
public final class MahaSpark {
  private MahaSpark() {}

  /** The score table's columns (see {@link #score}). */
  public static final StructType SCORE_SCHEMA = new StructType()
      .add("path", DataTypes.StringType, false)
      .add("score", DataTypes.DoubleType, true)
      .add("level_distances", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true)
      .add("verdict", DataTypes.StringType, true)
      .add("p_value", DataTypes.DoubleType, true)
      .add("model_sha256", DataTypes.StringType, false)
      .add("error", DataTypes.StringType, true);

  /**
   * A distributed fit's result.
   *
   * @param model the fitted model (written to the target file)
   * @param images images fitted
   * @param skippedCount images that could not be read (all counted)
   * @param skipped the first {@value PartitionStatistics#MAX_LISTED} of them: path and reason
   * @param warnings what the fit warns about (e.g. too few images for the χ² thresholds)
   */
  public record FitReport(FittedModel model, long images, long skippedCount, List<Skipped> skipped,
      List<String> warnings) {}

  /**
   * Fits a model on the good images of {@code images} (columns {@code path}, {@code content}) and writes it to
   * {@code target} (atomically) as {@code maha fit} would. Unreadable images are skipped and reported.
   *
   * @param spark the session
   * @param images the good images: columns {@code path} (string) and {@code content} (binary)
   * @param onnx the backbone graph, a file on the driver (it is broadcast to the executors)
   * @param settings the backbone's levels, normalisation and batch settings
   * @param variant {@code mvg}, {@code l2} or {@code sed}
   * @param trainSource how the model describes its training images (e.g. the input path)
   * @param target the {@code .maha} file to write
   * @return the model, the counts of images fitted and skipped, the first skipped and the warnings
   * @throws MahaException for a bad graph, levels, variant or fewer than 2 readable images
   */
  public static FitReport fit(SparkSession spark, Dataset<Row> images, Path onnx, SparkBackbone settings,
      String variant, String trainSource, Path target) throws MahaException {
    try {
      return fitOrThrow(spark, images, onnx, settings, variant, trainSource, target);
    } catch (Exception e) { // a bad variant, an unreadable graph, a failed job: the API's exception, one line
      throw wrap(e);
    }
  }

  private static FitReport fitOrThrow(SparkSession spark, Dataset<Row> images, Path onnx, SparkBackbone settings,
      String variant, String trainSource, Path target) throws Exception {
    FitOptions options = FitOptions.defaults().withVariant(variant);
    if (!options.fitsFromStatistics()) {
      throw new IllegalArgumentException("variant " + options.variant() + " needs the training rows; a distributed "
          + "fit supports mvg, l2 and sed");
    }
    byte[] graph = Files.readAllBytes(onnx);
    String graphSha = Sha256.of(graph);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SparkBackbone.Wire wire = settings.wire();
    // the driver's detector checks graph and levels before any job, and fits from the merged statistics
    try (Detector driver = settings.detector(onnx).build()) {
      Broadcast<byte[]> graphBc = jsc.broadcast(graph);
      try {
        JavaRDD<PartitionStatistics> parts = paths(images).javaRDD()
            .mapPartitions(rows -> List.of(fitPartition(rows, graphBc, graphSha, wire.settings())).iterator());
        int depth = aggregationDepth(parts.getNumPartitions());
        PartitionStatistics all = parts.treeAggregate(PartitionStatistics.EMPTY, PartitionStatistics::merge,
            PartitionStatistics::merge, depth);
        List<Skipped> skipped = all.skipped().stream().map(s -> new Skipped(s.path(), s.reason())).toList();
        if (all.count() < 2) {
          throw new MahaException(trainSource + ": need at least 2 readable training images to fit a model, got "
              + all.count() + (all.skippedCount() > 0 ? " (" + all.skippedCount() + " unreadable)" : ""), null);
        }
        FitResult r = driver.fitWithReport(all.statistics().describedAs(trainSource), options);
        r.model().save(target);
        return new FitReport(FittedModel.load(target), all.count(), all.skippedCount(), skipped, r.warnings());
      } finally {
        graphBc.destroy();
      }
    }
  }

  /**
   * Scores {@code images} (columns {@code path}, {@code content}) with the model file {@code model}: a Dataset of
   * {@link #SCORE_SCHEMA} (path, score, level_distances, verdict and p_value when the model is calibrated,
   * model_sha256, error), one row per input row, lazily computed. An image that cannot be read gives a row with
   * its error and null score: it never fails the job. Write it with {@code .write().parquet(...)}.
   *
   * @param spark the session
   * @param images the images to score: columns {@code path} (string) and {@code content} (binary)
   * @param onnx the model's backbone graph, a file on the driver (broadcast to the executors)
   * @param settings the backbone's settings, as for the fit
   * @param model a model file on the driver (broadcast to the executors)
   * @return the scores, one row per input row, computed when an action runs
   * @throws MahaException for an unreadable model, graph or levels, or a model of another backbone
   */
  public static Dataset<Row> score(SparkSession spark, Dataset<Row> images, Path onnx, SparkBackbone settings,
      Path model) throws MahaException {
    byte[] graph;
    byte[] modelBytes;
    try {
      graph = Files.readAllBytes(onnx);
      FittedModel fitted = FittedModel.load(model);
      try (Detector d = settings.detector(onnx).build()) { // the model must fit the backbone: checked up front
        d.scoreAll(fitted, Images.encoded(List.of()));
      }
      modelBytes = Files.readAllBytes(model);
    } catch (IOException e) {
      throw wrap(e);
    }
    String graphSha = Sha256.of(graph);
    String modelSha = Sha256.of(modelBytes);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> graphBc = jsc.broadcast(graph);
    Broadcast<byte[]> modelBc = jsc.broadcast(modelBytes);
    SparkBackbone.Wire wire = settings.wire();
    return paths(images).mapPartitions(
        (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) rows -> new Chunks(rows,
            wire.batchSize(), chunk -> scoreChunk(chunk, graphBc, graphSha, wire.settings(), modelBc, modelSha)),
        Encoders.row(SCORE_SCHEMA));
  }

  /**
   * The depth of the {@code treeAggregate} over {@code partitions} partials: at least 2, and enough for a fan-in of
   * at most 8 per merge ({@code ceil(log8 partitions)}), so that no task, and not the driver, holds more than about
   * 9 D × D partials of a level at once (Spark merges ceil(partitions^(1/depth)) per task).
   */
  static int aggregationDepth(int partitions) {
    return Math.max(2, (int) Math.ceil(Math.log(Math.max(partitions, 1)) / Math.log(8) - 1e-9));
  }

  /** The API's exception, its message the cause's (which names the file or option). */
  private static MahaException wrap(Exception e) {
    return e instanceof MahaException m ? m
        : new MahaException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
  }

  private static Dataset<Row> paths(Dataset<Row> images) {
    return images.select(images.col("path").cast(DataTypes.StringType), images.col("content"));
  }

  private static PartitionStatistics fitPartition(Iterator<Row> rows, Broadcast<byte[]> graph, String graphSha,
      SparkBackbone settings) throws Exception {
    PartitionStatistics part = PartitionStatistics.EMPTY;
    List<PartitionStatistics.SkippedImage> skipped = new ArrayList<>();
    long skippedCount = 0;
    Chunks.Reader reader = new Chunks.Reader(rows, settings.batchSize());
    Detector detector = null;
    while (reader.hasNext()) {
      List<Row> chunk = reader.next();
      if (detector == null) {
        detector = ExecutorSessions.detector(graph, graphSha, settings);
      }
      List<String> names = new ArrayList<>();
      List<byte[]> bytes = new ArrayList<>();
      for (Row r : chunk) {
        if (r.isNullAt(1)) {
          skippedCount++;
          note(skipped, r.isNullAt(0) ? "(null path)" : r.getString(0), "no image bytes (null content)");
        } else {
          names.add(r.isNullAt(0) ? "(null path)" : r.getString(0));
          bytes.add((byte[]) r.get(1));
        }
      }
      Accumulated a = detector.accumulateWithReport(Images.encoded(bytes).skippingUnreadable());
      part = part.merge(PartitionStatistics.of(a.statistics()));
      for (Skipped s : a.skipped()) {
        skippedCount++;
        note(skipped, names.get(frameIndex(s.name())), s.reason());
      }
    }
    return part.withSkipped(skipped, skippedCount);
  }

  private static void note(List<PartitionStatistics.SkippedImage> skipped, String path, String reason) {
    if (skipped.size() < PartitionStatistics.MAX_LISTED) {
      skipped.add(new PartitionStatistics.SkippedImage(path, reason));
    }
  }

  /** The index i of {@code frame-i}, the name {@link Images#encoded} gives. */
  private static int frameIndex(String name) {
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }

  private static List<Row> scoreChunk(List<Row> chunk, Broadcast<byte[]> graph, String graphSha,
      SparkBackbone settings, Broadcast<byte[]> modelBc, String modelSha) {
    Detector detector = ExecutorSessions.detector(graph, graphSha, settings);
    FittedModel model = ExecutorSessions.model(modelBc, modelSha);
    Row[] out = new Row[chunk.size()];
    List<byte[]> bytes = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < chunk.size(); i++) {
      Row r = chunk.get(i);
      if (r.isNullAt(1)) {
        out[i] = error(r, modelSha, "no image bytes (null content)");
      } else {
        bytes.add((byte[]) r.get(1));
        at.add(i);
      }
    }
    try {
      Scores scores = detector.scoreAll(model, Images.encoded(bytes).skippingUnreadable());
      for (int k = 0; k < scores.size(); k++) {
        Score s = scores.get(k);
        int i = at.get(frameIndex(s.name()));
        out[i] = row(chunk.get(i), s, model, modelSha);
      }
      for (Skipped s : scores.skipped()) {
        int i = at.get(frameIndex(s.name()));
        out[i] = error(chunk.get(i), modelSha, s.reason());
      }
    } catch (MahaException | RuntimeException e) { // one image failing the whole call (e.g. an image too large
      // for the heap, which the API lets through as itself): score them one by one, so only that image fails
      for (int k = 0; k < bytes.size(); k++) {
        int i = at.get(k);
        try {
          out[i] = row(chunk.get(i), detector.score(model, Images.encoded(bytes.get(k))), model, modelSha);
        } catch (MahaException | RuntimeException one) {
          out[i] = error(chunk.get(i), modelSha, one.getMessage() != null ? one.getMessage() : one.toString());
        }
      }
    }
    return List.of(out);
  }

  private static Row row(Row in, Score s, FittedModel model, String modelSha) {
    Map<String, Double> distances = new LinkedHashMap<>(s.levelDistances());
    OptionalDouble p = s.pValue();
    return RowFactory.create(in.getString(0), s.score(), scala.jdk.javaapi.CollectionConverters.asScala(distances),
        s.verdict().map(x -> x.name().toLowerCase(java.util.Locale.ROOT)).orElse(null),
        p.isPresent() ? p.getAsDouble() : null, modelSha, null);
  }

  private static Row error(Row in, String modelSha, String reason) {
    return RowFactory.create(in.isNullAt(0) ? "(null path)" : in.getString(0), null, null, null, null, modelSha,
        reason);
  }

  /** Rows in chunks of at most {@code size}, each turned into output rows as it is reached: bounded memory. */
  private static final class Chunks implements Iterator<Row> {
    interface Step extends java.io.Serializable {
      List<Row> apply(List<Row> chunk) throws Exception;
    }

    private final Reader reader;
    private final Step step;
    private Iterator<Row> current = java.util.Collections.emptyIterator();

    Chunks(Iterator<Row> rows, int size, Step step) {
      this.reader = new Reader(rows, size);
      this.step = step;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && reader.hasNext()) {
        try {
          current = step.apply(reader.next()).iterator();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return current.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }

    /** Up to {@code size} rows at a time. */
    static final class Reader implements Iterator<List<Row>> {
      private final Iterator<Row> rows;
      private final int size;

      Reader(Iterator<Row> rows, int size) {
        this.rows = rows;
        this.size = size;
      }

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public List<Row> next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        List<Row> chunk = new ArrayList<>(size);
        while (chunk.size() < size && rows.hasNext()) {
          chunk.add(rows.next());
        }
        return chunk;
      }
    }
  }
}
