package org.maha.weights;

import java.util.Arrays;

/**
 * The builtin options of a TFLite operator that a converter needs (schema.fbs tables of the same names). Other
 * operators carry {@link None}.
 */
public sealed interface TfliteOptions {

  /** TFLite padding: SAME pads so that out = ceil(in / stride) (extra row/column at the end), VALID does not pad. */
  enum Padding { SAME, VALID }

  /** Fused activation applied to the operator's output. */
  enum Activation { NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT }

  /** No options read for this operator. */
  record None() implements TfliteOptions {}

  /** CONV_2D. */
  record Conv2D(Padding padding, int strideW, int strideH, Activation activation, int dilationW, int dilationH)
      implements TfliteOptions {}

  /** DEPTHWISE_CONV_2D. */
  record DepthwiseConv2D(Padding padding, int strideW, int strideH, int depthMultiplier, Activation activation,
      int dilationW, int dilationH) implements TfliteOptions {}

  /** AVERAGE_POOL_2D, MAX_POOL_2D. */
  record Pool2D(Padding padding, int strideW, int strideH, int filterWidth, int filterHeight,
      Activation activation) implements TfliteOptions {}

  /** FULLY_CONNECTED. */
  record FullyConnected(Activation activation, boolean keepNumDims) implements TfliteOptions {}

  /** ADD, MUL, SUB. */
  record Elementwise(Activation activation) implements TfliteOptions {}

  /** MEAN, SUM and the other reductions. */
  record Reducer(boolean keepDims) implements TfliteOptions {}

  /** RESHAPE; the target shape may instead come from the second input. */
  record Reshape(int[] newShape) implements TfliteOptions {
    public Reshape {
      newShape = newShape.clone();
    }

    @Override
    public int[] newShape() {
      return newShape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Reshape r && Arrays.equals(newShape, r.newShape);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(newShape);
    }

    @Override
    public String toString() {
      return "Reshape[" + Arrays.toString(newShape) + "]";
    }
  }

  /** SOFTMAX. */
  record Softmax(float beta) implements TfliteOptions {}
}
