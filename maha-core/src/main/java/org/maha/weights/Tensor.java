package org.maha.weights;

import java.util.Arrays;

/**
 * A named float32 tensor in C order. Integer tensors (e.g. BatchNorm's {@code num_batches_tracked}) are converted
 * to float. A 0-d tensor has shape {@code []} and one value. Arrays are copied in and out, so a tensor never
 * changes after construction.
 *
 * @param name the state-dict key
 * @param shape the dimensions, each ≥ 0
 * @param data {@code numel()} values in C (row-major) order
 */
public record Tensor(String name, int[] shape, float[] data) {

  public Tensor {
    if (name == null) {
      throw new IllegalArgumentException("tensor name is null");
    }
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor " + name + ": negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("tensor " + name + ": too many elements " + Arrays.toString(shape));
      }
    }
    if (data.length != n) {
      throw new IllegalArgumentException(
          "tensor " + name + ": shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
    data = data.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public float[] data() {
    return data.clone();
  }

  /** Number of elements (1 for a 0-d tensor). */
  public int numel() {
    return data.length;
  }

  /** Size of dimension {@code i}. */
  public int dim(int i) {
    return shape[i];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Value at a flat C-order index, without copying the data. */
  public float get(int flatIndex) {
    return data[flatIndex];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
  }
}
