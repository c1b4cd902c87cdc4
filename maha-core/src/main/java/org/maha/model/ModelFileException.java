package org.maha.model;

/** A model file that cannot be used: missing, truncated, edited, from a newer maha, or for another backbone. */
public final class ModelFileException extends Exception {
  public ModelFileException(String message) {
    super(message);
  }

  public ModelFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
