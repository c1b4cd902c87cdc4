/**
 * Internal to maha (the public API is {@code org.maha.api}): may change in any release.
 *
 * <p>Float64 statistics of pooled feature vectors: streaming mean and scatter ({@link
 * org.maha.stats.CovarianceAccumulator}), the Ledoit–Wolf shrunk covariance of scikit-learn ({@link
 * org.maha.stats.LedoitWolf}), the Gaussian and its Mahalanobis distance ({@link org.maha.stats.Gaussian}), the
 * L2/SED baselines ({@link org.maha.stats.Distances}), PCA/NPCA component selection ({@link org.maha.stats.Pca}) and
 * the χ² false-positive thresholds ({@link org.maha.stats.ChiSquare}) of Rippel, Mertens &amp; Merhof (2020),
 * "Modeling the Distribution of Normal Data in Pre-Trained Deep Features for Anomaly Detection".
 *
 * <p>Every result is checked against scikit-learn / SciPy fixtures written by
 * {@code src/test/resources/org/maha/stats/make_fixtures.py}. Classes here are immutable except the accumulator,
 * which is mutable and single-threaded. Numerical failure is reported, never hidden: a covariance that is not
 * positive definite raises {@link org.maha.stats.NotPositiveDefiniteException}, non-finite inputs raise
 * {@link java.lang.IllegalArgumentException}. Depends on EJML and Hipparchus only.
 */
package org.maha.stats;
