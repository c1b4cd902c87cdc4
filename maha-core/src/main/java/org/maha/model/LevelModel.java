package org.maha.model;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.maha.stats.ChiSquare;
import org.maha.stats.Distances;
import org.maha.stats.Gaussian;
import org.maha.stats.Pca;

/**
 * What was learned for one level: maps a pooled feature vector to a distance. One record per variant, so no
 * field is meaningless for a given kind (STYLE §3). All records are immutable; arrays are copied in and out.
 */
public sealed interface LevelModel {

  /** The distance of {@code features} (length {@link #inputDim()}) from normal data at this level. */
  double distance(double[] features);

  /** Length of the pooled feature vector this level expects. */
  int inputDim();

  /**
   * Degrees of freedom of the χ² distribution the squared distance of a normal image follows if its features
   * are Gaussian: the dimension the Gaussian lives in (all features for MVG, the kept components for PCA/NPCA);
   * 0 where the distance is not a Mahalanobis distance (L2, SED).
   */
  default int chiSquareDof() {
    return 0;
  }

  /**
   * Threshold at {@code sigma} from the χ² assumption with {@link #chiSquareDof()} degrees of freedom (PAPER
   * §2.5), or NaN where the distance is not a Mahalanobis distance (L2, SED).
   */
  default double chiSquareThreshold(double sigma) {
    int k = chiSquareDof();
    return k > 0 ? ChiSquare.thresholdDistance(k, sigma) : Double.NaN;
  }

  /** The paper's Gaussian: Ledoit-Wolf covariance, Mahalanobis distance by Cholesky solve. */
  record Mvg(Gaussian gaussian, double shrinkage, long n) implements LevelModel {
    @Override
    public double distance(double[] features) {
      return gaussian.mahalanobisDistance(features);
    }

    @Override
    public int inputDim() {
      return gaussian.dim();
    }

    @Override
    public int chiSquareDof() {
      return gaussian.dim();
    }
  }

  /** RMS distance to the training mean. */
  record L2(double[] mean, long n) implements LevelModel {
    public L2 {
      mean = mean.clone();
    }

    @Override
    public double[] mean() {
      return mean.clone();
    }

    @Override
    public double distance(double[] features) {
      return Distances.l2Rms(features, mean);
    }

    @Override
    public int inputDim() {
      return mean.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof L2 l && n == l.n && Arrays.equals(mean, l.mean);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(mean);
    }

    @Override
    public String toString() {
      return "L2[d=" + mean.length + ", n=" + n + "]";
    }
  }

  /**
   * RMS standardised distance (diagonal Gaussian, unbiased std). Features with zero training variance are left
   * out, and the mean runs over the features kept (the official code divides by zero there).
   */
  record Sed(double[] mean, double[] std, long n) implements LevelModel {
    public Sed {
      if (mean.length != std.length) {
        throw new IllegalArgumentException("mean has " + mean.length + " values, std " + std.length);
      }
      mean = mean.clone();
      std = std.clone();
    }

    @Override
    public double[] mean() {
      return mean.clone();
    }

    @Override
    public double[] std() {
      return std.clone();
    }

    /** How many features have zero variance on the training set and are ignored. */
    public int constantFeatures() {
      int c = 0;
      for (double s : std) {
        if (s == 0) {
          c++;
        }
      }
      return c;
    }

    @Override
    public double distance(double[] features) {
      return Distances.sedRms(features, mean, std);
    }

    @Override
    public int inputDim() {
      return mean.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sed s && n == s.n && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
      return "Sed[d=" + mean.length + ", n=" + n + "]";
    }
  }

  /**
   * A level of the official PCA/NPCA slice ({@code npca-official:T}) whose kept principal components all have zero
   * variance on the training images (e.g. c = 0 keeps only the last component, a dead channel). The official code
   * fits Ledoit-Wolf to those constant projections (covariance 0) and takes its {@code pinvh}, which inverts no
   * eigenvalue: the precision is 0, so the distance is 0 for every image and the level adds nothing to the
   * combined score. maha's rule never produces it.
   *
   * @param inputDim length of the pooled feature vector
   * @param n        training vectors
   */
  record Zero(int inputDim, long n) implements LevelModel {
    @Override
    public double distance(double[] features) {
      if (features.length != inputDim) {
        throw new IllegalArgumentException("expected " + inputDim + " features, got " + features.length);
      }
      return 0;
    }
  }

  /**
   * A Gaussian in a PCA subspace (PAPER §2.3): features are centred with the PCA mean, projected on the kept
   * components (rows of {@code components}, k × D), then scored by {@code inner}.
   *
   * @param firstComponent index of the first kept component in the full decreasing-variance order
   * @param totalComponents min(N, D): how many components the PCA had
   */
  record Projected(double[] pcaMean, DMatrixRMaj components, int firstComponent, int totalComponents, Mvg inner)
      implements LevelModel {
    public Projected {
      if (components.numCols != pcaMean.length || components.numRows != inner.inputDim()) {
        throw new IllegalArgumentException("components " + components.numRows + "x" + components.numCols
            + " do not fit mean " + pcaMean.length + " and inner dim " + inner.inputDim());
      }
      pcaMean = pcaMean.clone();
      components = components.copy();
    }

    @Override
    public double[] pcaMean() {
      return pcaMean.clone();
    }

    @Override
    public DMatrixRMaj components() {
      return components.copy();
    }

    @Override
    public double distance(double[] features) {
      return inner.distance(Pca.project(features, pcaMean, components, 0, components.numRows));
    }

    @Override
    public int inputDim() {
      return pcaMean.length;
    }

    @Override
    public int chiSquareDof() {
      return inner.chiSquareDof();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Projected p
          && Arrays.equals(pcaMean, p.pcaMean)
          && org.ejml.dense.row.MatrixFeatures_DDRM.isIdentical(components, p.components, 0)
          && firstComponent == p.firstComponent
          && totalComponents == p.totalComponents
          && inner.equals(p.inner);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(pcaMean) * 31 + firstComponent;
    }

    @Override
    public String toString() {
      return "Projected[d=" + pcaMean.length + ", kept " + components.numRows + " of " + totalComponents
          + " from " + firstComponent + "]";
    }
  }
}
