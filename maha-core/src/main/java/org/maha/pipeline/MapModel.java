package org.maha.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.LevelGrid;
import org.maha.maps.AnomalyMap;
import org.maha.maps.Bilinear;
import org.maha.maps.ChannelSubset;
import org.maha.maps.GridConcat;
import org.maha.maps.PositionGaussians;

/**
 * A fitted map model (issue 10, PaDiM with Ledoit–Wolf): which backbone levels are concatenated on the finest
 * one's grid ({@link GridConcat}), which of the concatenated channels are kept ({@link ChannelSubset}, drawn with
 * {@code seed}), the Gaussian per grid position ({@link PositionGaussians}) and the smoothing σ. Immutable: the
 * lists are copies and {@link PositionGaussians} copies its arrays.
 *
 * <p>The map of an image: its grid's per-position Mahalanobis distances, upsampled bilinearly to the backbone
 * input S × S and smoothed with σ = {@code sigmaPx} there ({@link AnomalyMap#of}: exactly PaDiM's map at its
 * 224-px input), then resized bilinearly to the image as decoded, which undoes the preprocessing's resize of the
 * whole image to S × S. So σ means the same on every image size, and the smoothing costs S² work, not the image's
 * pixel count. Values are distances, not min-max normalised per image.
 *
 * @param levels   backbone level names in concatenation order (the finest grid first)
 * @param grids    each level's {@code C × H × W}, as the backbone recorded it; every grid no finer than the first
 * @param channels kept indices into the Σ C concatenated channels, ascending; as many as the Gaussians have
 * @param seed     the seed {@code channels} were drawn with ({@link ChannelSubset#choose}), for provenance
 * @param sigmaPx  Gaussian smoothing in pixels of the backbone input (PaDiM: 4 at 224 px)
 */
public record MapModel(List<String> levels, List<LevelGrid> grids, List<Integer> channels, long seed, double sigmaPx,
    PositionGaussians gaussians) {

  /** Checks that the parts fit together. */
  public MapModel {
    levels = List.copyOf(levels);
    grids = List.copyOf(grids);
    channels = List.copyOf(channels);
    Objects.requireNonNull(gaussians, "gaussians");
    if (levels.isEmpty() || levels.size() != grids.size() || new HashSet<>(levels).size() != levels.size()) {
      throw new IllegalArgumentException("levels and grids: expected as many distinct names as grids, found "
          + levels + " and " + grids);
    }
    requireNested(grids);
    int total = concatenated(grids);
    if (channels.isEmpty() || channels.size() != gaussians.channels()) {
      throw new IllegalArgumentException("expected " + gaussians.channels() + " kept channels, found "
          + channels.size());
    }
    for (int i = 0; i < channels.size(); i++) {
      int c = channels.get(i);
      if (c < 0 || c >= total || (i > 0 && c <= channels.get(i - 1))) {
        throw new IllegalArgumentException("kept channels must ascend within 0.." + (total - 1) + ", found "
            + channels);
      }
    }
    if (gaussians.height() != grids.get(0).height() || gaussians.width() != grids.get(0).width()) {
      throw new IllegalArgumentException("Gaussians on a " + gaussians.height() + " x " + gaussians.width()
          + " grid do not match the first level's " + grids.get(0).height() + " x " + grids.get(0).width());
    }
    if (!(sigmaPx > 0) || !Double.isFinite(sigmaPx)) {
      throw new IllegalArgumentException("sigmaPx must be positive and finite, found " + sigmaPx);
    }
  }

  /** Channels after concatenation, before the subset: Σ C. */
  public int concatenatedChannels() {
    return concatenated(grids);
  }

  /**
   * The model's float64 values (means, packed Cholesky factors, shrinkage) in bytes: P · (D + D(D+1)/2 + 1) · 8
   * for P grid positions and D kept channels, e.g. 784 · 5151 · 8 = 32 MB for D = 100 on 28 × 28.
   */
  public long sizeBytes() {
    long d = gaussians.channels();
    return (long) gaussians.height() * gaussians.width() * (d + d * (d + 1) / 2 + 1) * Double.BYTES;
  }

  /**
   * The indices of this model's levels in {@code spec}'s level order, checked against the backbone's grids.
   *
   * @throws IllegalArgumentException naming the level that the backbone lacks or gives at another size
   */
  public int[] levelIndices(BackboneSpec spec, List<LevelGrid> backboneGrids) {
    int[] idx = new int[levels.size()];
    for (int k = 0; k < idx.length; k++) {
      int i = spec.levelNames().indexOf(levels.get(k));
      if (i < 0) {
        throw new IllegalArgumentException("the map model's level '" + levels.get(k) + "' is not a level of "
            + spec.name() + " (levels " + spec.levelNames() + ")");
      }
      if (!backboneGrids.get(i).equals(grids.get(k))) {
        throw new IllegalArgumentException("the map model's level '" + levels.get(k) + "' is " + text(grids.get(k))
            + ", the backbone gives " + text(backboneGrids.get(i)));
      }
      idx[k] = i;
    }
    return idx;
  }

  /** One image's grid from its level maps (CHW, in {@link #levels} order; not modified): concatenated, subset. */
  public float[] embed(float[][] levelMaps) {
    return embed(grids, channels.stream().mapToInt(Integer::intValue).toArray(), levelMaps);
  }

  /**
   * The anomaly map of one image (see the class comment): row-major {@code imageHeight × imageWidth} float64
   * Mahalanobis distances.
   *
   * @param levelMaps   the image's maps of {@link #levels}, in that order ({@link #levelIndices} gives them)
   * @param inputSizePx S, the backbone's input size
   */
  public double[] map(float[][] levelMaps, int inputSizePx, int imageWidth, int imageHeight) {
    double[] atInput = AnomalyMap.of(gaussians, embed(levelMaps), inputSizePx, inputSizePx, sigmaPx);
    if (imageWidth == inputSizePx && imageHeight == inputSizePx) {
      return atInput;
    }
    return Bilinear.resize(atInput, inputSizePx, inputSizePx, imageHeight, imageWidth);
  }

  /** {@link #embed(float[][])} for a model being fitted. */
  static float[] embed(List<LevelGrid> grids, int[] channels, float[][] levelMaps) {
    if (levelMaps.length != grids.size()) {
      throw new IllegalArgumentException("expected maps of " + grids.size() + " levels, found " + levelMaps.length);
    }
    List<GridConcat.Level> parts = new ArrayList<>(grids.size());
    for (int k = 0; k < levelMaps.length; k++) {
      LevelGrid g = grids.get(k);
      parts.add(new GridConcat.Level(levelMaps[k], g.channels(), g.height(), g.width()));
    }
    float[] all = GridConcat.concatenate(parts);
    return ChannelSubset.select(all, grids.get(0).positions(), channels);
  }

  /** Refuses grids where a later level is finer than the first along either axis (GridConcat needs that). */
  static void requireNested(List<LevelGrid> grids) {
    LevelGrid first = grids.get(0);
    for (LevelGrid g : grids) {
      if (g.height() > first.height() || g.width() > first.width()) {
        throw new IllegalArgumentException("map level grids must be no finer than the first, found " + text(g)
            + " after " + text(first));
      }
    }
  }

  static int concatenated(List<LevelGrid> grids) {
    int total = 0;
    for (LevelGrid g : grids) {
      total = Math.addExact(total, g.channels());
    }
    return total;
  }

  static String text(LevelGrid g) {
    return g.channels() + " x " + g.height() + " x " + g.width();
  }
}
