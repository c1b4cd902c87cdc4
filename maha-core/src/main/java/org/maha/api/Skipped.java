package org.maha.api;

import java.util.Objects;

/**
 * An image left out of a call because it could not be read, when its {@link Images} were given with
 * {@link Images#skippingUnreadable()}: a run over thousands of files from a line camera should not stop at one
 * truncated file, but it must say which files it did not use.
 *
 * @param name the image's name: the file path as given, or {@code frame-<i>} for the i-th frame in memory
 * @param reason why it could not be read, e.g. {@code "not a PNG, JPEG, BMP or TIFF file"}
 */
public record Skipped(String name, String reason) {

  /**
   * Checks that both parts are given.
   *
   * @param name the image's name
   * @param reason why it was left out
   * @throws NullPointerException when either is null
   */
  public Skipped {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(reason, "reason");
  }

  static java.util.List<Skipped> of(java.util.List<org.maha.pipeline.Skipped> internal) {
    return internal.stream().map(s -> new Skipped(s.path().toString(), s.reason())).toList();
  }
}
