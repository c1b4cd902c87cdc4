package org.maha.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class GaussianTest {
  @Test
  void identityCovarianceMahalanobisEqualsSqrtDTimesL2Rms() throws NotPositiveDefiniteException {
    int d = 9;
    Random random = new Random(21);
    double[] mean = randomVector(random, d);
    Gaussian g = Gaussian.of(mean, CommonOps_DDRM.identity(d));
    for (int trial = 0; trial < 20; trial++) {
      double[] x = randomVector(random, d);
      // rounding only: both are sqrt of the same sum of squares
      assertThat(g.mahalanobisDistance(x)).isCloseTo(Math.sqrt(d) * Distances.l2Rms(x, mean), within(1e-12));
    }
  }

  @Test
  void diagonalCovarianceMahalanobisEqualsSqrtDTimesSedRms() throws NotPositiveDefiniteException {
    int d = 9;
    Random random = new Random(22);
    double[] mean = randomVector(random, d);
    double[] std = new double[d];
    DMatrixRMaj cov = new DMatrixRMaj(d, d);
    for (int j = 0; j < d; j++) {
      std[j] = 0.1 + 3 * random.nextDouble();
      cov.set(j, j, std[j] * std[j]);
    }
    Gaussian g = Gaussian.of(mean, cov);
    for (int trial = 0; trial < 20; trial++) {
      double[] x = randomVector(random, d);
      double expected = Math.sqrt(d) * Distances.sedRms(x, mean, std);
      assertThat(g.mahalanobisDistance(x)).isCloseTo(expected, within(1e-12 * expected));
    }
  }

  @Test
  void fullCovarianceMatchesTheQuadraticFormWithAnInverse() throws NotPositiveDefiniteException {
    // Definition check: d² = (x − μ)ᵀ Σ⁻¹ (x − μ), with Σ = A Aᵀ + I, inverse by EJML (test only).
    int d = 6;
    Random random = new Random(23);
    DMatrixRMaj a = new DMatrixRMaj(d, d);
    for (int i = 0; i < d * d; i++) {
      a.data[i] = random.nextGaussian();
    }
    DMatrixRMaj cov = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(a, a, cov);
    CommonOps_DDRM.addEquals(cov, CommonOps_DDRM.identity(d));
    DMatrixRMaj inv = cov.copy();
    assertThat(CommonOps_DDRM.invert(inv)).isTrue();
    double[] mean = randomVector(random, d);
    Gaussian g = Gaussian.of(mean, cov);
    double[] x = randomVector(random, d);
    DMatrixRMaj z = new DMatrixRMaj(d, 1);
    for (int j = 0; j < d; j++) {
      z.data[j] = x[j] - mean[j];
    }
    DMatrixRMaj pz = new DMatrixRMaj(d, 1);
    CommonOps_DDRM.mult(inv, z, pz);
    double expected = CommonOps_DDRM.dot(z, pz);
    assertThat(g.squaredMahalanobis(x)).isCloseTo(expected, within(1e-10 * expected));
    assertThat(g.squaredMahalanobis(mean)).isZero();

    DMatrixRMaj l = g.choleskyLower();
    DMatrixRMaj llt = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(l, l, llt);
    assertThat(llt.data).containsExactly(cov.data, within(1e-12 * CommonOps_DDRM.elementMaxAbs(cov)));
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        assertThat(l.get(i, j)).isZero();
      }
    }
  }

  @Test
  void javaAndNativeCholeskyAgreeAtALargeDimension() throws NotPositiveDefiniteException {
    // d >= Blas.NATIVE_MIN_DIM: LAPACK dpotrf when a native LAPACK is loaded, EJML otherwise
    int d = 120;
    Random random = new Random(24);
    DMatrixRMaj a = new DMatrixRMaj(d, d);
    for (int i = 0; i < a.data.length; i++) {
      a.data[i] = random.nextGaussian();
    }
    DMatrixRMaj cov = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(a, a, cov);
    CommonOps_DDRM.addEquals(cov, CommonOps_DDRM.identity(d));
    double[] mean = randomVector(random, d);
    Gaussian java = Gaussian.of(mean, cov, Blas.JAVA);
    DMatrixRMaj llt = new DMatrixRMaj(d, d);
    CommonOps_DDRM.multTransB(java.choleskyLower(), java.choleskyLower(), llt);
    assertThat(llt.data).containsExactly(cov.data, within(1e-12 * CommonOps_DDRM.elementMaxAbs(cov)));
    DMatrixRMaj singular = cov.copy();
    for (int j = 0; j < d; j++) { // row and column 7 equal to row and column 3: rank d − 1
      singular.set(7, j, singular.get(3, j));
    }
    for (int j = 0; j < d; j++) {
      singular.set(j, 7, singular.get(7, j));
    }
    singular.set(7, 7, singular.get(3, 3));
    assertThatThrownBy(() -> Gaussian.of(mean, singular, Blas.JAVA)).isInstanceOf(NotPositiveDefiniteException.class);
    org.junit.jupiter.api.Assumptions.assumeTrue(Blas.NATIVE != null,
        "no native LAPACK loaded (" + Blas.description() + "): only the pure-Java Cholesky was tested");
    Gaussian nat = Gaussian.of(mean, cov, Blas.NATIVE);
    DMatrixRMaj l = nat.choleskyLower();
    assertThat(l.data).containsExactly(java.choleskyLower().data, within(1e-12 * CommonOps_DDRM.elementMaxAbs(l)));
    double[] x = randomVector(random, d);
    assertThat(nat.squaredMahalanobis(x)).isCloseTo(java.squaredMahalanobis(x),
        within(1e-10 * java.squaredMahalanobis(x)));
    assertThatThrownBy(() -> Gaussian.of(mean, singular, Blas.NATIVE))
        .isInstanceOf(NotPositiveDefiniteException.class);
  }

  @Test
  void nonPositiveDefiniteCovarianceIsRejected() {
    DMatrixRMaj indefinite = new DMatrixRMaj(new double[][] {{1, 2}, {2, 1}}); // eigenvalues 3 and −1
    assertThatThrownBy(() -> Gaussian.of(new double[2], indefinite))
        .isInstanceOf(NotPositiveDefiniteException.class).hasMessageContaining("not positive definite");
    assertThatThrownBy(() -> Gaussian.of(new double[2], new DMatrixRMaj(2, 2)))
        .isInstanceOf(NotPositiveDefiniteException.class);
    DMatrixRMaj negative = new DMatrixRMaj(new double[][] {{-1}});
    assertThatThrownBy(() -> Gaussian.of(new double[1], negative)).isInstanceOf(NotPositiveDefiniteException.class);
  }

  @Test
  void badShapesAsymmetryAndNonFiniteInputsAreRejected() throws NotPositiveDefiniteException {
    assertThatThrownBy(() -> Gaussian.of(new double[3], CommonOps_DDRM.identity(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x 3").hasMessageContaining("2 x 2");
    DMatrixRMaj asymmetric = new DMatrixRMaj(new double[][] {{2, 1}, {0, 2}});
    assertThatThrownBy(() -> Gaussian.of(new double[2], asymmetric))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not symmetric");
    Gaussian g = Gaussian.of(new double[2], CommonOps_DDRM.identity(2));
    assertThatThrownBy(() -> g.squaredMahalanobis(new double[] {0, Double.NaN}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1");
    assertThatThrownBy(() -> g.squaredMahalanobis(new double[3])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void conditionNumberBoundsAreConsistent() throws NotPositiveDefiniteException {
    Gaussian diag = Gaussian.of(new double[2], new DMatrixRMaj(new double[][] {{100, 0}, {0, 1}}));
    assertThat(diag.exactLogConditionNumber()).isCloseTo(Math.log(100), within(1e-12));
    assertThat(diag.logConditionNumber()).isCloseTo(Math.log(100), within(1e-12));
    // Strongly correlated: the Cholesky diagonal (1 and 0.14) would say cond 50; the eigenvalues say 199.
    Gaussian corr = Gaussian.of(new double[2], new DMatrixRMaj(new double[][] {{1, 0.99}, {0.99, 1}}));
    assertThat(corr.exactLogConditionNumber()).isCloseTo(Math.log(1.99 / 0.01), within(1e-9));
    assertThat(corr.logConditionNumber()).isCloseTo(Math.log(1.99 / 0.01), within(1e-9));
  }

  /**
   * The iterative estimate against the eigendecomposition on what models hold: Ledoit-Wolf-shrunk covariances of
   * features with a decaying spectrum, N &lt; D (a shrinkage floor of equal eigenvalues) and N &gt; D.
   */
  @Test
  void iterativeConditionNumberMatchesTheEigendecomposition() throws NotPositiveDefiniteException {
    Random random = new Random(11);
    for (int[] nd : new int[][] {{40, 120}, {400, 120}, {300, 300}}) {
      int n = nd[0];
      int d = nd[1];
      CovarianceAccumulator acc = new CovarianceAccumulator(d);
      for (int i = 0; i < n; i++) {
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
          x[j] = random.nextGaussian() / Math.sqrt(1 + j) + (j > 0 ? 0.3 * x[j - 1] : 0);
        }
        acc.add(x);
      }
      Gaussian g = Gaussian.of(acc.mean(), LedoitWolf.fit(acc).covariance());
      double exact = g.exactLogConditionNumber();
      assertThat(g.logConditionNumber()).as("N=%d D=%d", n, d).isCloseTo(exact, within(1e-3 * exact));
    }
  }

  @Test
  void accessorsReturnCopies() throws NotPositiveDefiniteException {
    double[] mean = {1, 2};
    DMatrixRMaj cov = CommonOps_DDRM.identity(2);
    Gaussian g = Gaussian.of(mean, cov);
    mean[0] = 99;
    cov.set(0, 0, 99);
    g.mean()[1] = 99;
    g.covariance().set(1, 1, 99);
    g.choleskyLower().set(1, 1, 99);
    assertThat(g.mean()).containsExactly(1, 2);
    assertThat(g.covariance().data).containsExactly(1, 0, 0, 1);
    assertThat(g.choleskyLower().data).containsExactly(1, 0, 0, 1);
    assertThat(g.dim()).isEqualTo(2);
  }

  private static double[] randomVector(Random random, int d) {
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = 2 * random.nextGaussian();
    }
    return v;
  }
}
