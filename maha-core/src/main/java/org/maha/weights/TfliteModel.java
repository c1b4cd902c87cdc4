package org.maha.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.weights.TfliteOptions.Activation;
import org.maha.weights.TfliteOptions.Padding;

/**
 * A TFLite model (FlatBuffers, schema {@code tflite/schema.fbs}, identifier {@code TFL3}) read by hand: the main
 * subgraph's tensors and operators, and each constant tensor's values dequantised to float32. Immutable. Used to
 * turn Coral's quantised MobileNetV2 into an ONNX graph without TensorFlow.
 */
public final class TfliteModel {

  /** Opcode names by builtin code (BuiltinOperator in schema.fbs, codes 0..126). */
  private static final String[] OPNAMES = ("ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D"
      + " DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION"
      + " L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1"
      + " RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL"
      + " CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND"
      + " SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE"
      + " BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST"
      + " PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN"
      + " TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN"
      + " FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN"
      + " FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU"
      + " SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU"
      + " REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4"
      + " NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL").split(" ");

  private final String source;
  private final byte[] bytes;
  private final int version;
  private final String description;
  private final int subgraphCount;
  private final List<TfliteTensor> tensors;
  private final List<TfliteOperator> operators;
  private final int[] inputs;
  private final int[] outputs;
  /** Per buffer: absolute start and length of its data in {@code bytes} (length 0: no data). */
  private final long[][] bufferRanges;

  private TfliteModel(String source, byte[] bytes) throws WeightFileException {
    this.source = source;
    this.bytes = bytes;
    if (bytes.length < 8 || bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
      throw WeightFileException.of(source, "not a TFLite model (no TFL3 identifier)");
    }
    Flatbuffer fb = new Flatbuffer(ByteBuffer.wrap(bytes), source);
    int model = fb.root();
    version = fb.i32(model, 0, 0);
    description = fb.string(model, 3);
    int[] codeTables = fb.tables(model, 1);
    int[] codes = new int[codeTables.length];
    String[] custom = new String[codeTables.length];
    int[] opVersions = new int[codeTables.length];
    for (int i = 0; i < codes.length; i++) {
      // deprecated_builtin_code (int8, ≤ 127) stays authoritative for small codes; builtin_code holds the rest
      codes[i] = Math.max(fb.i8(codeTables[i], 0, 0), fb.i32(codeTables[i], 3, 0));
      custom[i] = fb.string(codeTables[i], 1);
      opVersions[i] = fb.i32(codeTables[i], 2, 1);
    }
    int[] bufferTables = fb.tables(model, 4);
    bufferRanges = new long[bufferTables.length][];
    for (int i = 0; i < bufferTables.length; i++) {
      int start = fb.vectorStart(bufferTables[i], 0, 1);
      long len = start < 0 ? 0 : fb.vectorLength(bufferTables[i], 0, 1);
      long off = fb.u64(bufferTables[i], 1, 0);
      long size = fb.u64(bufferTables[i], 2, 0);
      if (len == 0 && off > 1 && size > 0) { // data stored after the flatbuffer (models over 2 GB)
        if (off > bytes.length || size > bytes.length - off) { // exact: off + size may overflow
          throw WeightFileException.of(source, "buffer " + i + " (" + size + " bytes at offset " + off
              + ") lies outside the " + bytes.length + "-byte file");
        }
        bufferRanges[i] = new long[] {off, size};
      } else {
        bufferRanges[i] = new long[] {start, len};
      }
    }
    int[] subgraphs = fb.tables(model, 2);
    subgraphCount = subgraphs.length;
    if (subgraphs.length == 0) {
      throw WeightFileException.of(source, "TFLite model without a subgraph");
    }
    int sg = subgraphs[0];
    int[] tensorTables = fb.tables(sg, 0);
    List<TfliteTensor> ts = new ArrayList<>(tensorTables.length);
    for (int i = 0; i < tensorTables.length; i++) {
      int t = tensorTables[i];
      int buffer = fb.i32(t, 2, 0);
      if (buffer < 0 || buffer >= bufferRanges.length) {
        throw WeightFileException.of(source, "tensor " + i + " names buffer " + buffer + " of "
            + bufferRanges.length);
      }
      int q = fb.table(t, 4);
      TfliteQuantization quant = q < 0 ? TfliteQuantization.NONE : new TfliteQuantization(fb.floats(q, 2),
          fb.longs(q, 3), fb.i32(q, 6, 0), fb.floats(q, 0), fb.floats(q, 1));
      ts.add(new TfliteTensor(i, printable(fb.string(t, 3)), fb.ints(t, 0), TfliteType.of(fb.i8(t, 1, 0)), buffer, quant,
          bufferRanges[buffer][1] > 0));
    }
    tensors = List.copyOf(ts);
    inputs = fb.ints(sg, 1);
    outputs = fb.ints(sg, 2);
    for (int k : concat(inputs, outputs)) {
      if (k < 0 || k >= tensors.size()) {
        throw WeightFileException.of(source, "graph input or output names tensor " + k + " of " + tensors.size());
      }
    }
    int[] opTables = fb.tables(sg, 3);
    List<TfliteOperator> ops = new ArrayList<>(opTables.length);
    for (int i = 0; i < opTables.length; i++) {
      int op = opTables[i];
      int ci = fb.i32(op, 0, 0);
      if (ci < 0 || ci >= codes.length) {
        throw WeightFileException.of(source, "operator " + i + " has opcode index " + ci + " of " + codes.length);
      }
      int[] in = fb.ints(op, 1);
      int[] out = fb.ints(op, 2);
      if (out.length == 0) {
        throw WeightFileException.of(source, "operator " + i + " has no output");
      }
      for (int k : concat(in, out)) {
        if (k < -1 || k >= tensors.size()) {
          throw WeightFileException.of(source, "operator " + i + " names tensor " + k + " of " + tensors.size());
        }
      }
      for (int k : out) {
        if (k < 0) {
          throw WeightFileException.of(source, "operator " + i + " writes to no tensor (" + k + ")");
        }
      }
      int code = codes[ci];
      ops.add(new TfliteOperator(i, code, opName(code), custom[ci], opVersions[ci], in, out,
          options(fb, code, fb.u8(op, 3, 0), fb.table(op, 4))));
    }
    operators = List.copyOf(ops);
  }

