package org.maha.backbone;

import java.util.List;
import org.maha.image.Normalization;

/**
 * How the user wants a backbone opened (the CLI's {@code --levels}, {@code --normalization}, {@code --threads},
 * {@code --batch}). Explicit values override a {@link Presets preset}.
 *
 * @param levels        graph outputs to use as levels; empty → the preset's levels, or an error for an unknown file
 * @param normalization {@code null} → the preset's, or {@link Normalization#IMAGENET} for an unknown file
 * @param threads       ONNX Runtime intra-op threads; 0 → its default (one per physical core)
 * @param maxBatch      most images per inference call; 1 also disables relaxing a fixed batch axis
 */
public record BackboneOptions(List<String> levels, Normalization normalization, int threads, int maxBatch) {

  /** Default images per inference call: large enough to amortise per-call overhead, small in memory. */
  public static final int DEFAULT_MAX_BATCH = 16;

  public BackboneOptions {
    levels = levels == null ? List.of() : List.copyOf(levels);
    if (threads < 0) {
      throw new IllegalArgumentException("threads: expected >= 0 (0 = ONNX Runtime default), found " + threads);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch: expected >= 1, found " + maxBatch);
    }
  }

  /** Preset levels and normalisation, default threads, batches of {@value #DEFAULT_MAX_BATCH}. */
  public static BackboneOptions defaults() {
    return new BackboneOptions(List.of(), null, 0, DEFAULT_MAX_BATCH);
  }

  /** A copy with other levels. */
  public BackboneOptions withLevels(List<String> newLevels) {
    return new BackboneOptions(newLevels, normalization, threads, maxBatch);
  }

  /** A copy with another normalisation ({@code null} → preset or IMAGENET). */
  public BackboneOptions withNormalization(Normalization newNormalization) {
    return new BackboneOptions(levels, newNormalization, threads, maxBatch);
  }

  /** A copy with another thread count. */
  public BackboneOptions withThreads(int newThreads) {
    return new BackboneOptions(levels, normalization, newThreads, maxBatch);
  }

  /** A copy with another batch limit. */
  public BackboneOptions withMaxBatch(int newMaxBatch) {
    return new BackboneOptions(levels, normalization, threads, newMaxBatch);
  }
}
