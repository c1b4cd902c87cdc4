package org.maha.backbone;

/**
 * Refuses an ONNX model whose tensors (graph initialisers and the value of Constant-like node attributes) declare
 * more bytes than the whole file holds. ONNX Runtime allocates a tensor's declared size before it looks at the data,
 * so a 300-byte file declaring dims [2^40, 2^20] makes it attempt terabytes (std::bad_alloc, or worse on a host
 * that overcommits). Tensors whose data lives in an external file are not checked here (ONNX Runtime cannot load
 * those from memory anyway).
 */
final class TensorSizeCheck {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTRIBUTE_TENSOR = 5;
  private static final int ATTRIBUTE_TENSORS = 10;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int WT_VARINT = 0;
  private static final int WT_LEN = 2;

  private TensorSizeCheck() {}

  /**
   * @throws BatchAxisRelaxer.ProtoFormatException naming the first tensor that declares more bytes than the file
   */
  static void check(byte[] model) throws BatchAxisRelaxer.ProtoFormatException {
    new BatchAxisRelaxer.Reader(model, 0, model.length)
        .forEachSubmessage(f -> f == MODEL_GRAPH, (f, from, to) -> graph(model, from, to));
  }

  /** Initialisers, and the tensors held by node attributes (Constant and the like). */
  private static void graph(byte[] b, int from, int to) throws BatchAxisRelaxer.ProtoFormatException {
    new BatchAxisRelaxer.Reader(b, from, to).forEachSubmessage(f -> f == GRAPH_INITIALIZER || f == GRAPH_NODE,
        (f, start, end) -> {
          if (f == GRAPH_INITIALIZER) {
            tensor(b, start, end);
          } else {
            node(b, start, end);
          }
        });
  }

  private static void node(byte[] b, int from, int to) throws BatchAxisRelaxer.ProtoFormatException {
    new BatchAxisRelaxer.Reader(b, from, to).forEachSubmessage(f -> f == NODE_ATTRIBUTE,
        (f, start, end) -> new BatchAxisRelaxer.Reader(b, start, end).forEachSubmessage(
            t -> t == ATTRIBUTE_TENSOR || t == ATTRIBUTE_TENSORS, (t, tensorFrom, tensorTo) -> tensor(b, tensorFrom,
                tensorTo)));
  }

  private static void tensor(byte[] b, int from, int to) throws BatchAxisRelaxer.ProtoFormatException {
    BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(b, from, to);
    long elements = 1;
    boolean overflow = false;
    int dataType = 0;
    boolean external = false;
    String name = "?";
    StringBuilder dims = new StringBuilder();
    while (r.hasMore()) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == TENSOR_DIMS && (wireType == WT_VARINT || wireType == WT_LEN)) {
        BatchAxisRelaxer.Reader d = r;
        int end = -1;
        if (wireType == WT_LEN) { // packed
          int len = r.length();
          d = new BatchAxisRelaxer.Reader(b, r.pos, r.pos + len);
          end = r.pos + len;
        }
        do {
          long dim = d.varint();
          dims.append(dims.length() == 0 ? "" : ", ").append(dim);
          if (dim < 0) {
            throw new BatchAxisRelaxer.ProtoFormatException("a tensor has the negative dimension " + dim);
          }
          try {
            elements = Math.multiplyExact(elements, dim);
          } catch (ArithmeticException e) {
            overflow = true;
          }
        } while (end >= 0 && d.hasMore());
        if (end >= 0) {
          r.pos = end;
        }
      } else if (field == TENSOR_DATA_TYPE && wireType == WT_VARINT) {
        dataType = (int) r.varint();
      } else if (field == TENSOR_DATA_LOCATION && wireType == WT_VARINT) {
        external = r.varint() == 1;
      } else if (field == TENSOR_NAME && wireType == WT_LEN) {
        int len = r.length();
        name = new String(b, r.pos, Math.min(len, 100), java.nio.charset.StandardCharsets.UTF_8);
        r.pos += len;
      } else {
        r.skip(field, wireType);
      }
    }
    if (external) {
      return;
    }
    long size = elementBits(dataType);
    boolean tooBig = overflow || elements > (long) b.length * 8 / size;
    if (tooBig) {
      throw new BatchAxisRelaxer.ProtoFormatException("tensor '" + name + "' declares dims [" + dims + "], more "
          + "data than the whole file (" + b.length + " bytes) holds");
    }
  }

  /** Bits per element of an ONNX TensorProto.DataType, at least 1 (strings, unknown types: 1 byte). */
  private static long elementBits(int dataType) {
    return switch (dataType) {
      case 1, 6, 12 -> 32; // float, int32, uint32
      case 7, 11, 13, 14 -> 64; // int64, double, uint64, complex64
      case 15 -> 128; // complex128
      case 5, 4, 10, 16 -> 16; // int16, uint16, float16, bfloat16
      case 22, 21 -> 4; // int4, uint4
      default -> 8;
    };
  }
}
