package org.maha.maps;

/**
 * PaDiM's map of one image from its feature grid: the Mahalanobis distance per grid position
 * ({@link PositionGaussians#mahalanobisMap}), upsampled to the image bilinearly ({@link Bilinear}) and smoothed with
 * a Gaussian ({@link GaussianSmoothing}; PaDiM: σ = 4 px). PaDiM then min-max normalises over the test set; this does
 * not, so maps of different images stay on one scale.
 */
public final class AnomalyMap {
  private AnomalyMap() {}

  /**
   * The map of {@code chw} (a grid of {@code model}'s shape; not modified) at {@code imageHeight × imageWidth},
   * row-major, smoothed with {@code sigmaPx} in image pixels.
   */
  public static double[] of(PositionGaussians model, float[] chw, int imageHeight, int imageWidth, double sigmaPx) {
    double[] grid = model.mahalanobisMap(chw);
    double[] up = Bilinear.resize(grid, model.height(), model.width(), imageHeight, imageWidth);
    return GaussianSmoothing.smooth(up, imageHeight, imageWidth, sigmaPx);
  }
}
