package org.maha.data;

/**
 * The 32-bit Mersenne Twister (Matsumoto &amp; Nishimura 1998) exactly as numpy's legacy {@code RandomState(seed)}
 * runs it for an integer seed: {@code _legacy_seeding} calls {@code mt19937_seed(state, seed)}, which is the
 * reference {@code init_genrand}. Only what {@link KFold} needs: raw draws and numpy's bounded integers for
 * {@code shuffle}. Not thread-safe; each caller owns its instance.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] mt = new int[N];
  private int pos;

  /**
   * @param seed 0 ≤ seed ≤ 2³²−1, the range numpy accepts ({@code "Seed must be between 0 and 2**32 - 1"})
   */
  Mt19937(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("seed must be between 0 and 2^32-1 (as in numpy), found " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      // Unsigned 32-bit arithmetic: int overflow wraps exactly like C's uint32 & 0xffffffff.
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    pos = N;
  }

  /** The next raw 32-bit output, as an unsigned value in [0, 2³²). */
  long nextUint32() {
    if (pos >= N) {
      regenerate();
    }
    int y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  /**
   * A uniform integer in [0, max], numpy's {@code random_interval}: draw 32 bits, mask them to the smallest
   * all-ones mask ≥ max and reject values above max (so the number of draws consumed matches numpy).
   *
   * @param max 0 ≤ max ≤ 2³²−1; numpy's 64-bit path for larger bounds is not needed here
   */
  long interval(long max) {
    if (max < 0 || max > 0xffffffffL) {
      throw new IllegalArgumentException("max must be in [0, 2^32-1], found " + max);
    }
    if (max == 0) {
      return 0;
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    do {
      value = nextUint32() & mask;
    } while (value > max);
    return value;
  }

  /** numpy's legacy {@code RandomState.shuffle} of a 1-d array: Fisher–Yates from the end. Modifies {@code a}. */
  void shuffleInPlace(int[] a) {
    for (int i = a.length - 1; i >= 1; i--) {
      int j = (int) interval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private void regenerate() {
    int k = 0;
    for (; k < N - M; k++) {
      int y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + M] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    for (; k < N - 1; k++) {
      int y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + (M - N)] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    pos = 0;
  }
}
