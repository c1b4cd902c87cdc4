package org.maha.npy;

import java.util.Arrays;

/**
 * A dense n-dimensional array as stored in a NumPy {@code .npy} file: C order, values widened to double.
 *
 * @param shape the dimensions, outermost first (empty for a scalar)
 * @param data the values in C (row-major) order; its length is the product of {@code shape}
 * @param dtype the NumPy type the values were read from or will be written as ({@code <f8}, {@code <f4}, ...)
 */
public record NpyArray(int[] shape, double[] data, String dtype) {

  public NpyArray {
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }
  }

  /** A float64 array. The data array is kept, not copied: callers hand it over. */
  public static NpyArray ofDoubles(double[] data, int... shape) {
    return new NpyArray(shape, data, "<f8");
  }

  /** The same values, to be written as float32. */
  public NpyArray asFloat32() {
    return new NpyArray(shape, data, "<f4");
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public int dim(int axis) {
    return shape[axis];
  }

  public int rank() {
    return shape.length;
  }

  /** Row {@code i} of a 2-D array, copied. */
  public double[] row(int i) {
    if (shape.length != 2) {
      throw new IllegalStateException("row() needs a 2-D array, shape is " + Arrays.toString(shape));
    }
    return Arrays.copyOfRange(data, i * shape[1], (i + 1) * shape[1]);
  }

  /** A 2-D array as rows, copied. */
  public double[][] rows() {
    double[][] out = new double[shape[0]][];
    for (int i = 0; i < shape[0]; i++) {
      out[i] = row(i);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyArray a
        && Arrays.equals(shape, a.shape)
        && Arrays.equals(data, a.data)
        && dtype.equals(a.dtype);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "NpyArray" + Arrays.toString(shape) + " " + dtype;
  }
}
