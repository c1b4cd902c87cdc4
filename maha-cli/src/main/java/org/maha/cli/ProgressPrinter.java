package org.maha.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.maha.pipeline.ProgressListener;

/**
 * Shows progress on stderr: a live line with images/s and ETA on a terminal, a plain line every few
 * seconds otherwise (logs), and nothing with {@code --quiet}.
 */
final class ProgressPrinter implements ProgressListener {
  private static final long PLAIN_INTERVAL_NS = 5_000_000_000L;
  private final PrintWriter err;
  private final boolean terminal;
  private final boolean quiet;
  private String task = "";
  private long start;
  private long lastPrint;

  ProgressPrinter(PrintWriter err, boolean quiet) {
    this.err = err;
    this.terminal = System.console() != null;
    this.quiet = quiet;
  }

  @Override
  public void progress(String task, long done, long total) {
    if (quiet) {
      return;
    }
    long now = System.nanoTime();
    if (!task.equals(this.task) || done == 0) {
      this.task = task;
      start = now;
      lastPrint = now;
      return;
    }
    boolean finished = total > 0 && done >= total;
    if (!finished && now - lastPrint < (terminal ? 200_000_000L : PLAIN_INTERVAL_NS)) {
      return;
    }
    lastPrint = now;
    double sec = (now - start) / 1e9;
    double rate = sec > 0 ? done / sec : 0;
    String eta = total > 0 && rate > 0 ? String.format(Locale.ROOT, "ETA %.0fs", (total - done) / rate) : "";
    String line = String.format(Locale.ROOT, "%s: %d/%d images, %.1f images/s%s", task, done, total, rate,
        finished ? String.format(Locale.ROOT, ", %.1fs", sec) : ", " + eta);
    if (terminal) {
      err.print("\r\033[K" + line + (finished ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }
}