  /**
   * Reads a {@code .tflite} file (at most 2 GiB).
   *
   * @throws WeightFileException if the file is missing, not a TFLite flatbuffer, truncated or corrupt
   */
  public static TfliteModel read(Path file) throws WeightFileException {
    return read(file, Integer.MAX_VALUE - 8);
  }

  /**
   * As {@link #read(Path)}, refusing before reading a file larger than {@code maxBytes}: the whole file is held in
   * memory, so a caller that knows what network the file should hold bounds it by that network's size.
   */
  public static TfliteModel read(Path file, long maxBytes) throws WeightFileException {
    String source = file.toString();
    StateDicts.checkRegularFile(file, source);
    try {
      long size = Files.size(file);
      if (size > Math.min(maxBytes, Integer.MAX_VALUE - 8)) {
        throw WeightFileException.of(source, "TFLite file of " + size + " bytes, more than the "
            + Math.min(maxBytes, Integer.MAX_VALUE - 8) + " this network may have");
      }
      return new TfliteModel(source, Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw WeightFileException.of(source, "file not found");
    } catch (IOException e) {
      throw WeightFileException.of(source, "cannot read: " + e.getMessage());
    }
  }

  /** A model from bytes already in memory ({@code source} names them in messages); for tests and fuzzing. */
  static TfliteModel parse(byte[] bytes, String source) throws WeightFileException {
    return new TfliteModel(source, bytes);
  }

  /** The schema version stored in the model (3 for current files). */
  public int version() {
    return version;
  }

  public String description() {
    return description;
  }

  /** Number of subgraphs; only the first (the main graph) is exposed. */
  public int subgraphCount() {
    return subgraphCount;
  }

  /** The main subgraph's tensors, by index. */
  public List<TfliteTensor> tensors() {
    return tensors;
  }

  public TfliteTensor tensor(int index) {
    return tensors.get(index);
  }

  /** The main subgraph's operators, in execution order. */
  public List<TfliteOperator> operators() {
    return operators;
  }

  /** Indices of the graph's input tensors. */
  public int[] inputs() {
    return inputs.clone();
  }

  /** Indices of the graph's output tensors. */
  public int[] outputs() {
    return outputs.clone();
  }

  /** The constant bytes of a tensor as stored (little-endian); empty for activations. */
  public byte[] rawData(int tensor) {
    long[] r = bufferRanges[tensors.get(tensor).buffer()];
    byte[] out = new byte[(int) r[1]];
    System.arraycopy(bytes, (int) r[0], out, 0, out.length);
    return out;
  }

  /**
   * The constant values of a tensor as float32, in its stored (C) order: float tensors as they are; quantised
   * integer tensors as (q − zero_point) × scale, per tensor or per channel along the quantised dimension (computed
   * in double, rounded once); other integers converted.
   *
   * @throws WeightFileException if the tensor has no constant data, an unsupported type, or data or scales that
   *     do not match its shape
   */
  public float[] dequantized(int tensor) throws WeightFileException {
    TfliteTensor t = tensors.get(tensor);
    if (!t.hasData()) {
      throw WeightFileException.of(source, "tensor " + tensor + " '" + t.name() + "' has no constant data");
    }
    long[] r = bufferRanges[t.buffer()];
    int width = t.type().size();
    long n = t.numel();
    if (width == 0 || t.type() == TfliteType.COMPLEX64 || t.type() == TfliteType.COMPLEX128) {
      throw WeightFileException.of(source, "tensor " + tensor + " '" + t.name() + "' has unsupported type "
          + t.type());
    }
    if (n < 0 || n > r[1] / width || n * width != r[1]) { // n < 0: a negative dimension or an overflow
      throw WeightFileException.of(source, "tensor " + tensor + " '" + t.name() + "' holds " + r[1]
          + " bytes, its shape " + java.util.Arrays.toString(t.shape()) + " of " + t.type() + " does not fit them");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int base = (int) r[0];
    float[] out = new float[(int) n];
    TfliteQuantization q = t.quantization();
    boolean floating = t.type() == TfliteType.FLOAT32 || t.type() == TfliteType.FLOAT16
        || t.type() == TfliteType.FLOAT64;
    if (floating || !q.isQuantized()) {
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) raw(b, t.type(), base + (long) i * width);
      }
      return out;
    }
    int[] shape = t.shape();
    int channels = 1;
    long inner = 1;
    if (q.isPerChannel()) {
      int qd = q.quantizedDimension();
      if (qd < 0 || qd >= shape.length || shape[qd] != q.scale().length) {
        throw WeightFileException.of(source, "tensor " + tensor + " '" + t.name() + "' has "
            + q.scale().length + " scales for dimension " + qd + " of " + java.util.Arrays.toString(shape));
      }
      channels = shape[qd];
      for (int d = qd + 1; d < shape.length; d++) {
        inner *= shape[d];
      }
    }
    int zps = q.zeroPoint().length;
    if (zps > 1 && zps != q.scale().length) {
      throw WeightFileException.of(source, "tensor " + tensor + " '" + t.name() + "' has " + zps
          + " zero points for " + q.scale().length + " scales");
    }
    for (int i = 0; i < out.length; i++) {
      int c = channels == 1 ? 0 : (int) ((i / inner) % channels);
      double v = raw(b, t.type(), base + (long) i * width);
      out[i] = (float) ((v - q.zeroPointAt(c)) * (double) q.scaleAt(c));
    }
    return out;
  }

