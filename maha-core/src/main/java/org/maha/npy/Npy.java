package org.maha.npy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0 to 3.0), so that features and model arrays
 * can be read with numpy alone. Only plain numeric dtypes in C order are accepted; object arrays (which numpy
 * would unpickle) are refused, so reading never runs code.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  /** Refuse headers claiming more values than a Java array can hold, before allocating anything. */
  private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  private Npy() {}

  /** Serialises {@code a} as an .npy (version 1.0) byte array, as float64 or float32 per its dtype. */
  public static byte[] toBytes(NpyArray a) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(a, out);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory write failed", e);
    }
    return out.toByteArray();
  }

  /** Writes {@code a} to {@code out} (not closed). Supported dtypes: {@code <f8}, {@code <f4}, {@code <i8}, {@code |u1}. */
  public static void write(NpyArray a, OutputStream out) throws IOException {
    String dtype = a.dtype();
    int width = itemSize(dtype);
    StringBuilder shape = new StringBuilder("(");
    int[] dims = a.shape();
    for (int i = 0; i < dims.length; i++) {
      shape.append(dims[i]);
      if (dims.length == 1 || i < dims.length - 1) {
        shape.append(dims.length == 1 ? "," : ", ");
      }
    }
    shape.append(')');
    String dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    out.write(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xff);
    out.write((header.length() >>> 8) & 0xff);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    double[] data = a.data();
    ByteBuffer buf = ByteBuffer.allocate(Math.max(width, 8192 / width * width)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : data) {
      if (buf.remaining() < width) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      switch (dtype) {
        case "<f8" -> buf.putDouble(v);
        case "<f4" -> buf.putFloat((float) v);
        case "<i8" -> buf.putLong((long) v);
        case "|u1" -> buf.put((byte) (int) v);
        default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
      }
    }
    out.write(buf.array(), 0, buf.position());
  }

  /**
   * Parses an .npy file held in memory.
   *
   * @throws NpyFormatException if the bytes are not a well-formed .npy of a supported numeric dtype
   */
  public static NpyArray read(byte[] bytes) throws NpyFormatException {
    return read(bytes, MAX_VALUES);
  }

  /**
   * As {@link #read(byte[])}, refusing before allocating an array whose header claims more than {@code maxValues}
   * values (a caller that knows the expected shape bounds it: a {@code uint8} file would otherwise become an
   * array of doubles eight times its size).
   */
  public static NpyArray read(byte[] bytes, long maxValues) throws NpyFormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10) {
      throw new NpyFormatException("too short for an .npy file (" + bytes.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (in.get() != MAGIC[i]) {
        throw new NpyFormatException("not an .npy file (bad magic)");
      }
    }
    int major = in.get() & 0xff;
    in.get();
    long headerLen;
    if (major == 1) {
      headerLen = in.getShort() & 0xffff;
    } else if (major == 2 || major == 3) {
      if (in.remaining() < 4) { // the 10-byte minimum checked above is that of version 1, whose length is 2 bytes
        throw new NpyFormatException("too short for an .npy file of version " + major + " (" + bytes.length
            + " bytes)");
      }
      headerLen = in.getInt() & 0xffffffffL;
    } else {
      throw new NpyFormatException("unsupported .npy format version " + major);
    }
    if (headerLen > in.remaining()) {
      throw new NpyFormatException("header length " + headerLen + " exceeds the file");
    }
    byte[] h = new byte[(int) headerLen];
    in.get(h);
    String header = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String dtype = group(DESCR, header, "descr");
    if ("True".equals(group(FORTRAN, header, "fortran_order"))) {
      throw new NpyFormatException("Fortran-order arrays are not supported");
    }
    List<Integer> dims = new ArrayList<>();
    long count = 1;
    for (String part : group(SHAPE, header, "shape").split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      long d;
      try {
        d = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
      } catch (NumberFormatException e) {
        throw new NpyFormatException("bad shape entry '" + excerpt(p) + "'");
      }
      if (d < 0 || d > MAX_VALUES) {
        throw new NpyFormatException("bad dimension " + d);
      }
      count *= d; // both <= MAX_VALUES < 2^31: exact
      if (count > Math.min(maxValues, MAX_VALUES)) {
        throw new NpyFormatException("array too large: more than " + Math.min(maxValues, MAX_VALUES) + " values");
      }
      dims.add((int) d);
    }
    int width = itemSize(dtype);
    if (width < 0) {
      throw new NpyFormatException("unsupported dtype '" + excerpt(dtype) + "' (only numeric dtypes are read)");
    }
    if ((long) width * count != in.remaining()) {
      throw new NpyFormatException(
          "data size mismatch: shape " + dims + " of " + dtype + " needs " + width * count + " bytes, file has "
              + in.remaining());
    }
    if (dtype.startsWith(">")) {
      in.order(ByteOrder.BIG_ENDIAN);
    }
    double[] data = new double[(int) count];
    String kind = dtype.substring(1);
    if (kind.equals("f8")) { // the model file's arrays: one bulk copy (a per-value switch dominated model loading)
      in.asDoubleBuffer().get(data);
      return new NpyArray(dims.stream().mapToInt(Integer::intValue).toArray(), data, dtype);
    }
    for (int i = 0; i < data.length; i++) {
      data[i] = switch (kind) {
        case "f8" -> in.getDouble();
        case "f4" -> in.getFloat();
        case "i8" -> in.getLong();
        case "i4" -> in.getInt();
        case "i2" -> in.getShort();
        case "i1" -> in.get();
        case "u1" -> in.get() & 0xff;
        case "u2" -> in.getShort() & 0xffff;
        case "u4" -> in.getInt() & 0xffffffffL;
        case "b1" -> in.get() != 0 ? 1 : 0;
        default -> throw new NpyFormatException("unsupported dtype '" + dtype + "'");
      };
    }
    return new NpyArray(dims.stream().mapToInt(Integer::intValue).toArray(), data, dtype);
  }

  private static String group(Pattern p, String header, String key) throws NpyFormatException {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new NpyFormatException("header has no '" + key + "': " + excerpt(header.trim()));
    }
    return m.group(1);
  }

  /**
   * Header text quoted in a message: a hostile header is up to 4 GB of any bytes, so at most 80 characters, control
   * characters shown as '?', keeping the message one short line.
   */
  static String excerpt(String text) {
    String s = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return s.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
  }

  private static int itemSize(String dtype) {
    if (dtype.length() < 3 || "<>|=".indexOf(dtype.charAt(0)) < 0) {
      return -1;
    }
    return switch (dtype.substring(1)) {
      case "f8", "i8" -> 8;
      case "f4", "i4", "u4" -> 4;
      case "i2", "u2" -> 2;
      case "i1", "u1", "b1" -> 1;
      default -> -1;
    };
  }
}
