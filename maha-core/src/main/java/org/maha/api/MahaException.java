package org.maha.api;

/**
 * Why maha could not do what was asked with the given inputs: an unreadable or refused image, a model file that is
 * corrupt or was fitted with another backbone, a backbone that cannot be opened or built, too few training images.
 * One checked type, so callers handle bad input in one place; the message names the file, frame or option and the
 * problem, and the internal cause is kept for diagnosis. Programming errors (a closed detector, an invalid option
 * value) are unchecked {@link IllegalStateException}s and {@link IllegalArgumentException}s instead.
 */
public final class MahaException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Wraps {@code cause}, keeping its message, which already names what failed.
   *
   * @param message what failed and why
   * @param cause the internal exception, or {@code null}
   */
  public MahaException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Turns any failure of the internals into the API's exceptions: unchecked ones pass through unchanged. */
  static MahaException wrap(Exception e) {
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof MahaException m) {
      return m;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new MahaException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
  }
}
