package org.maha.tiles;

/**
 * An image's score from its tiles' scores. The rule: the image's combined score is the <b>maximum over tiles of
 * the paper's combined score</b> (each tile's mean over levels of its Mahalanobis distances), and each level's
 * distance is the maximum over tiles of that level's distance. A small defect changes the features of the one
 * or few tiles it lies in; a mean over tiles would divide its effect by the number of tiles, the maximum keeps it.
 * The level maxima may come from different tiles, so the combined score is not the mean of the listed level
 * distances (it is at most that mean). Since a maximum over more tiles is larger, scores of images cut into
 * different numbers of tiles are not on one scale: a threshold is calibrated on images of the size it is used on.
 */
public final class TileScores {
  private TileScores() {}

  /**
   * The image's score.
   *
   * @param score     the image's combined score (maximum over tiles)
   * @param levels    per level, the maximum over tiles of the level's distance
   * @param worstTile the index of the tile with the largest combined score (the first such tile on ties)
   */
  public record Combined(double score, double[] levels, int worstTile) {
    /** Copies {@code levels}. */
    public Combined {
      levels = levels.clone();
    }

    @Override
    public double[] levels() {
      return levels.clone();
    }
  }

  /**
   * Combines tile scores.
   *
   * @param combined       per tile, its combined score; at least one tile
   * @param levelDistances per tile, its distances per level (every tile the same number of levels)
   * @throws IllegalArgumentException when there is no tile, the arrays differ in length or a score is NaN
   */
  public static Combined max(double[] combined, double[][] levelDistances) {
    if (combined.length == 0 || combined.length != levelDistances.length) {
      throw new IllegalArgumentException("need one score and one set of level distances per tile, got "
          + combined.length + " and " + levelDistances.length);
    }
    int levels = levelDistances[0].length;
    double[] max = new double[levels];
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    int worst = 0;
    for (int t = 0; t < combined.length; t++) {
      if (Double.isNaN(combined[t])) {
        throw new IllegalArgumentException("tile " + t + " has a NaN score");
      }
      if (levelDistances[t].length != levels) {
        throw new IllegalArgumentException("tile " + t + " has " + levelDistances[t].length + " levels, tile 0 has "
            + levels);
      }
      if (combined[t] > combined[worst]) {
        worst = t;
      }
      for (int l = 0; l < levels; l++) {
        max[l] = Math.max(max[l], levelDistances[t][l]);
      }
    }
    return new Combined(combined[worst], max, worst);
  }
}
