package org.maha.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Wire-format known answers from the protobuf encoding guide. */
class ProtoMessageTest {

  private static String hex(ProtoMessage m) {
    return HexFormat.of().formatHex(m.toByteArray());
  }

  @Test
  void encodesVarintsLikeTheProtobufGuide() {
    assertThat(hex(new ProtoMessage().varint(1, 150))).isEqualTo("089601");
    assertThat(hex(new ProtoMessage().varint(1, 300))).isEqualTo("08ac02");
    assertThat(hex(new ProtoMessage().varint(1, 0))).isEqualTo("0800");
    // negative int64: ten bytes, two's complement
    assertThat(hex(new ProtoMessage().varint(1, -1))).isEqualTo("08ffffffffffffffffff01");
  }

  @Test
  void encodesStringsNestedMessagesAndLargeFieldNumbers() {
    assertThat(hex(new ProtoMessage().string(2, "testing"))).isEqualTo("120774657374696e67");
    assertThat(hex(new ProtoMessage().message(3, new ProtoMessage().varint(1, 150)))).isEqualTo("1a03089601");
    // field 20 needs a two-byte tag
    assertThat(hex(new ProtoMessage().varint(20, 7))).isEqualTo("a00107");
  }

  @Test
  void writesFloatsLittleEndian() {
    assertThat(hex(new ProtoMessage().float32(2, 1.0f))).isEqualTo("150000803f");
    assertThat(hex(new ProtoMessage().floatsRaw(9, new float[] {1.0f, -2.0f}))).isEqualTo("4a080000803f000000c0");
    assertThat(hex(new ProtoMessage().packedVarints(7, new long[] {3, 270}))).isEqualTo("3a03038e02");
  }

  @Test
  void sizeMatchesTheWrittenBytes() {
    ProtoMessage inner = new ProtoMessage().floatsRaw(9, new float[40]).string(8, "w");
    ProtoMessage outer = new ProtoMessage().message(5, inner).varint(1, 1L << 40);
    assertThat(outer.toByteArray()).hasSize((int) outer.size());
    assertThat(ProtoMessage.varintSize(127)).isEqualTo(1);
    assertThat(ProtoMessage.varintSize(128)).isEqualTo(2);
    assertThat(ProtoMessage.varintSize(-1)).isEqualTo(10);
  }
}
