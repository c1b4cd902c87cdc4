package org.maha.stats;

/**
 * A covariance matrix that should be positive definite is not (its Cholesky factorisation failed), e.g. a
 * Ledoit–Wolf fit of a single row or of data with zero shrinkage and fewer rows than features. Checked, because a
 * caller fitting many levels must decide what to report instead of producing NaN scores.
 */
public final class NotPositiveDefiniteException extends Exception {
  private static final long serialVersionUID = 1L;

  public NotPositiveDefiniteException(String message) {
    super(message);
  }
}
