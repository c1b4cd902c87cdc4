package org.maha.pipeline;

/**
 * Receives progress of long work. The library never prints (STYLE habit 11); the CLI turns these calls into
 * images/s and ETA on stderr. Called from the thread doing the work.
 */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (task, done, total) -> {};

  /**
   * @param task what is being done, e.g. "bottle: train features"
   * @param done units finished so far
   * @param total units expected (0 if unknown)
   */
  void progress(String task, long done, long total);
}
