package org.maha.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Hand-made PNG pieces for tests that need files no encoder writes (bombs, odd chunks); shared with maha-cli. */
public final class PngBytes {
  /** The 8-byte PNG signature. */
  public static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngBytes() {}

  /** One chunk: length, type, data, and the CRC-32 of type and data. */
  public static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    b.putInt(data.length).put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    return b.putInt((int) crc.getValue()).array();
  }
}
