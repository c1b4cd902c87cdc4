package org.maha.zoo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Adds entries to a serialised ONNX ModelProto's {@code metadata_props} (field 14, repeated
 * StringStringEntryProto) without parsing it: protobuf lets a repeated field's elements appear anywhere, so
 * appending them after the existing bytes is a valid message with the extra entries. Keys already present are
 * the caller's concern (use distinct ones).
 */
final class OnnxMetadata {
  private static final int METADATA_PROPS = 14;
  private static final int WIRE_LENGTH_DELIMITED = 2;

  private OnnxMetadata() {}

  static byte[] append(byte[] model, Map<String, String> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + 256 * entries.size());
    out.writeBytes(model);
    for (Map.Entry<String, String> e : entries.entrySet()) {
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      field(entry, 1, e.getKey().getBytes(StandardCharsets.UTF_8));
      field(entry, 2, e.getValue().getBytes(StandardCharsets.UTF_8));
      field(out, METADATA_PROPS, entry.toByteArray());
    }
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, int number, byte[] payload) {
    varint(out, (long) number << 3 | WIRE_LENGTH_DELIMITED);
    varint(out, payload.length);
    out.writeBytes(payload);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    long x = v;
    while ((x & ~0x7FL) != 0) {
      out.write((int) ((x & 0x7F) | 0x80));
      x >>>= 7;
    }
    out.write((int) x);
  }
}
