package org.maha.model;

/**
 * One image's result: the combined score (mean over levels of the per-level distances, PAPER §1.7) and the
 * distances themselves. Every variant returns this type; thresholds and labels are applied elsewhere.
 */
public record AnomalyScore(double score, double[] levelDistances) {
  public AnomalyScore {
    levelDistances = levelDistances.clone();
  }

  @Override
  public double[] levelDistances() {
    return levelDistances.clone();
  }

  public double levelDistance(int levelIndex) {
    return levelDistances[levelIndex];
  }

  public int levels() {
    return levelDistances.length;
  }
}
