package org.maha.pipeline;

import java.nio.file.Path;

/**
 * Bad user input tied to one file: the message is a single line that starts with the file, e.g.
 * {@code train/017.png: not a PNG, JPEG, BMP or TIFF image (starts 3C 68 74 6D)}.
 */
public final class InputException extends Exception {
  private final transient Path path;
  private final String problem;

  public InputException(Path path, String problem) {
    super(path + ": " + problem);
    this.path = path;
    this.problem = problem;
  }

  /** The problem without the file name. */
  public String problem() {
    return problem;
  }

  public Path path() {
    return path;
  }
}
