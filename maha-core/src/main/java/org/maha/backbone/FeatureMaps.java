package org.maha.backbone;

/**
 * What one inference run gives when maps are asked for: the pooled features exactly as {@link Backbone#extract}
 * returns them, and the unpooled maps of the requested levels.
 *
 * @param pooled {@code [levelIndex][image][feature]}, as {@link Backbone#extract}
 * @param maps   {@code [k][image]}: the CHW map ({@link LevelGrid#values()} floats, the output's values for that
 *               image, unchanged) of the k-th requested level
 */
public record FeatureMaps(double[][][] pooled, float[][][] maps) {}
