package org.maha.api;

/**
 * Receives progress of long work (fitting on thousands of images, building a named backbone), because maha never
 * prints: the application decides whether to show a bar, log or ignore it. Called from the thread that called
 * the detector; keep it fast.
 */
@FunctionalInterface
public interface Progress {
  /** Ignores progress; the default. */
  Progress NONE = (task, done, total) -> { };

  /**
   * Reports that {@code done} of {@code total} units of {@code task} are finished.
   *
   * @param task what is being done, e.g. {@code "fit: features"}
   * @param done units finished so far
   * @param total units expected (0 if unknown)
   */
  void progress(String task, long done, long total);
}
