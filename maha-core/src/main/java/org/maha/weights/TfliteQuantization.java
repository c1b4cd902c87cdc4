package org.maha.weights;

import java.util.Arrays;

/**
 * A TFLite tensor's quantisation: real = (q − zero_point) × scale, per tensor (one scale) or per channel along
 * {@code quantizedDimension} (one scale per index of that dimension). Empty arrays mean "not quantised".
 */
public record TfliteQuantization(float[] scale, long[] zeroPoint, int quantizedDimension, float[] min,
    float[] max) {

  static final TfliteQuantization NONE =
      new TfliteQuantization(new float[0], new long[0], 0, new float[0], new float[0]);

  public TfliteQuantization {
    scale = scale.clone();
    zeroPoint = zeroPoint.clone();
    min = min.clone();
    max = max.clone();
  }

  /** True when the tensor has scales, i.e. its integers stand for reals. */
  public boolean isQuantized() {
    return scale.length > 0;
  }

  /** True when there is one scale per channel rather than one for the tensor. */
  public boolean isPerChannel() {
    return scale.length > 1;
  }

  @Override
  public float[] scale() {
    return scale.clone();
  }

  @Override
  public long[] zeroPoint() {
    return zeroPoint.clone();
  }

  @Override
  public float[] min() {
    return min.clone();
  }

  @Override
  public float[] max() {
    return max.clone();
  }

  float scaleAt(int i) {
    return scale[i];
  }

  long zeroPointAt(int i) {
    return zeroPoint.length == 0 ? 0 : zeroPoint[zeroPoint.length == 1 ? 0 : i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TfliteQuantization q && Arrays.equals(scale, q.scale) && Arrays.equals(zeroPoint, q.zeroPoint)
        && quantizedDimension == q.quantizedDimension && Arrays.equals(min, q.min) && Arrays.equals(max, q.max);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scale) * 31 + Arrays.hashCode(zeroPoint) + quantizedDimension;
  }

  @Override
  public String toString() {
    return "TfliteQuantization[scales=" + scale.length + ", dim=" + quantizedDimension + "]";
  }
}
