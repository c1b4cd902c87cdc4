package org.maha.weights;

import java.util.Arrays;

/**
 * One tensor of a TFLite subgraph. Shapes are as TFLite stores them (NHWC activations, OHWI convolution
 * weights, 1HWC depthwise weights). {@code hasData} is true for constants (weights, biases, shapes).
 */
public record TfliteTensor(int index, String name, int[] shape, TfliteType type, int buffer,
    TfliteQuantization quantization, boolean hasData) {

  public TfliteTensor {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /**
   * Element count (product of the shape), computed exactly; −1 when a dimension is negative or the product
   * overflows a long, which no tensor's data can match.
   */
  public long numel() {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException overflow) {
        return -1;
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TfliteTensor t && index == t.index && name.equals(t.name) && Arrays.equals(shape, t.shape)
        && type == t.type && buffer == t.buffer && quantization.equals(t.quantization) && hasData == t.hasData;
  }

  @Override
  public int hashCode() {
    return index * 31 + name.hashCode();
  }

  @Override
  public String toString() {
    return "TfliteTensor[" + index + " " + name + " " + Arrays.toString(shape) + " " + type + "]";
  }
}
