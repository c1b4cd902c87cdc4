package org.maha.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One protobuf message under construction, written in the wire format without a protobuf dependency.
 *
 * <p>Fields are kept as a list and serialised in the order they were added, so callers add them in field-number
 * order, as protobuf's own serialisers do; the ONNX model's bytes then equal those of {@code SerializeToString()}
 * for the same message (the golden test relies on this). Sizes are computed before writing, so a model of several
 * hundred MB is written into one exactly sized array with no intermediate copies of its weights.
 *
 * <p>Not thread-safe. A message must not be changed after it was added to a parent (its size is cached).
 */
final class ProtoMessage {

  /** protobuf's hard limit on one serialised message. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private static final int WT_VARINT = 0;
  private static final int WT_LEN = 2;
  private static final int WT_I32 = 5;

  private sealed interface Field permits VarintField, Fixed32Field, BytesField, MessageField, FloatsField {
    long size();

    void write(ByteBuffer out);
  }

  private record VarintField(int number, long value) implements Field {
    @Override
    public long size() {
      return varintSize(tag(number, WT_VARINT)) + varintSize(value);
    }

    @Override
    public void write(ByteBuffer out) {
      writeVarint(out, tag(number, WT_VARINT));
      writeVarint(out, value);
    }
  }

  private record Fixed32Field(int number, int bits) implements Field {
    @Override
    public long size() {
      return varintSize(tag(number, WT_I32)) + 4;
    }

    @Override
    public void write(ByteBuffer out) {
      writeVarint(out, tag(number, WT_I32));
      out.putInt(bits);
    }
  }

  private record BytesField(int number, byte[] bytes) implements Field {
    @Override
    public long size() {
      return varintSize(tag(number, WT_LEN)) + varintSize(bytes.length) + bytes.length;
    }

    @Override
    public void write(ByteBuffer out) {
      writeVarint(out, tag(number, WT_LEN));
      writeVarint(out, bytes.length);
      out.put(bytes);
    }
  }

  private record MessageField(int number, ProtoMessage message) implements Field {
    @Override
    public long size() {
      long n = message.size();
      return varintSize(tag(number, WT_LEN)) + varintSize(n) + n;
    }

    @Override
    public void write(ByteBuffer out) {
      writeVarint(out, tag(number, WT_LEN));
      writeVarint(out, message.size());
      message.writeTo(out);
    }
  }

  /** float32 values as little-endian bytes in one length-delimited field (TensorProto.raw_data). */
  private record FloatsField(int number, float[] values) implements Field {
    @Override
    public long size() {
      long n = 4L * values.length;
      return varintSize(tag(number, WT_LEN)) + varintSize(n) + n;
    }

    @Override
    public void write(ByteBuffer out) {
      writeVarint(out, tag(number, WT_LEN));
      writeVarint(out, 4L * values.length);
      int start = out.position();
      out.asFloatBuffer().put(values); // the view shares out's little-endian order
      out.position(start + 4 * values.length);
    }
  }

  private final List<Field> fields = new ArrayList<>();
  private long cachedSize = -1;

  /** An int32/int64/enum/bool field; negative values take 10 bytes, as protobuf writes them. */
  ProtoMessage varint(int number, long value) {
    return add(new VarintField(number, value));
  }

  /** A float field (wire type 5). */
  ProtoMessage float32(int number, float value) {
    return add(new Fixed32Field(number, Float.floatToRawIntBits(value)));
  }

  ProtoMessage string(int number, String value) {
    return add(new BytesField(number, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** A bytes field; the array is kept, not copied. */
  ProtoMessage bytes(int number, byte[] value) {
    return add(new BytesField(number, value));
  }

  /** A packed repeated int64 field (e.g. TensorProto.int64_data, declared {@code [packed = true]}). */
  ProtoMessage packedVarints(int number, long[] values) {
    int n = 0;
    for (long v : values) {
      n += varintSize(v);
    }
    ByteBuffer buf = ByteBuffer.allocate(n);
    for (long v : values) {
      writeVarint(buf, v);
    }
    return bytes(number, buf.array());
  }

  ProtoMessage message(int number, ProtoMessage value) {
    return add(new MessageField(number, value));
  }

  /** A bytes field holding {@code values} as little-endian float32; the array is kept, not copied. */
  ProtoMessage floatsRaw(int number, float[] values) {
    return add(new FloatsField(number, values));
  }

  private ProtoMessage add(Field f) {
    fields.add(f);
    cachedSize = -1;
    return this;
  }

  /** Serialised size in bytes. */
  long size() {
    if (cachedSize < 0) {
      long n = 0;
      for (Field f : fields) {
        n += f.size();
      }
      cachedSize = n;
    }
    return cachedSize;
  }

  /**
   * The message's wire-format bytes.
   *
   * @throws IllegalStateException when the message exceeds protobuf's 2 GiB limit
   */
  byte[] toByteArray() {
    long n = size();
    if (n > MAX_BYTES) {
      throw new IllegalStateException("message of " + n + " bytes exceeds protobuf's 2 GiB limit");
    }
    ByteBuffer out = ByteBuffer.allocate((int) n).order(ByteOrder.LITTLE_ENDIAN);
    writeTo(out);
    if (out.hasRemaining()) {
      throw new IllegalStateException("wrote " + out.position() + " of " + n + " bytes");
    }
    return out.array();
  }

  private void writeTo(ByteBuffer out) {
    for (Field f : fields) {
      f.write(out);
    }
  }

  private static long tag(int number, int wireType) {
    if (number < 1 || number > (1 << 29) - 1) {
      throw new IllegalArgumentException("field number out of range: " + number);
    }
    return ((long) number << 3) | wireType;
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  static void writeVarint(ByteBuffer out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }
}
