package org.maha.backbone;

/**
 * A feature extractor: normalised CHW images in, one globally average-pooled float64 vector per level out.
 * Implementations own native resources, hence {@link AutoCloseable}; {@link #close()} is idempotent and
 * {@link #extract} after close throws {@link IllegalStateException}.
 */
public interface Backbone extends AutoCloseable {

  BackboneSpec spec();

  /**
   * Most images one inference call handles; {@link #extract} splits larger batches. 1 when the graph's batch axis
   * is fixed at 1 and cannot be relaxed.
   */
  int maxBatch();

  /**
   * Pooled features of a batch of images.
   *
   * @param nchw  {@code batch × 3 × S × S} floats, the images' CHW arrays concatenated, already normalised as
   *              {@link BackboneSpec#normalization()} says. Not modified.
   * @param batch number of images, at least 1 (any number: split into calls of at most {@link #maxBatch()})
   * @return {@code [levelIndex][image][feature]}, feature count {@code spec().levelDims().get(levelIndex)}
   * @throws BackboneException        when inference fails inside the model
   * @throws IllegalArgumentException when {@code nchw.length != batch × 3 × S × S}
   * @throws IllegalStateException    after {@link #close()}
   */
  double[][][] extract(float[] nchw, int batch) throws BackboneException;

  /** Releases native resources; safe to call more than once. */
  @Override
  void close();
}
