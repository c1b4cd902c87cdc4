package org.maha.stats;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_MT_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * A multivariate Gaussian N(mean, covariance) held as its Cholesky factor L (covariance = L Lᵀ), so the
 * Mahalanobis distance of Rippel et al. (2020), sqrt((x − μ)ᵀ Σ⁻¹ (x − μ)), is one forward triangular solve
 * (‖L⁻¹(x − μ)‖) and never needs an explicit inverse. For a positive definite Σ this equals sklearn's
 * {@code sqrt(mahalanobis(x))} with its pinvh precision up to rounding. Immutable and thread-safe.
 */
public final class Gaussian {
  private static final int PARALLEL_DIM = 256;

  /** Allowed asymmetry |a_ij − a_ji| relative to the largest |a_ij|: rounding noise, not a wrong matrix. */
  static final double SYMMETRY_TOLERANCE = 1e-10;

  private final double[] mean;
  private final DMatrixRMaj covariance;
  private final DMatrixRMaj lower;

  private Gaussian(double[] mean, DMatrixRMaj covariance, DMatrixRMaj lower) {
    this.mean = mean;
    this.covariance = covariance;
    this.lower = lower;
  }

  /**
   * Factorises {@code covariance} (D × D, symmetric; not modified). Throws {@link NotPositiveDefiniteException}
   * if the Cholesky factorisation fails or yields a non-positive or non-finite diagonal.
   */
  public static Gaussian of(double[] mean, DMatrixRMaj covariance) throws NotPositiveDefiniteException {
    int d = mean.length;
    if (d < 1) {
      throw new IllegalArgumentException("mean must have at least 1 element, found 0");
    }
    if (covariance.numRows != d || covariance.numCols != d) {
      throw new IllegalArgumentException("covariance must be " + d + " x " + d + " to match the mean, found "
          + covariance.numRows + " x " + covariance.numCols);
    }
    for (int j = 0; j < d; j++) {
      if (!Double.isFinite(mean[j])) {
        throw new IllegalArgumentException("mean value at index " + j + " is not finite: " + mean[j]);
      }
    }
    double maxAbs = 0;
    for (double v : covariance.data) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("covariance contains a non-finite value: " + v);
      }
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        double diff = Math.abs(covariance.get(i, j) - covariance.get(j, i));
        if (diff > SYMMETRY_TOLERANCE * maxAbs) {
          throw new IllegalArgumentException("covariance is not symmetric: entries (" + i + "," + j + ") and (" + j
              + "," + i + ") differ by " + diff);
        }
      }
    }
    // large factorisations use EJML's multi-threaded block Cholesky (1.7x on 2 cores at d = 1792)
    CholeskyDecomposition_F64<DMatrixRMaj> chol = d >= PARALLEL_DIM
        ? DecompositionFactory_MT_DDRM.chol(d, true)
        : DecompositionFactory_DDRM.chol(d, true);
    DMatrixRMaj work = covariance.copy();
    if (!chol.decompose(work)) {
      throw new NotPositiveDefiniteException("covariance (" + d + " x " + d + ") is not positive definite:"
          + " Cholesky factorisation failed");
    }
    DMatrixRMaj lower = chol.getT(null);
    for (int i = 0; i < d; i++) {
      double lii = lower.get(i, i);
      if (!(lii > 0) || !Double.isFinite(lii)) {
        throw new NotPositiveDefiniteException("covariance (" + d + " x " + d + ") is not positive definite:"
            + " Cholesky diagonal " + i + " is " + lii);
      }
    }
    return new Gaussian(mean.clone(), covariance.copy(), lower);
  }

  /** The same as {@code of(fit.mean(), fit.covariance())}. */
  public static Gaussian of(ShrunkCovariance fit) throws NotPositiveDefiniteException {
    return of(fit.mean(), fit.covariance());
  }

  public double[] mean() {
    return mean.clone();
  }

  public DMatrixRMaj covariance() {
    return covariance.copy();
  }

  /** A copy of the lower-triangular L with covariance = L Lᵀ (zeros above the diagonal). */
  public DMatrixRMaj choleskyLower() {
    return lower.copy();
  }

  public int dim() {
    return mean.length;
  }

  /** (x − μ)ᵀ Σ⁻¹ (x − μ) by a forward solve L y = x − μ, then ‖y‖². {@code x} is not modified; must be finite. */
  public double squaredMahalanobis(double[] x) {
    int d = mean.length;
    if (x.length != d) {
      throw new IllegalArgumentException("expected a vector of length " + d + ", found " + x.length);
    }
    double[] y = new double[d];
    for (int j = 0; j < d; j++) {
      if (!Double.isFinite(x[j])) {
        throw new IllegalArgumentException("value at index " + j + " is not finite: " + x[j]);
      }
      y[j] = x[j] - mean[j];
    }
    TriangularSolver_DDRM.solveL(lower.data, y, d);
    double sum = 0;
    for (double v : y) {
      sum += v * v;
    }
    return sum;
  }

  /** The unsquared Mahalanobis distance sqrt(max(0, squared)), the per-level score of Rippel et al. */
  public double mahalanobisDistance(double[] x) {
    return Math.sqrt(Math.max(0.0, squaredMahalanobis(x)));
  }

  /**
   * A cheap lower bound on ln cond(Σ) from the Cholesky diagonal: 2·ln(max L_ii / min L_ii). The true condition
   * number λ_max/λ_min is at least this large (L_ii² lies between λ_min and λ_max); use
   * {@link #exactLogConditionNumber()} when the exact value is needed.
   */
  public double logConditionNumber() {
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < mean.length; i++) {
      double lii = lower.get(i, i);
      max = Math.max(max, lii);
      min = Math.min(min, lii);
    }
    return 2.0 * Math.log(max / min);
  }

  /**
   * ln(λ_max/λ_min) of Σ from a symmetric eigendecomposition (eigenvalues only, float64): O(D³), about 4/3 D³
   * flops (a few seconds at D = 1792), so for diagnostics such as the model manifest (e.g. to spot the float32
   * pinvh cut-off cond ≈ 8.4e3 of the official code, PAPER.md §1.6).
   */
  public double exactLogConditionNumber() {
    int d = mean.length;
    EigenDecomposition_F64<DMatrixRMaj> eig = d >= PARALLEL_DIM
        ? DecompositionFactory_MT_DDRM.eig(d, false, true)
        : DecompositionFactory_DDRM.eig(d, false, true);
    if (!eig.decompose(covariance.copy())) {
      throw new IllegalStateException("symmetric eigendecomposition of the " + d + " x " + d + " covariance failed");
    }
    double max = 0;
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < d; i++) {
      double lambda = eig.getEigenvalue(i).real;
      max = Math.max(max, lambda);
      min = Math.min(min, lambda);
    }
    return Math.log(max / min);
  }
}
