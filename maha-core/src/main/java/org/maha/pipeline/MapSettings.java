package org.maha.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.LevelGrid;
import org.maha.maps.ChannelSubset;
import org.maha.maps.GaussianSmoothing;
import org.maha.maps.PositionAccumulator;
import org.maha.maps.PositionGaussians;
import org.maha.model.FitException;

/**
 * How to fit a {@link MapModel}. Defaults ({@link #defaults()}) follow PaDiM (Defard et al. 2020), which
 * concatenates ResNet's layer1..layer3 (strides 4, 8 and 16) and keeps 100 random channels of ResNet-18's 448:
 * <ul>
 *   <li>levels: every backbone level whose grid side lies between ⌈S/16⌉ and ⌈S/4⌉ on both axes (strides 4 to 16
 *       of the input S; MobileNetV2's {@code feat_s8} 28 × 28 and {@code feat_s16} 14 × 14 at S = 224), finest
 *       first, on the finest one's grid;</li>
 *   <li>channels: {@value #DEFAULT_CHANNELS} of the concatenated ones (all when there are fewer), drawn with seed
 *       {@value #DEFAULT_SEED} (PaDiM's seed; the drawing rule is {@link ChannelSubset}'s, not Python's);</li>
 *   <li>σ = 4 px of the backbone input ({@link GaussianSmoothing#PADIM_SIGMA_PX}).</li>
 * </ul>
 *
 * @param levels   level names to concatenate (any order: they are put finest first); empty for the default rule
 * @param channels channels kept after concatenation, 1..{@value #MAX_CHANNELS} (fewer if fewer exist)
 * @param seed     seed of the channel subset
 * @param sigmaPx  smoothing in pixels of the backbone input, positive and at most {@value #MAX_SIGMA_PX}
 */
public record MapSettings(List<String> levels, int channels, long seed, double sigmaPx) {
  public static final int DEFAULT_CHANNELS = 100;
  public static final long DEFAULT_SEED = 1024;
  /** The fit's cost per position grows as D² and its memory too; 1024 channels is 8 MB per position. */
  public static final int MAX_CHANNELS = 1024;
  public static final double MAX_SIGMA_PX = 64;

  /** Validates the sizes; copies the list. */
  public MapSettings {
    levels = List.copyOf(levels);
    if (new HashSet<>(levels).size() != levels.size()) {
      throw new IllegalArgumentException("map levels must be distinct, found " + levels);
    }
    if (channels < 1 || channels > MAX_CHANNELS) {
      throw new IllegalArgumentException("map channels must be in 1.." + MAX_CHANNELS + ", found " + channels);
    }
    if (!(sigmaPx > 0 && sigmaPx <= MAX_SIGMA_PX)) {
      throw new IllegalArgumentException("map sigma must be in (0, " + MAX_SIGMA_PX + "] px, found " + sigmaPx);
    }
  }

  /** PaDiM's choices, see the class comment. */
  public static MapSettings defaults() {
    return new MapSettings(List.of(), DEFAULT_CHANNELS, DEFAULT_SEED, GaussianSmoothing.PADIM_SIGMA_PX);
  }

  /**
   * Indices of the map levels in {@code spec}'s level order, finest grid first (by positions; ties keep the level
   * order): the named levels, or those the default rule picks.
   *
   * @throws FitException when a named level does not exist, when no level fits the default rule, or when a level
   *     is finer than the first along one axis but coarser along the other
   */
  public int[] levelIndices(BackboneSpec spec, List<LevelGrid> grids) throws FitException {
    List<Integer> chosen = new ArrayList<>();
    int s = spec.inputSizePx();
    int lo = ceilDiv(s, 16);
    int hi = ceilDiv(s, 4);
    if (levels.isEmpty()) {
      for (int i = 0; i < grids.size(); i++) {
        LevelGrid g = grids.get(i);
        if (g.height() >= lo && g.height() <= hi && g.width() >= lo && g.width() <= hi) {
          chosen.add(i);
        }
      }
      if (chosen.isEmpty()) {
        throw new FitException("no level of " + spec.name() + " has a grid of " + lo + " to " + hi
            + " positions per side (strides 4 to 16 of its " + s + "-px input) for anomaly maps; name the map "
            + "levels (levels " + describe(spec, grids) + ")");
      }
    } else {
      for (String name : levels) {
        int i = spec.levelNames().indexOf(name);
        if (i < 0) {
          throw new FitException("no level named '" + name + "' for anomaly maps (levels " + describe(spec, grids)
              + ")");
        }
        chosen.add(i);
      }
    }
    chosen.sort(Comparator.comparingInt((Integer i) -> -grids.get(i).positions()).thenComparingInt(i -> i));
    List<LevelGrid> ordered = chosen.stream().map(grids::get).toList();
    try {
      MapModel.requireNested(ordered);
    } catch (IllegalArgumentException e) {
      throw new FitException("anomaly map levels of " + spec.name() + ": " + e.getMessage());
    }
    return chosen.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Heap a map fit holds, independent of the number of training images: the {@link PositionAccumulator}
   * (P · (D² + 2D + 1) float64), its block of buffered images (at most 64 MiB), and the fitted
   * {@link PositionGaussians} (P · (D + D(D+1)/2 + 1) float64), twice: {@link PositionAccumulator#fit} fills its
   * arrays and the constructor copies them, while the accumulator is alive. For P grid positions and D kept
   * channels; e.g. 784 positions, D = 100: 64 + 20 + 2 · 32 MB. Not counted: the image model's accumulators and the
   * backbone, which a fit without maps holds too.
   */
  public static long fitBytes(int positions, int channels) {
    long d = channels;
    long perPosition = (d * d + 2 * d + 1) + 2 * (d + d * (d + 1) / 2 + 1);
    long perImage = positions * d * Float.BYTES;
    long block = Math.max(perImage, Math.min(64L << 20, 64 * perImage));
    return Math.addExact(Math.multiplyExact(Math.multiplyExact((long) positions, perPosition), Double.BYTES), block);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static String describe(BackboneSpec spec, List<LevelGrid> grids) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < grids.size(); i++) {
      parts.add(spec.levelNames().get(i) + " " + MapModel.text(grids.get(i)));
    }
    return String.join(", ", parts);
  }
}
