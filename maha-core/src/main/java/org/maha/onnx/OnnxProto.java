package org.maha.onnx;

import java.util.List;

/**
 * Encoders for the onnx.proto messages maha writes. Field numbers are those of onnx.proto (ONNX 1.12); fields are
 * added in field-number order so that the bytes equal the reference protobuf serialiser's.
 */
final class OnnxProto {

  // TensorProto.DataType
  static final int FLOAT = 1;
  static final int INT64 = 7;

  // AttributeProto.AttributeType
  private static final int ATTR_FLOAT = 1;
  private static final int ATTR_INT = 2;
  private static final int ATTR_STRING = 3;
  private static final int ATTR_INTS = 7;

  /** The dim_param of the symbolic batch axis. */
  static final String BATCH_DIM = "N";

  private OnnxProto() {}

  /** TensorProto: dims = 1 (repeated, unpacked), data_type = 2, name = 8, raw_data = 9. */
  static ProtoMessage floatTensor(String name, int[] dims, float[] data) {
    ProtoMessage m = new ProtoMessage();
    for (int d : dims) {
      m.varint(1, d);
    }
    return m.varint(2, FLOAT).string(8, name).floatsRaw(9, data);
  }

  /** TensorProto with int64_data = 7 (declared packed). */
  static ProtoMessage int64Tensor(String name, int[] dims, long[] data) {
    ProtoMessage m = new ProtoMessage();
    for (int d : dims) {
      m.varint(1, d);
    }
    return m.varint(2, INT64).packedVarints(7, data).string(8, name);
  }

  /**
   * ValueInfoProto for a float tensor: name = 1, type = 2 → TypeProto.tensor_type = 1 → elem_type = 1,
   * shape = 2 → dim = 1 → dim_value = 1 | dim_param = 2. A negative dimension is the symbolic batch "N".
   */
  static ProtoMessage floatValueInfo(String name, int[] dims) {
    ProtoMessage shape = new ProtoMessage();
    for (int d : dims) {
      ProtoMessage dim = new ProtoMessage();
      if (d < 0) {
        dim.string(2, BATCH_DIM);
      } else {
        dim.varint(1, d);
      }
      shape.message(1, dim);
    }
    ProtoMessage tensorType = new ProtoMessage().varint(1, FLOAT).message(2, shape);
    ProtoMessage type = new ProtoMessage().message(1, tensorType);
    return new ProtoMessage().string(1, name).message(2, type);
  }

  /** AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8 (unpacked), type = 20. */
  static ProtoMessage attribute(Attribute a) {
    ProtoMessage m = new ProtoMessage().string(1, a.name());
    if (a instanceof Attribute.Float f) {
      m.float32(2, f.value()).varint(20, ATTR_FLOAT);
    } else if (a instanceof Attribute.Int i) {
      m.varint(3, i.value()).varint(20, ATTR_INT);
    } else if (a instanceof Attribute.Str s) {
      m.string(4, s.value()).varint(20, ATTR_STRING);
    } else if (a instanceof Attribute.Ints is) {
      for (long v : is.values()) {
        m.varint(8, v);
      }
      m.varint(20, ATTR_INTS);
    } else {
      throw new IllegalArgumentException("unknown attribute kind " + a);
    }
    return m;
  }

  /** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5 (default domain). */
  static ProtoMessage node(String name, String opType, List<String> inputs, List<String> outputs,
      List<Attribute> attributes) {
    ProtoMessage m = new ProtoMessage();
    for (String in : inputs) {
      m.string(1, in);
    }
    for (String out : outputs) {
      m.string(2, out);
    }
    m.string(3, name).string(4, opType);
    for (Attribute a : attributes) {
      m.message(5, attribute(a));
    }
    return m;
  }
}
