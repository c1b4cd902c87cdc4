package org.maha.arch;

/**
 * A weight set (state dict) that does not describe the architecture asked for: a missing or unexpected key, a
 * tensor of the wrong shape. The message starts with the weights' source (usually the file) and names the key.
 */
public final class ArchitectureException extends Exception {
  private static final long serialVersionUID = 1L;

  public ArchitectureException(String message) {
    super(message);
  }

  public ArchitectureException(String message, Throwable cause) {
    super(message, cause);
  }
}
