package org.maha.maps;

import java.util.Arrays;
import org.maha.data.SplitMix64;

/**
 * A seeded random subset of feature channels, as PaDiM keeps 100 of ResNet-18's 448 (or 550 of Wide-ResNet-50's
 * 1792) concatenated channels to bound the D² cost per position. PaDiM draws with Python's {@code random.sample};
 * the rule here is fixed and portable instead: a partial Fisher–Yates shuffle of 0..total−1 driven by
 * {@link SplitMix64}{@code (seed)}: for i = 0..count−1, j = i + {@code nextInt(total − i)}
 * ({@code ((nextLong() >>> 1) mod (total − i))}), swap positions i and j; the subset is the first {@code count}
 * entries, sorted ascending (order does not change a Mahalanobis distance; sorted keeps memory access in order).
 */
public final class ChannelSubset {
  private ChannelSubset() {}

  /** {@code count} distinct channels of {@code 0..total−1} (1 ≤ count ≤ total), sorted; see the class comment. */
  public static int[] choose(int total, int count, long seed) {
    if (total < 1 || count < 1 || count > total) {
      throw new IllegalArgumentException("need 1 <= count <= total, found count " + count + " of " + total);
    }
    int[] order = new int[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    SplitMix64 rng = new SplitMix64(seed);
    for (int i = 0; i < count; i++) {
      int j = i + rng.nextInt(total - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] kept = Arrays.copyOf(order, count);
    Arrays.sort(kept);
    return kept;
  }

  /**
   * The grid restricted to {@code channels} (indices into its channels, each in range): a new CHW array of
   * {@code channels.length × positions}. {@code chw} ({@code total × positions}) is not modified.
   */
  public static float[] select(float[] chw, int positions, int[] channels) {
    if (positions < 1 || chw.length % positions != 0) {
      throw new IllegalArgumentException("grid of " + chw.length + " values is not a multiple of " + positions
          + " positions");
    }
    int total = chw.length / positions;
    float[] out = new float[Math.multiplyExact(channels.length, positions)];
    for (int k = 0; k < channels.length; k++) {
      int c = channels[k];
      if (c < 0 || c >= total) {
        throw new IllegalArgumentException("channel " + c + " is out of range 0.." + (total - 1));
      }
      System.arraycopy(chw, c * positions, out, k * positions, positions);
    }
    return out;
  }
}
