package org.maha.backbone;

import java.util.List;

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
   * How many {@link #extract} calls a pipeline should run at once (each with its own batch): more than 1 when the
   * backbone was opened to run images side by side, one intra-op thread each ({@link BackboneOptions#parallel()}).
   * {@link #extract} is then safe to call from that many threads at once.
   */
  default int parallelRuns() {
    return 1;
  }

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

  /**
   * Each level's map size for one image, in level order, recorded when the backbone was opened (anomaly maps need
   * the unpooled outputs). Backbones that cannot give maps throw {@link UnsupportedOperationException}.
   */
  default List<LevelGrid> levelGrids() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " gives no feature maps");
  }

  /**
   * Pooled features, bit for bit those of {@link #extract}, and from the same inference run the unpooled maps of
   * the levels {@code mapLevels} (level indices, distinct, in the order wanted).
   *
   * @return pooled features and {@code maps[k][image]}, the CHW map of level {@code mapLevels[k]}, of
   *     {@code levelGrids().get(mapLevels[k]).values()} floats
   * @throws BackboneException        when inference fails inside the model
   * @throws IllegalArgumentException as {@link #extract}, or when a map level is out of range or repeated
   * @throws IllegalStateException    after {@link #close()}, or when an output's runtime shape is not its recorded
   *                                  grid
   */
  default FeatureMaps extractWithMaps(float[] nchw, int batch, int[] mapLevels) throws BackboneException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " gives no feature maps");
  }

  /** Releases native resources; safe to call more than once. */
  @Override
  void close();
}
