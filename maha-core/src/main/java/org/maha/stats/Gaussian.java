package org.maha.stats;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_MT_DDRM;
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
    return of(mean, covariance, null);
  }

  /** {@link #of(double[], DMatrixRMaj)} on the given kernels (null: {@link Blas#forDim}); for tests. */
  static Gaussian of(double[] mean, DMatrixRMaj covariance, Blas kernels) throws NotPositiveDefiniteException {
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
    double[] c = covariance.data;
    final int tile = 64; // compares a_ij with a_ji tile by tile: a column walk of a large matrix misses the cache
    for (int ib = 0; ib < d; ib += tile) {
      for (int jb = ib; jb < d; jb += tile) {
        for (int i = ib; i < Math.min(ib + tile, d); i++) {
          for (int j = Math.max(jb, i + 1); j < Math.min(jb + tile, d); j++) {
            double diff = Math.abs(c[i * d + j] - c[j * d + i]);
            if (diff > SYMMETRY_TOLERANCE * maxAbs) {
              throw new IllegalArgumentException("covariance is not symmetric: entries (" + i + "," + j + ") and ("
                  + j + "," + i + ") differ by " + diff);
            }
          }
        }
      }
    }
    // LAPACK dpotrf on the native library when present (large d), else EJML's (multi-threaded) block Cholesky
    DMatrixRMaj lower = (kernels != null ? kernels : Blas.forDim(d)).choleskyLower(covariance);
    if (lower == null) {
      throw new NotPositiveDefiniteException("covariance (" + d + " x " + d + ") is not positive definite:"
          + " Cholesky factorisation failed");
    }
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

  /** Lanczos steps of {@link #logConditionNumber()} for each end of the spectrum: its cost is that many D² passes. */
  static final int LANCZOS_STEPS = 30;

  /**
   * ln(λ_max/λ_min) of Σ, for the model manifest: λ_max from a Lanczos run on Σ and λ_min from one on Σ⁻¹, applied
   * through the Cholesky factor (two triangular solves, never an inverse); {@value #LANCZOS_STEPS} steps with full
   * reorthogonalisation each. The extreme Ritz values of Lanczos converge fastest of all (and inverting turns the
   * small eigenvalues, crowded near the shrinkage floor, into well separated large ones), so this agrees with the
   * exact eigendecomposition ({@link #exactLogConditionNumber()}, several seconds at D = 1792) to about 1e-6 relative
   * on model covariances, at O(D²) per step.
   */
  public double logConditionNumber() {
    int d = mean.length;
    double max = largestRitzValue(d, v -> multiply(covariance.data, v));
    DMatrixRMaj upper = new DMatrixRMaj(d, d);
    CommonOps_DDRM.transpose(lower, upper); // row-major Lᵀ: the back substitution reads rows, not columns
    double maxOfInverse = largestRitzValue(d, v -> {
      double[] y = v.clone();
      TriangularSolver_DDRM.solveL(lower.data, y, d);
      TriangularSolver_DDRM.solveU(upper.data, y, d);
      return y;
    });
    return Math.log(max * maxOfInverse);
  }

  /** Largest eigenvalue of a symmetric positive definite operator: Lanczos from a fixed start vector. */
  private static double largestRitzValue(int d, java.util.function.UnaryOperator<double[]> apply) {
    int steps = Math.min(d, LANCZOS_STEPS);
    double[][] basis = new double[steps][];
    double[] alpha = new double[steps];
    double[] beta = new double[steps];
    double[] v = new double[d];
    java.util.Random start = new java.util.Random(0x6d616861L); // fixed: the manifest is reproducible
    for (int i = 0; i < d; i++) {
      v[i] = 1 + 0.5 * start.nextDouble(); // positive weights: no realistic eigenvector is orthogonal to it
    }
    scale(v, 1 / norm(v));
    int k = 0;
    while (k < steps) {
      basis[k] = v;
      double[] w = apply.apply(v);
      alpha[k] = dot(v, w);
      for (int pass = 0; pass < 2; pass++) { // full reorthogonalisation, twice is enough
        for (int j = 0; j <= k; j++) {
          double c = dot(basis[j], w);
          for (int i = 0; i < d; i++) {
            w[i] -= c * basis[j][i];
          }
        }
      }
      double b = norm(w);
      k++;
      if (k == steps || !(b > 1e-12 * Math.abs(alpha[k - 1]))) {
        break; // an invariant subspace: its Ritz values are exact
      }
      beta[k - 1] = b;
      scale(w, 1 / b);
      v = w;
    }
    DMatrixRMaj t = new DMatrixRMaj(k, k);
    for (int i = 0; i < k; i++) {
      t.set(i, i, alpha[i]);
      if (i + 1 < k) {
        t.set(i, i + 1, beta[i]);
        t.set(i + 1, i, beta[i]);
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, false, true);
    if (!eig.decompose(t)) {
      throw new IllegalStateException("eigenvalues of the " + k + " x " + k + " Lanczos matrix did not converge");
    }
    double max = 0;
    for (int i = 0; i < k; i++) {
      max = Math.max(max, eig.getEigenvalue(i).real);
    }
    return max;
  }

  private static double[] multiply(double[] a, double[] v) {
    int d = v.length;
    double[] out = new double[d];
    for (int i = 0; i < d; i++) {
      double s = 0;
      int row = i * d;
      for (int j = 0; j < d; j++) {
        s += a[row + j] * v[j];
      }
      out[i] = s;
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static void scale(double[] a, double f) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= f;
    }
  }

  /**
   * ln(λ_max/λ_min) of Σ from a symmetric eigendecomposition (eigenvalues only, float64): O(D³), about 4/3 D³
   * flops (several seconds at D = 1792): the reference that {@link #logConditionNumber()} is tested against.
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
