package org.maha.backbone;

import java.util.List;
import org.maha.image.Normalization;

/**
 * How the user wants a backbone opened and run (the CLI's {@code --levels}, {@code --normalization},
 * {@code --threads}, {@code --batch}, {@code --parallel}). Explicit values override a {@link Presets preset}.
 *
 * @param levels        graph outputs to use as levels; empty → the preset's levels, or an error for an unknown file
 * @param normalization {@code null} → the preset's, or {@link Normalization#IMAGENET} for an unknown file
 * @param threads       ONNX Runtime intra-op threads per inference call; 0 → its default (one per physical core),
 *                      or 1 when {@code parallel} &gt; 1
 * @param maxBatch      most images per inference call; 1 also disables relaxing a fixed batch axis
 * @param parallel      inference calls a pipeline runs at once on the one session ({@link Backbone#parallelRuns()}):
 *                      with one intra-op thread each, images run side by side instead of each operator being split
 *                      over the cores, which EfficientNet's and MobileNet's many small operators do badly (README
 *                      "Benchmarks"); 1 runs one call at a time
 */
public record BackboneOptions(List<String> levels, Normalization normalization, int threads, int maxBatch,
    int parallel) {

  /** One inference call at a time. */
  public BackboneOptions(List<String> levels, Normalization normalization, int threads, int maxBatch) {
    this(levels, normalization, threads, maxBatch, 1);
  }

  /** Default images per inference call: large enough to amortise per-call overhead, small in memory. */
  public static final int DEFAULT_MAX_BATCH = 16;

  /**
   * Most threads of any pool maha starts (ONNX Runtime intra-op, decoding): each costs a stack and scratch
   * buffers, so an unbounded count (e.g. 100000) grows memory without end. The CLI and the API share this bound.
   */
  public static final int MAX_THREADS = 256;

  /** Most images per inference call: the input alone is 1024 × 3 × 600² floats (4.4 GB) at EfficientNet-B7. */
  public static final int MAX_BATCH = 1024;

  public BackboneOptions {
    levels = levels == null ? List.of() : List.copyOf(levels);
    requireThreads("threads", threads, 0);
    requireMaxBatch("maxBatch", maxBatch);
    requireThreads("parallel", parallel, 1);
  }

  /** ONNX Runtime's intra-op threads to set, or 0 for its default. */
  int sessionThreads() {
    return threads > 0 ? threads : parallel > 1 ? 1 : 0;
  }

  /**
   * Checks a thread count against [{@code min}, {@link #MAX_THREADS}].
   *
   * @throws IllegalArgumentException naming {@code what}, the value and the range
   */
  public static int requireThreads(String what, int threads, int min) {
    if (threads < min || threads > MAX_THREADS) {
      throw new IllegalArgumentException(what + ": expected " + min + ".." + MAX_THREADS
          + (min == 0 ? " (0 = ONNX Runtime's default)" : "") + ", found " + threads);
    }
    return threads;
  }

  /**
   * Checks a batch size against [1, {@link #MAX_BATCH}].
   *
   * @throws IllegalArgumentException naming {@code what}, the value and the range
   */
  public static int requireMaxBatch(String what, int maxBatch) {
    if (maxBatch < 1 || maxBatch > MAX_BATCH) {
      throw new IllegalArgumentException(what + ": expected 1.." + MAX_BATCH + ", found " + maxBatch);
    }
    return maxBatch;
  }

  /** Preset levels and normalisation, default threads, batches of {@value #DEFAULT_MAX_BATCH}. */
  public static BackboneOptions defaults() {
    return new BackboneOptions(List.of(), null, 0, DEFAULT_MAX_BATCH);
  }

  /** A copy with other levels. */
  public BackboneOptions withLevels(List<String> newLevels) {
    return new BackboneOptions(newLevels, normalization, threads, maxBatch, parallel);
  }

  /** A copy with another normalisation ({@code null} → preset or IMAGENET). */
  public BackboneOptions withNormalization(Normalization newNormalization) {
    return new BackboneOptions(levels, newNormalization, threads, maxBatch, parallel);
  }

  /** A copy with another thread count. */
  public BackboneOptions withThreads(int newThreads) {
    return new BackboneOptions(levels, normalization, newThreads, maxBatch, parallel);
  }

  /** A copy with another batch limit. */
  public BackboneOptions withMaxBatch(int newMaxBatch) {
    return new BackboneOptions(levels, normalization, threads, newMaxBatch, parallel);
  }

  /** A copy that runs {@code newParallel} inference calls at once. */
  public BackboneOptions withParallel(int newParallel) {
    return new BackboneOptions(levels, normalization, threads, maxBatch, newParallel);
  }
}
