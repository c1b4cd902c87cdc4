package org.maha.data;

import java.util.Arrays;

/**
 * The official 5-fold split of the training images (PAPER §1.2), identical to scikit-learn's
 * {@code KFold(n_splits=k, shuffle=True, random_state=seed).split(range(n))}: the indices 0..n−1 are shuffled by
 * numpy's legacy {@code RandomState(seed).shuffle} ({@link Mt19937}), fold f takes {@code perm[start_f:stop_f]}
 * with sizes n/k and the first n%k folds one larger, and sklearn yields each fold's indices in ascending order.
 * The official protocol is {@code heldOut(nTrain, 5, 0)}: fold f fits on {@link #fitIndices} and never uses the
 * held-out images.
 */
public final class KFold {
  private KFold() {}

  /**
   * Held-out (sklearn "test") indices of each fold, each array ascending.
   *
   * @param n number of samples, ≥ k
   * @param k number of folds, ≥ 2 (sklearn's limits)
   * @param seed numpy seed, 0 ≤ seed ≤ 2³²−1
   * @return k arrays partitioning 0..n−1
   */
  public static int[][] heldOut(int n, int k, long seed) {
    if (k < 2) {
      throw new IllegalArgumentException("k-fold cross-validation needs k >= 2 folds, found k=" + k);
    }
    if (k > n) {
      throw new IllegalArgumentException(
          "cannot have more folds than samples: k=" + k + " folds, n=" + n + " samples");
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    new Mt19937(seed).shuffleInPlace(perm);
    int[][] folds = new int[k][];
    int start = 0;
    for (int f = 0; f < k; f++) {
      int size = n / k + (f < n % k ? 1 : 0);
      folds[f] = Arrays.copyOfRange(perm, start, start + size);
      Arrays.sort(folds[f]);
      start += size;
    }
    return folds;
  }

  /** The indices fold {@code fold} fits on: the complement of {@code heldOut(n, k, seed)[fold]}, ascending. */
  public static int[] fitIndices(int n, int k, long seed, int fold) {
    if (fold < 0 || fold >= k) {
      throw new IllegalArgumentException("fold must be in [0, " + (k - 1) + "] for k=" + k + ", found " + fold);
    }
    int[] held = heldOut(n, k, seed)[fold];
    boolean[] isHeld = new boolean[n];
    for (int i : held) {
      isHeld[i] = true;
    }
    int[] fit = new int[n - held.length];
    int j = 0;
    for (int i = 0; i < n; i++) {
      if (!isHeld[i]) {
        fit[j++] = i;
      }
    }
    return fit;
  }
}
