package org.maha.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Bad user input about folders or data-set layout (missing folder, no images, not an MVTec layout). The
 * message starts with the offending path so a CLI can show it as is.
 */
public final class DataException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Kept as a string: {@link Path} is not serializable. */
  private final String path;

  /** {@code problem} says what was expected and what was found; the message is {@code "<path>: <problem>"}. */
  public DataException(Path path, String problem) {
    super(Objects.requireNonNull(path, "path") + ": " + problem);
    this.path = path.toString();
  }

  /** Same, keeping the I/O error that revealed the problem. */
  public DataException(Path path, String problem, Throwable cause) {
    super(Objects.requireNonNull(path, "path") + ": " + problem, cause);
    this.path = path.toString();
  }

  /** The folder or file the problem is about. */
  public Path path() {
    return Path.of(path);
  }
}
