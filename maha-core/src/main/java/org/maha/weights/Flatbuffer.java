package org.maha.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads of a FlatBuffers binary, enough for a TFLite model: tables through their vtables, scalar
 * fields with defaults, offsets to sub-tables, vectors and strings. Every position is computed exactly (in longs)
 * and checked against the buffer, and every vector length against the bytes left, so a corrupt file fails with a
 * message instead of allocating. Offsets can point many tables at one vector, so a small file could make a reader
 * copy the same big vector again and again: the elements copied out in all are bounded by
 * {@link #MAX_READS_PER_BYTE} times the file's size.
 */
final class Flatbuffer {
  /**
   * Elements copied out per byte of the file: each element takes at least one byte, so a file read once needs at
   * most one; the slack admits the vectors a writer shares on purpose (deduplicated strings, shapes).
   */
  static final long MAX_READS_PER_BYTE = 4;

  private final ByteBuffer b;
  private final String source;
  private long readBudget;

  Flatbuffer(ByteBuffer bytes, String source) {
    this.b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
    this.readBudget = MAX_READS_PER_BYTE * b.capacity() + 4096;
  }

  int capacity() {
    return b.capacity();
  }

  /** The root table's position. */
  int root() throws WeightFileException {
    return offsetAt(0);
  }

  /** Absolute position of field {@code id} of the table at {@code table}, or -1 when the field is absent. */
  int field(int table, int id) throws WeightFileException {
    long vt = (long) table - i32(table);
    check(vt, 4);
    int vtSize = u16((int) vt);
    int slot = 4 + 2 * id;
    if (slot + 2 > vtSize) {
      return -1;
    }
    int off = u16((int) (vt + slot));
    return off == 0 ? -1 : check((long) table + off, 1);
  }

  int i32(int table, int id, int dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : i32(p);
  }

  int u8(int table, int id, int dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : u8(p);
  }

  int i8(int table, int id, int dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : b.get(check(p, 1));
  }

  long u64(int table, int id, long dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : b.getLong(check(p, 8));
  }

  float f32(int table, int id, float dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : b.getFloat(check(p, 4));
  }

  boolean bool(int table, int id, boolean dflt) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? dflt : u8(p) != 0;
  }

  /** Position of the sub-table referenced by field {@code id}, or -1. */
  int table(int table, int id) throws WeightFileException {
    int p = field(table, id);
    return p < 0 ? -1 : offsetAt(p);
  }

  /** Element count of vector field {@code id} (0 when absent), each element {@code elemSize} bytes. */
  int vectorLength(int table, int id, int elemSize) throws WeightFileException {
    int v = vectorStart(table, id, elemSize);
    return v < 0 ? 0 : i32(v - 4);
  }

  /** Position of the first element of vector field {@code id}, or -1; the whole vector is checked to fit. */
  int vectorStart(int table, int id, int elemSize) throws WeightFileException {
    int p = field(table, id);
    if (p < 0) {
      return -1;
    }
    int v = offsetAt(p);
    long n = i32(v) & 0xffffffffL;
    check(v + 4L, n * elemSize);
    return v + 4;
  }

  /** Length of a vector about to be copied out, charged to the read budget (see the class comment). */
  private int charge(int table, int id, int elemSize) throws WeightFileException {
    int n = vectorLength(table, id, elemSize);
    readBudget -= n;
    if (readBudget < 0) {
      throw WeightFileException.of(source, "corrupt flatbuffer: its tables refer to the same data over and over "
          + "(more than " + MAX_READS_PER_BYTE + " elements read per byte of the file)");
    }
    return n;
  }

  /** The tables a vector of offsets points to. */
  int[] tables(int table, int id) throws WeightFileException {
    int start = vectorStart(table, id, 4);
    int n = start < 0 ? 0 : charge(table, id, 4);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = offsetAt(start + 4 * i); // inside the vector, checked to fit the file: no overflow
    }
    return out;
  }

  int[] ints(int table, int id) throws WeightFileException {
    int start = vectorStart(table, id, 4);
    int[] out = new int[start < 0 ? 0 : charge(table, id, 4)];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getInt(start + 4 * i);
    }
    return out;
  }

  long[] longs(int table, int id) throws WeightFileException {
    int start = vectorStart(table, id, 8);
    long[] out = new long[start < 0 ? 0 : charge(table, id, 8)];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getLong(start + 8 * i);
    }
    return out;
  }

  float[] floats(int table, int id) throws WeightFileException {
    int start = vectorStart(table, id, 4);
    float[] out = new float[start < 0 ? 0 : charge(table, id, 4)];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getFloat(start + 4 * i);
    }
    return out;
  }

  String string(int table, int id) throws WeightFileException {
    int start = vectorStart(table, id, 1);
    if (start < 0) {
      return "";
    }
    byte[] s = new byte[charge(table, id, 1)];
    b.get(start, s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private int offsetAt(int p) throws WeightFileException {
    long target = (long) p + (i32(p) & 0xffffffffL);
    return check(target, 4);
  }

  private int i32(int p) throws WeightFileException {
    return b.getInt(check(p, 4));
  }

  private int u16(int p) throws WeightFileException {
    return b.getShort(check(p, 2)) & 0xffff;
  }

  private int u8(int p) throws WeightFileException {
    return b.get(check(p, 1)) & 0xff;
  }

  private int check(long pos, long len) throws WeightFileException {
    if (pos < 0 || len < 0 || pos > b.capacity() || len > b.capacity() - pos) {
      throw WeightFileException.of(source, "corrupt or truncated flatbuffer (" + len + " bytes at offset " + pos
          + " lie outside the " + b.capacity() + "-byte file)");
    }
    return (int) pos;
  }
}
