package org.maha.api;

import org.maha.image.ImageMemoryException;

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

  /**
   * Whether the input was refused for lack of memory, not for being bad: a valid image whose decoded pixels this
   * JVM's heap cannot hold now. Not the sender's fault: a service answers "retry later" (or the user gives Java
   * more memory, or lowers the pixel limit) rather than "bad image". Such images are never skipped as unreadable.
   *
   * @return true when the cause is a lack of heap
   */
  public boolean isInsufficientMemory() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof ImageMemoryException || t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  /**
   * Turns any failure of the internals into the API's exceptions: unchecked ones pass through unchanged, except a
   * lack of heap for an image, which is about the input and so a {@link MahaException} ({@link #isInsufficientMemory}).
   */
  static MahaException wrap(Exception e) {
    if (e instanceof ImageMemoryException) {
      return new MahaException(e.getMessage(), e);
    }
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