  /** A constant tensor as a {@link Tensor} (name, TFLite shape, dequantised values). */
  public Tensor toTensor(int tensor) throws WeightFileException {
    TfliteTensor t = tensors.get(tensor);
    return new Tensor(t.name(), t.shape(), dequantized(tensor));
  }

  private static double raw(ByteBuffer b, TfliteType type, long pos) {
    int p = (int) pos;
    return switch (type) {
      case FLOAT32 -> b.getFloat(p);
      case FLOAT16 -> StorageType.halfToFloat(b.getShort(p));
      case FLOAT64 -> b.getDouble(p);
      case INT8 -> b.get(p);
      case UINT8, BOOL -> b.get(p) & 0xff;
      case INT16 -> b.getShort(p);
      case UINT16 -> b.getShort(p) & 0xffff;
      case INT32 -> b.getInt(p);
      case UINT32 -> b.getInt(p) & 0xffffffffL;
      case INT64 -> b.getLong(p);
      case UINT64 -> (double) b.getLong(p); // values ≥ 2^63 do not occur in weights
      default -> throw new IllegalStateException("unsupported type " + type);
    };
  }

  /** Longest tensor name kept whole; TensorFlow's run to a few hundred characters. */
  static final int MAX_NAME = 1024;

  /** A tensor name safe for one-line messages: control characters replaced, cut at {@link #MAX_NAME}. */
  private static String printable(String name) {
    String s = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) + "..." : name;
    return s.replaceAll("\\p{Cntrl}", "?");
  }

  static String opName(int code) {
    return code >= 0 && code < OPNAMES.length ? OPNAMES[code] : "BUILTIN_" + code;
  }

  /** Decodes the options tables for the operators a CNN converter needs (union types from schema.fbs). */
  private TfliteOptions options(Flatbuffer fb, int code, int unionType, int t) throws WeightFileException {
    if (t < 0) {
      return new TfliteOptions.None();
    }
    switch (unionType) {
      case 1: // Conv2DOptions
        return new TfliteOptions.Conv2D(padding(fb.i8(t, 0, 0)), fb.i32(t, 1, 0), fb.i32(t, 2, 0),
            activation(fb.i8(t, 3, 0)), fb.i32(t, 4, 1), fb.i32(t, 5, 1));
      case 2: // DepthwiseConv2DOptions
        return new TfliteOptions.DepthwiseConv2D(padding(fb.i8(t, 0, 0)), fb.i32(t, 1, 0), fb.i32(t, 2, 0),
            fb.i32(t, 3, 0), activation(fb.i8(t, 4, 0)), fb.i32(t, 5, 1), fb.i32(t, 6, 1));
      case 5: // Pool2DOptions
        return new TfliteOptions.Pool2D(padding(fb.i8(t, 0, 0)), fb.i32(t, 1, 0), fb.i32(t, 2, 0),
            fb.i32(t, 3, 0), fb.i32(t, 4, 0), activation(fb.i8(t, 5, 0)));
      case 8: // FullyConnectedOptions
        return new TfliteOptions.FullyConnected(activation(fb.i8(t, 0, 0)), fb.bool(t, 2, false));
      case 9: // SoftmaxOptions
        return new TfliteOptions.Softmax(fb.f32(t, 0, 0f));
      case 11: // AddOptions
      case 21: // MulOptions
      case 28: // SubOptions
        return new TfliteOptions.Elementwise(activation(fb.i8(t, 0, 0)));
      case 17: // ReshapeOptions
        return new TfliteOptions.Reshape(fb.ints(t, 0));
      case 27: // ReducerOptions
        return new TfliteOptions.Reducer(fb.bool(t, 0, false));
      default:
        return new TfliteOptions.None();
    }
  }

  private Padding padding(int v) throws WeightFileException {
    if (v < 0 || v > 1) {
      throw WeightFileException.of(source, "unknown padding " + v);
    }
    return Padding.values()[v];
  }

  private Activation activation(int v) throws WeightFileException {
    if (v < 0 || v >= Activation.values().length) {
      throw WeightFileException.of(source, "unknown fused activation " + v);
    }
    return Activation.values()[v];
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
