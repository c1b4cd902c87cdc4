package org.maha.weights;

import java.util.Arrays;

/**
 * One operator of a TFLite subgraph: its builtin code and name (e.g. 3 = {@code CONV_2D}), input and output
 * tensor indices (−1 marks an omitted optional input) and the options a converter needs.
 */
public record TfliteOperator(int index, int builtinCode, String opName, String customCode, int version,
    int[] inputs, int[] outputs, TfliteOptions options) {

  public TfliteOperator {
    inputs = inputs.clone();
    outputs = outputs.clone();
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TfliteOperator p && index == p.index && builtinCode == p.builtinCode
        && opName.equals(p.opName) && customCode.equals(p.customCode) && version == p.version
        && Arrays.equals(inputs, p.inputs) && Arrays.equals(outputs, p.outputs) && options.equals(p.options);
  }

  @Override
  public int hashCode() {
    return index * 31 + builtinCode;
  }

  @Override
  public String toString() {
    return "TfliteOperator[" + index + " " + opName + " in=" + Arrays.toString(inputs) + " out="
        + Arrays.toString(outputs) + "]";
  }
}
