package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * A Ledoit–Wolf fit: the sample mean, Σ_LW = (1 − shrinkage)·S + shrinkage·traceMean·I, the shrinkage in [0, 1],
 * traceMean = tr(S)/p (sklearn's {@code mu}) and the number of rows n. S is the biased sample covariance (÷ n).
 * Arrays are copied on the way in and out, so instances are immutable.
 */
public record ShrunkCovariance(double[] mean, DMatrixRMaj covariance, double shrinkage, double traceMean, long n) {
  public ShrunkCovariance {
    if (covariance.numRows != mean.length || covariance.numCols != mean.length) {
      throw new IllegalArgumentException("covariance must be " + mean.length + " x " + mean.length + " to match the mean, found "
          + covariance.numRows + " x " + covariance.numCols);
    }
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, found " + n);
    }
    mean = mean.clone();
    covariance = covariance.copy();
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public DMatrixRMaj covariance() {
    return covariance.copy();
  }

  /** The dimension p. */
  public int dim() {
    return mean.length;
  }
}
