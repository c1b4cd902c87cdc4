package org.maha.arch;

import org.maha.backbone.Backbone;

/** The one timing loop of the opt-in backbone benchmarks: images/s of {@code extract} over a wall-clock budget. */
final class BenchTiming {
  private BenchTiming() {}

  /**
   * Runs {@code warmup} untimed calls, then calls {@code extract(x, batch)} until {@code seconds} have passed and at
   * least {@code minRuns} calls were made.
   *
   * @return {images, seconds} of the timed calls
   */
  static double[] run(Backbone b, float[] x, int batch, int warmup, double seconds, int minRuns) throws Exception {
    for (int i = 0; i < warmup; i++) {
      b.extract(x, batch);
    }
    int runs = 0;
    long start = System.nanoTime();
    double elapsed;
    do {
      b.extract(x, batch);
      runs++;
      elapsed = (System.nanoTime() - start) / 1e9;
    } while (elapsed < seconds || runs < minRuns);
    return new double[] {(double) runs * batch, elapsed};
  }

  /** Images/s of {@link #run} with 3 warm-up calls and at least 5 timed ones. */
  static double imagesPerSecond(Backbone b, float[] x, int batch, double seconds) throws Exception {
    double[] r = run(b, x, batch, 3, seconds, 5);
    return r[0] / r[1];
  }
}
