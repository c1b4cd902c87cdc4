package org.maha.zoo;

/**
 * A named backbone cannot be built: its family has no graph builder in this build, the weights do not describe
 * the architecture, a random initialisation is asked for a family that has none, or the graph cache cannot be
 * written. The message names the backbone (and the file or folder) and the problem.
 */
public final class ZooException extends Exception {
  private static final long serialVersionUID = 1L;

  public ZooException(String message) {
    super(message);
  }

  public ZooException(String message, Throwable cause) {
    super(message, cause);
  }
}
