package org.maha.onnx;

import java.util.List;

/**
 * A node attribute (onnx.proto AttributeProto) of one of the four kinds maha's graphs use. Immutable.
 */
public sealed interface Attribute permits Attribute.Int, Attribute.Ints, Attribute.Float, Attribute.Str {

  String name();

  /** An INT attribute, e.g. {@code group}. */
  record Int(String name, long value) implements Attribute {}

  /** An INTS attribute, e.g. {@code strides}; the list is copied. */
  record Ints(String name, List<Long> values) implements Attribute {
    public Ints {
      values = List.copyOf(values);
    }

    static Ints of(String name, int... values) {
      Long[] boxed = new Long[values.length];
      for (int i = 0; i < values.length; i++) {
        boxed[i] = (long) values[i];
      }
      return new Ints(name, List.of(boxed));
    }
  }

  /** A FLOAT attribute, e.g. {@code alpha}. */
  record Float(String name, float value) implements Attribute {}

  /** A STRING attribute (UTF-8), e.g. {@code auto_pad}. */
  record Str(String name, String value) implements Attribute {}
}
