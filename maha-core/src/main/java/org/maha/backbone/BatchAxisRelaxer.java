package org.maha.backbone;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites an ONNX model so that a batch axis declared as the constant 1 becomes the symbolic {@code "N"}.
 *
 * <p>Why: converters often export with a fixed batch of 1 (the shared MobileNetV2 does) although the graph itself is
 * batch-agnostic; running 16 images per call is then several times faster than one by one. Only the declarations
 * change, never the nodes, so {@link OnnxBackbone} checks once that a batch of 2 gives the features of two single
 * runs before trusting the result.
 *
 * <p>A minimal protobuf wire-format reader/writer, so that maha needs no protobuf dependency. Field numbers from
 * onnx.proto3: ModelProto.graph = 7; GraphProto.input = 11, output = 12, value_info = 13; ValueInfoProto.type = 2;
 * TypeProto.tensor_type = 1; TypeProto.Tensor.shape = 2; TensorShapeProto.dim = 1; Dimension.dim_value = 1,
 * dim_param = 2. Every other field is copied byte for byte.
 */
final class BatchAxisRelaxer {

  /** The dim_param written in place of a fixed batch of 1. */
  static final String BATCH_DIM_PARAM = "N";

  private static final int WT_VARINT = 0;
  private static final int WT_I64 = 1;
  private static final int WT_LEN = 2;
  private static final int WT_I32 = 5;

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int GRAPH_VALUE_INFO = 13;
  private static final int VALUE_INFO_TYPE = 2;
  private static final int TYPE_TENSOR = 1;
  private static final int TENSOR_SHAPE = 2;
  private static final int SHAPE_DIM = 1;
  private static final int DIM_VALUE = 1;
  private static final int DIM_PARAM = 2;

  /**
   * The rewritten model and how many declarations changed.
   *
   * @param bytes          the model with every relaxed batch axis, or the input bytes when nothing changed
   * @param inputsRelaxed  graph inputs whose first dimension was the constant 1
   * @param outputsRelaxed graph outputs whose first dimension was the constant 1
   */
  record Result(byte[] bytes, int inputsRelaxed, int outputsRelaxed) {}

