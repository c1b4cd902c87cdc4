package org.maha.spark;

import java.io.Serializable;
import java.util.List;
import org.maha.api.Detector;
import org.maha.backbone.BackboneOptions;
import org.maha.image.DecodeLimits;
import org.maha.image.Normalization;

/**
 * How every executor opens the backbone: the output names to pool, the normalisation, ONNX Runtime threads, the
 * batch size, decode threads and the decode limits. They travel with the tasks ({@link #wire}); the graph itself
 * travels once per executor as a broadcast. The same settings as {@link Detector.Builder}'s, with its defaults.
 *
 * @param levels the graph outputs to pool (empty: the graph's known levels)
 * @param normalization a normalisation id, or null for the graph's own
 * @param threads ONNX Runtime intra-op threads per session (0: its default)
 * @param batchSize images per inference run
 * @param decodeThreads threads decoding images ahead of inference
 * @param maxImagePixels the largest decoded image accepted
 */
public record SparkBackbone(List<String> levels, String normalization, int threads, int batchSize,
    int decodeThreads, long maxImagePixels) {

  /**
   * Checks every setting, so that a bad one is refused on the driver before any task runs.
   *
   * @param levels the graph outputs to pool (empty: the graph's known levels)
   * @param normalization a normalisation id, or null for the graph's own
   * @param threads ONNX Runtime intra-op threads per session (0: its default)
   * @param batchSize images per inference run
   * @param decodeThreads threads decoding images ahead of inference
   * @param maxImagePixels the largest decoded image accepted
   */
  public SparkBackbone {
    levels = List.copyOf(levels);
    if (normalization != null) {
      Normalization.parse(normalization); // refused on the driver, before any task
    }
    BackboneOptions.requireThreads("threads", threads, 0);
    BackboneOptions.requireMaxBatch("batch size", batchSize);
    BackboneOptions.requireThreads("decode threads", decodeThreads, 1);
    new DecodeLimits(maxImagePixels); // checks the bound
  }

  /**
   * The given output names, with the defaults of {@link Detector.Builder} for everything else.
   *
   * @param levels the graph outputs to pool; none: the known graph's own levels
   * @return the settings
   */
  public static SparkBackbone of(String... levels) {
    return new SparkBackbone(List.of(levels), null, 0, BackboneOptions.DEFAULT_MAX_BATCH, 2,
        DecodeLimits.DEFAULT.maxPixels());
  }

  /**
   * These settings with {@code newNormalization} (an id such as {@code imagenet}).
   *
   * @param newNormalization a normalisation id
   * @return the new settings
   */
  public SparkBackbone withNormalization(String newNormalization) {
    return new SparkBackbone(levels, newNormalization, threads, batchSize, decodeThreads, maxImagePixels);
  }

  /**
   * These settings with {@code newThreads} ONNX Runtime threads per executor session.
   *
   * @param newThreads ONNX Runtime intra-op threads (0: its default)
   * @return the new settings
   */
  public SparkBackbone withThreads(int newThreads) {
    return new SparkBackbone(levels, normalization, newThreads, batchSize, decodeThreads, maxImagePixels);
  }

  /**
   * These settings with {@code images} per inference run.
   *
   * @param images images per inference run
   * @return the new settings
   */
  public SparkBackbone withBatchSize(int images) {
    return new SparkBackbone(levels, normalization, threads, images, decodeThreads, maxImagePixels);
  }

  BackboneOptions options() {
    return new BackboneOptions(levels, normalization == null ? null : Normalization.parse(normalization), threads,
        batchSize);
  }

  DecodeLimits limits() {
    return new DecodeLimits(maxImagePixels);
  }

  /** A detector on {@code onnx} with these settings (the public API's, for scoring). */
  Detector.Builder detector(java.nio.file.Path onnx) {
    Detector.Builder b = Detector.builder().onnx(onnx).levels(levels.toArray(new String[0])).threads(threads)
        .batchSize(batchSize).decodeThreads(decodeThreads).maxImagePixels(maxImagePixels);
    return normalization == null ? b : b.normalization(normalization);
  }

  String key(String graphSha256) {
    return graphSha256 + "|" + this;
  }

  /** The settings as they travel to the executors. */
  Wire wire() {
    return new Wire(levels, normalization, threads, batchSize, decodeThreads, maxImagePixels);
  }

  /** The same components, serializable (a public Serializable record trips javadoc's serialized-form check). */
  record Wire(List<String> levels, String normalization, int threads, int batchSize, int decodeThreads,
      long maxImagePixels) implements Serializable {
    private static final long serialVersionUID = 1L;

    SparkBackbone settings() {
      return new SparkBackbone(levels, normalization, threads, batchSize, decodeThreads, maxImagePixels);
    }
  }
}
