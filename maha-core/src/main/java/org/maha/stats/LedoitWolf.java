package org.maha.stats;

import org.ejml.data.DMatrixRMaj;

/**
 * The Ledoit–Wolf shrunk covariance (Ledoit &amp; Wolf 2004, "A well-conditioned estimator for large-dimensional
 * covariance matrices"), computed exactly as {@code sklearn.covariance.LedoitWolf().fit(X)} with
 * {@code assume_centered=False} (scikit-learn 1.2 {@code ledoit_wolf_shrinkage}), in float64. Rippel et al. need
 * it because N (48–313 images per fold) is below D (up to 2560), so the sample covariance is singular.
 *
 * <p>With Z the centred rows (n × p), S = ZᵀZ/n, m = tr(S)/p, β̂ = Σ‖z_i‖⁴, δ̂ = ‖ZᵀZ‖²_F / n²:
 * β = (β̂/n − δ̂)/(p n), δ = (δ̂ − 2 m tr(S) + p m²)/p, β ← min(β, δ), shrinkage = 0 if β == 0 else β/δ,
 * Σ_LW = (1 − shrinkage) S + shrinkage·m·I. Special cases as in sklearn: p == 1 gives shrinkage 0 (Σ = S); n == 1
 * gives S = 0, β = 0 and so shrinkage 0 (Σ = 0, not invertible). Like sklearn, β is not clamped at 0: for
 * (near-)degenerate data such as n == 2 it is a rounding residue and the shrinkage can be a tiny number of either
 * sign. One deliberate difference: when δ == 0 (S = m·I exactly, so every shrinkage gives the same Σ) the
 * shrinkage is 0, where sklearn would divide 0 by 0.
 */
public final class LedoitWolf {
  private LedoitWolf() {}

  /** The Ledoit–Wolf fit of the rows in {@code acc} (not modified; needs at least one row). */
  public static ShrunkCovariance fit(CovarianceAccumulator acc) {
    if (acc.count() < 1) {
      throw new IllegalArgumentException("Ledoit-Wolf needs at least 1 row, the accumulator has 0");
    }
    return fit(acc.statistics());
  }

  /**
   * The Ledoit–Wolf fit of the rows behind {@code stats}: n, T and q are all the estimate needs, so a fit from
   * merged statistics is the fit of the union of their rows.
   */
  public static ShrunkCovariance fit(ScatterStatistics stats) {
    long n = stats.n();
    int p = stats.dim();
    DMatrixRMaj cov = stats.scatter();
    double[] t = cov.data;
    double traceT = 0;
    for (int i = 0; i < p; i++) {
      traceT += t[i * p + i];
    }
    double nd = n;
    // sklearn: emp_cov_trace = sum(X**2, axis=0) / n; mu = sum(emp_cov_trace) / p
    double traceS = traceT / nd;
    double mu = traceS / p;
    double shrinkage = 0.0;
    if (p > 1) {
      double sumSquares = 0;
      for (double v : t) {
        sumSquares += v * v;
      }
      double deltaHat = sumSquares / (nd * nd);
      double betaHat = stats.q();
      double beta = 1.0 / (p * nd) * (betaHat / nd - deltaHat);
      double delta = (deltaHat - 2.0 * mu * traceS + p * mu * mu) / p;
      beta = Math.min(beta, delta);
      // delta == 0 means S = m·I exactly, where every shrinkage gives the same Σ; sklearn would return NaN here.
      shrinkage = beta == 0 || delta == 0 ? 0.0 : beta / delta;
    }
    for (int i = 0; i < t.length; i++) {
      t[i] = (1.0 - shrinkage) * (t[i] / nd);
    }
    for (int i = 0; i < p; i++) {
      t[i * p + i] += shrinkage * mu;
    }
    return new ShrunkCovariance(stats.mean(), cov, shrinkage, mu, n);
  }

  /** The Ledoit–Wolf fit of {@code rows} (n ≥ 1 rows of equal length, finite values; not modified). */
  public static ShrunkCovariance fit(double[][] rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("Ledoit-Wolf needs at least 1 row, found 0");
    }
    CovarianceAccumulator acc = new CovarianceAccumulator(rows[0].length);
    for (double[] row : rows) {
      acc.add(row);
    }
    return fit(acc);
  }
}
