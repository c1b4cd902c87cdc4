package org.maha.data;

/**
 * SplitMix64 (Steele, Lea &amp; Flood 2014), written out so synthetic images are the same on every JVM: the JDK's
 * {@code SplittableRandom} algorithm is an implementation detail, this one is fixed here. Not thread-safe; each
 * image gets its own instance from {@link #mix}. Public so that other seeded choices (the channel subset of
 * {@code org.maha.maps.ChannelSubset}) follow the same fixed, documented generator.
 */
public final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  /** A generator whose first output is {@code mix(seed + GOLDEN_GAMMA)}. */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  /** The SplitMix64 finaliser: a bijective 64-bit hash with good avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Hash of several values, order-sensitive; used to derive independent seeds per category and image. */
  static long mix(long... values) {
    long h = 0x243f6a8885a308d3L;
    for (long v : values) {
      h = mix(h + GOLDEN_GAMMA + v);
    }
    return h;
  }

  /** The next output: state += 0x9e3779b97f4a7c15, then {@link #mix} of the state. */
  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  /** Uniform in [0, bound), bound ≥ 1 (modulo bias is below 2⁻³² for the small bounds used here). */
  public int nextInt(int bound) {
    if (bound < 1) {
      throw new IllegalArgumentException("bound must be >= 1, found " + bound);
    }
    return (int) ((nextLong() >>> 1) % bound);
  }

  /**
   * Approximately standard normal: the sum of four uniforms, centred and scaled to unit variance (Irwin–Hall).
   * Cheap and free of transcendental functions, which is all pixel noise needs.
   */
  double nextGaussianish() {
    double s = nextDouble() + nextDouble() + nextDouble() + nextDouble();
    return (s - 2.0) * 1.7320508075688772; // sqrt(12 / 4): the sum's variance is 4/12
  }
}
