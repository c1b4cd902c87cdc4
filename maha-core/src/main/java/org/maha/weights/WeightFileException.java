package org.maha.weights;

/**
 * A weight file that cannot be read: unknown format, truncated, corrupt, or refused for safety (a pickle global
 * outside the allow-list, sizes larger than the file could hold). The message starts with the file name.
 */
public final class WeightFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public WeightFileException(String message) {
    super(message);
  }

  public WeightFileException(String message, Throwable cause) {
    super(message, cause);
  }

  static WeightFileException of(String source, String problem) {
    return new WeightFileException(source + ": " + problem);
  }
}