  /** Thrown when the bytes are not a protobuf ModelProto with a graph. */
  static final class ProtoFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtoFormatException(String message) {
      super(message);
    }
  }

  private BatchAxisRelaxer() {}

  /**
   * Relaxes the first dimension of graph inputs, outputs and value_info from 1 to {@code "N"}.
   *
   * @param model a serialised ModelProto. Not modified.
   * @throws ProtoFormatException when the bytes are not well-formed protobuf or hold no graph
   */
  static Result relax(byte[] model) throws ProtoFormatException {
    int[] counts = new int[2];
    ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 64);
    boolean sawGraph = false;
    Reader r = new Reader(model, 0, model.length);
    while (r.hasMore()) {
      int start = r.pos;
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == MODEL_GRAPH && wireType == WT_LEN) {
        sawGraph = true;
        int len = r.length();
        writeLen(out, tag, rewriteGraph(model, r.pos, r.pos + len, counts));
        r.pos += len;
      } else {
        r.skip(field, wireType);
        out.write(model, start, r.pos - start);
      }
    }
    if (!sawGraph) {
      throw new ProtoFormatException("no graph (ModelProto field 7) in " + model.length + " bytes");
    }
    if (counts[0] + counts[1] == 0) {
      return new Result(model, 0, 0);
    }
    return new Result(out.toByteArray(), counts[0], counts[1]);
  }

  private static byte[] rewriteGraph(byte[] b, int from, int to, int[] counts) throws ProtoFormatException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 64);
    Reader r = new Reader(b, from, to);
    while (r.hasMore()) {
      int start = r.pos;
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      boolean valueInfo = field == GRAPH_INPUT || field == GRAPH_OUTPUT || field == GRAPH_VALUE_INFO;
      if (valueInfo && wireType == WT_LEN) {
        int len = r.length();
        boolean[] changed = new boolean[1];
        byte[] rewritten = rewriteNested(b, r.pos, r.pos + len, 0, changed);
        r.pos += len;
        writeLen(out, tag, rewritten);
        if (changed[0] && field == GRAPH_INPUT) {
          counts[0]++;
        } else if (changed[0] && field == GRAPH_OUTPUT) {
          counts[1]++;
        }
      } else {
        r.skip(field, wireType);
        out.write(b, start, r.pos - start);
      }
    }
    return out.toByteArray();
  }

  /** Field to descend into at each depth: ValueInfoProto.type → TypeProto.tensor_type → Tensor.shape. */
  private static final int[] PATH = {VALUE_INFO_TYPE, TYPE_TENSOR, TENSOR_SHAPE};

  /**
   * Copies a message, descending along {@link #PATH}; at the TensorShapeProto (depth 3) rewrites the first dim.
   */
  private static byte[] rewriteNested(byte[] b, int from, int to, int depth, boolean[] changed)
      throws ProtoFormatException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 8);
    Reader r = new Reader(b, from, to);
    boolean firstDim = true;
    while (r.hasMore()) {
      int start = r.pos;
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (depth < PATH.length && field == PATH[depth] && wireType == WT_LEN) {
        int len = r.length();
        writeLen(out, tag, rewriteNested(b, r.pos, r.pos + len, depth + 1, changed));
        r.pos += len;
      } else if (depth == PATH.length && field == SHAPE_DIM && wireType == WT_LEN && firstDim) {
        firstDim = false;
        int len = r.length();
        byte[] dim = rewriteFirstDim(b, r.pos, r.pos + len, changed);
        r.pos += len;
        writeLen(out, tag, dim);
      } else {
        r.skip(field, wireType);
        out.write(b, start, r.pos - start);
      }
    }
    return out.toByteArray();
  }

  /** A Dimension with dim_value 1 becomes dim_param "N" (denotation kept); any other is copied. */
  private static byte[] rewriteFirstDim(byte[] b, int from, int to, boolean[] changed)
      throws ProtoFormatException {
    Reader r = new Reader(b, from, to);
    ByteArrayOutputStream rest = new ByteArrayOutputStream(to - from + 4);
    boolean valueOne = false;
    while (r.hasMore()) {
      int start = r.pos;
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == DIM_VALUE && wireType == WT_VARINT) {
        long v = r.varint();
        if (v == 1) {
          valueOne = true;
        } else {
          rest.write(b, start, r.pos - start);
        }
      } else {
        r.skip(field, wireType);
        rest.write(b, start, r.pos - start);
      }
    }
    if (!valueOne) {
      byte[] copy = new byte[to - from];
      System.arraycopy(b, from, copy, 0, copy.length);
      return copy;
    }
    changed[0] = true;
    ByteArrayOutputStream out = new ByteArrayOutputStream(rest.size() + 4);
    writeLen(out, ((long) DIM_PARAM << 3) | WT_LEN, BATCH_DIM_PARAM.getBytes(StandardCharsets.UTF_8));
    byte[] r2 = rest.toByteArray();
    out.write(r2, 0, r2.length);
    return out.toByteArray();
  }

  private static void writeLen(ByteArrayOutputStream out, long tag, byte[] payload) {
    writeVarint(out, tag);
    writeVarint(out, payload.length);
    out.write(payload, 0, payload.length);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Bounds-checked cursor over one message's bytes. */
  static final class Reader {
    private final byte[] b;
    private final int end;
    int pos;

    Reader(byte[] b, int from, int to) {
      this.b = b;
      this.pos = from;
      this.end = to;
    }

    boolean hasMore() {
      return pos < end;
    }

    long varint() throws ProtoFormatException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new ProtoFormatException("truncated varint at byte " + pos);
        }
        int x = b[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new ProtoFormatException("varint longer than 10 bytes at byte " + pos);
    }

    int length() throws ProtoFormatException {
      int at = pos;
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw new ProtoFormatException("length " + len + " at byte " + at + " runs past the end (" + (end - pos)
            + " bytes left)");
      }
      return (int) len;
    }

    /** What {@link #forEachSubmessage} calls with a length-delimited field's bytes [from, to) of the buffer. */
    interface SubmessageVisitor {
      void visit(int field, int from, int to) throws ProtoFormatException;
    }

    /**
     * Walks the rest of this message: each length-delimited field whose number {@code wanted} accepts goes to
     * {@code visitor} (the reader is already past it), every other field is skipped.
     */
    void forEachSubmessage(java.util.function.IntPredicate wanted, SubmessageVisitor visitor)
        throws ProtoFormatException {
      while (hasMore()) {
        long tag = varint();
        int field = (int) (tag >>> 3);
        int wireType = (int) (tag & 7);
        if (wireType == WT_LEN && wanted.test(field)) {
          int len = length();
          int from = pos;
          pos += len;
          visitor.visit(field, from, from + len);
        } else {
          skip(field, wireType);
        }
      }
    }

    void skip(int field, int wireType) throws ProtoFormatException {
      if (field == 0) {
        throw new ProtoFormatException("field number 0 at byte " + pos);
      }
      switch (wireType) {
        case WT_VARINT -> varint();
        case WT_I64 -> advance(8);
        case WT_LEN -> advance(length());
        case WT_I32 -> advance(4);
        default -> throw new ProtoFormatException("wire type " + wireType + " of field " + field
            + " before byte " + pos + " (expected 0, 1, 2 or 5)");
      }
    }

    private void advance(int n) throws ProtoFormatException {
      if (n > end - pos) {
        throw new ProtoFormatException("field runs past the end at byte " + pos);
      }
      pos += n;
    }
  }
}
