package org.maha.serve;

/** The service cannot start or cannot install a model: the message names the file or option and the problem. */
public final class ServeException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal with its message.
   *
   * @param message what and why, naming the file or option
   */
  public ServeException(String message) {
    super(message);
  }
}
