package org.maha.arch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maha.onnx.GraphBuilder;
import org.maha.weights.TfliteModel;
import org.maha.weights.TfliteOperator;
import org.maha.weights.TfliteOptions;
import org.maha.weights.TfliteQuantization;
import org.maha.weights.TfliteTensor;
import org.maha.weights.TfliteType;
import org.maha.weights.Tensor;
import org.maha.weights.WeightFileException;

/**
 * Translates a TFLite CNN graph into {@link GraphBuilder} calls, operator by operator, for {@link MobileNetV2}.
 * TFLite activations are NHWC, the ONNX graph is NCHW throughout: weights are permuted once here (OHWI → OIHW,
 * depthwise 1HWC → C1HW with group = C), so the graph has no Transpose. Every translated operator's result shape
 * is checked against the shape the file declares, so a layout mistake fails at build time, naming the operator.
 *
 * <p>Only the operators the requested outputs depend on are translated (the classifier is skipped without
 * {@code logits}). QUANTIZE and DEQUANTIZE become no-ops: everything is computed in float32 with dequantised
 * weights. One converter per graph; not thread-safe.
 */
final class MobileNetV2Converter {

  /** Largest input side accepted: the images are resized to it, so it bounds the memory of every later step. */
  static final int MAX_INPUT_PX = 4096;
  /** Largest padding, stride or dilation accepted; MobileNetV2 uses 0 to 2. */
  static final int MAX_WINDOW = 64;

  private final String source;
  private final TfliteModel model;
  private final GraphBuilder g;
  /** TFLite tensor index → ONNX value name. */
  private final Map<Integer, String> values = new HashMap<>();
  /** ONNX value → its GlobalAveragePool, so a tap's pooled output and the classifier's MEAN share one node. */
  private final Map<String, String> pooled = new HashMap<>();

  private MobileNetV2Converter(String source, TfliteModel model, String graphName) {
    this.source = source;
    this.model = model;
    this.g = new GraphBuilder(graphName);
  }

  /**
   * @param taps     TFLite tensors of L0..L8
   * @param logits   TFLite tensor of the classifier scores, or −1 for none
   * @param fullMaps also output the un-pooled taps
   */
  static byte[] convert(String source, TfliteModel model, int[] taps, int logits, boolean fullMaps)
      throws ArchitectureException {
    int[] inputs = model.inputs();
    if (inputs.length != 1) {
      throw new ArchitectureException(source + ": expected one graph input (the image), found " + inputs.length);
    }
    TfliteTensor in = model.tensor(inputs[0]);
    int[] shape = in.shape();
    if (shape.length != 4 || shape[3] != 3 || shape[1] < 1 || shape[2] < 1 || shape[1] > MAX_INPUT_PX
        || shape[2] > MAX_INPUT_PX) {
      throw new ArchitectureException(source + ": input '" + in.name() + "' has shape " + Arrays.toString(shape)
          + ", expected [1, H, W, 3] (NHWC RGB)");
    }
    checkInputRange(source, in);
    MobileNetV2Converter c = new MobileNetV2Converter(source, model, "mobilenet_v2_1.0_" + shape[1]);
    c.values.put(in.index(), c.g.input("input", 3, shape[1], shape[2]));
    int[] wanted = logits >= 0 ? Arrays.copyOf(taps, taps.length + 1) : taps.clone();
    if (logits >= 0) {
      wanted[taps.length] = logits;
    }
    Set<Integer> needed = c.neededOperators(wanted);
    for (TfliteOperator op : model.operators()) {
      if (needed.contains(op.index())) {
        c.translate(op);
      }
    }
    return c.finish(taps, logits, fullMaps);
  }

  private byte[] finish(int[] taps, int logits, boolean fullMaps) throws ArchitectureException {
    try {
      for (int level = 0; level < taps.length; level++) {
        String v = value(taps[level]);
        g.output(MobileNetV2.LEVELS.get(level), g.flatten(pooled.computeIfAbsent(v, g::globalAveragePool)));
      }
      if (fullMaps) {
        for (int level = 0; level < taps.length; level++) {
          g.output(MobileNetV2.LEVELS.get(level) + MobileNetV2.MAP_SUFFIX, value(taps[level]));
        }
      }
      if (logits >= 0) {
        String scores = value(logits);
        g.output(MobileNetV2.LOGITS, scores);
        g.output(MobileNetV2.PROBABILITIES, g.softmax(scores));
      }
    } catch (IllegalArgumentException e) {
      throw new ArchitectureException(source + ": " + e.getMessage(), e);
    }
    g.metadata("maha.architecture", "mobilenet_v2_1.0_" + g.shape("input")[2]);
    g.metadata("maha.weights", source);
    g.metadata("maha.input", "x / 127.5 - 1 for 8-bit RGB pixels x, NCHW");
    g.metadata("maha.tflite_taps", Arrays.toString(taps));
    return g.toModelBytes();
  }

  /** The operators that produce the wanted tensors, directly or through their inputs. */
  private Set<Integer> neededOperators(int[] wanted) {
    Set<Integer> tensors = new HashSet<>();
    for (int t : wanted) {
      tensors.add(t);
    }
    Set<Integer> ops = new HashSet<>();
    List<TfliteOperator> all = model.operators();
    for (int i = all.size() - 1; i >= 0; i--) {
      TfliteOperator op = all.get(i);
      boolean used = false;
      for (int o : op.outputs()) {
        used |= tensors.contains(o);
      }
      if (used) {
        ops.add(op.index());
        for (int t : op.inputs()) {
          if (t >= 0 && !model.tensor(t).hasData()) {
            tensors.add(t);
          }
        }
      }
    }
    return ops;
  }

  // ---- operators ---------------------------------------------------------------------------------------------

  private void translate(TfliteOperator op) throws ArchitectureException {
    int[] ins = op.inputs();
    int out = op.outputs()[0];
    int need = op.opName().equals("ADD") ? 2 : 1;
    if (ins.length < need) {
      throw fail(op, "has " + ins.length + " inputs, expected at least " + need);
    }
    try {
      String y;
      switch (op.opName()) {
        case "QUANTIZE":
        case "DEQUANTIZE":
          y = value(ins[0]); // activation quantisation dropped: the float value stands for it
          break;
        case "CONV_2D":
          y = conv(op, options(op, TfliteOptions.Conv2D.class));
          break;
        case "DEPTHWISE_CONV_2D":
          y = depthwise(op, options(op, TfliteOptions.DepthwiseConv2D.class));
          break;
        case "ADD":
          y = activation(op, g.add(value(ins[0]), value(ins[1])),
              options(op, TfliteOptions.Elementwise.class).activation());
          break;
        case "PAD":
          y = pad(op);
          break;
        case "MEAN":
          y = mean(op, options(op, TfliteOptions.Reducer.class));
          break;
        case "RESHAPE":
          y = reshape(op);
          break;
        case "FULLY_CONNECTED":
          y = fullyConnected(op, options(op, TfliteOptions.FullyConnected.class));
          break;
        default:
          throw fail(op, "operator not supported by the MobileNetV2 converter (supported: CONV_2D, "
              + "DEPTHWISE_CONV_2D, ADD, PAD, MEAN, RESHAPE, FULLY_CONNECTED, QUANTIZE, DEQUANTIZE)");
      }
      int[] expected = nchw(model.tensor(out).shape());
      if (!Arrays.equals(g.shape(y), expected)) {
        throw fail(op, "result has shape " + Arrays.toString(g.shape(y)) + " (NCHW), the file declares "
            + Arrays.toString(model.tensor(out).shape()) + " (NHWC), i.e. " + Arrays.toString(expected));
      }
      values.put(out, y);
    } catch (IllegalArgumentException | WeightFileException e) {
      throw fail(op, e.getMessage());
    }
  }

  private String conv(TfliteOperator op, TfliteOptions.Conv2D o) throws ArchitectureException,
      WeightFileException {
    String x = value(op.inputs()[0]);
    int wIndex = constant(op, 1);
    int[] ws = model.tensor(wIndex).shape(); // OHWI
    if (ws.length != 4) {
      throw fail(op, "weight has shape " + Arrays.toString(ws) + ", expected [O, kH, kW, I]");
    }
    Tensor w = new Tensor(shortName(wIndex), new int[] {ws[0], ws[3], ws[1], ws[2]},
        permute(model.dequantized(wIndex), ws, new int[] {0, 3, 1, 2}));
    int[] strides = {o.strideH(), o.strideW()};
    int[] dilations = {o.dilationH(), o.dilationW()};
    String y = g.conv(x, w, bias(op, ws[0]), strides, pads(op, o.padding(), g.shape(x), ws[1], ws[2], strides,
        dilations), 1, dilations);
    return activation(op, y, o.activation());
  }

  private String depthwise(TfliteOperator op, TfliteOptions.DepthwiseConv2D o) throws ArchitectureException,
      WeightFileException {
    String x = value(op.inputs()[0]);
    int channels = g.shape(x)[1];
    int wIndex = constant(op, 1);
    int[] ws = model.tensor(wIndex).shape(); // 1 × kH × kW × (C · multiplier)
    if (ws.length != 4 || ws[0] != 1 || ws[3] != channels * o.depthMultiplier()) {
      throw fail(op, "depthwise weight has shape " + Arrays.toString(ws) + ", expected [1, kH, kW, "
          + channels + " × " + o.depthMultiplier() + "]");
    }
    // output channel c·m + j of TFLite is ONNX group c's j-th filter: the same flat order
    Tensor w = new Tensor(shortName(wIndex), new int[] {ws[3], 1, ws[1], ws[2]},
        permute(model.dequantized(wIndex), ws, new int[] {3, 0, 1, 2}));
    int[] strides = {o.strideH(), o.strideW()};
    int[] dilations = {o.dilationH(), o.dilationW()};
    String y = g.conv(x, w, bias(op, ws[3]), strides, pads(op, o.padding(), g.shape(x), ws[1], ws[2], strides,
        dilations), channels, dilations);
    return activation(op, y, o.activation());
  }

  private String pad(TfliteOperator op) throws ArchitectureException, WeightFileException {
    int p = constant(op, 1);
    float[] v = model.dequantized(p);
    if (v.length != 8 || v[0] != 0 || v[1] != 0 || v[6] != 0 || v[7] != 0) {
      throw fail(op, "paddings " + Arrays.toString(v) + " pad more than H and W (expected [[0, 0], [t, b], "
          + "[l, r], [0, 0]])");
    }
    for (int i = 2; i < 6; i++) {
      if (!(v[i] >= 0 && v[i] <= MAX_WINDOW && v[i] == Math.rint(v[i]))) {
        throw fail(op, "paddings " + Arrays.toString(v) + " must be whole numbers from 0 to " + MAX_WINDOW);
      }
    }
    // a quantised PAD fills with the zero point, i.e. with real 0: plain zero padding in float
    return g.pad(value(op.inputs()[0]), new int[] {(int) v[2], (int) v[4], (int) v[3], (int) v[5]});
  }

  private String mean(TfliteOperator op, TfliteOptions.Reducer o) throws ArchitectureException,
      WeightFileException {
    float[] axes = model.dequantized(constant(op, 1));
    Arrays.sort(axes);
    String x = value(op.inputs()[0]);
    if (g.shape(x).length != 4 || !Arrays.equals(axes, new float[] {1, 2})) {
      throw fail(op, "only the spatial mean of an NHWC map (axes [1, 2]) is supported, found axes "
          + Arrays.toString(axes));
    }
    String y = pooled.computeIfAbsent(x, g::globalAveragePool);
    return o.keepDims() ? y : g.flatten(y);
  }

  private String reshape(TfliteOperator op) throws ArchitectureException {
    String x = value(op.inputs()[0]);
    int[] from = g.shape(x);
    int[] to = nchw(model.tensor(op.outputs()[0]).shape());
    if (Arrays.equals(from, to)) {
      return x;
    }
    // [N, C, 1, 1] → [N, C]: with H = W = 1 the NHWC and NCHW orders coincide
    if (from.length == 4 && from[2] == 1 && from[3] == 1 && to.length == 2 && to[1] == from[1]) {
      return g.flatten(x);
    }
    throw fail(op, "reshape " + Arrays.toString(from) + " → " + Arrays.toString(to) + " (NCHW) is not supported");
  }

  private String fullyConnected(TfliteOperator op, TfliteOptions.FullyConnected o) throws ArchitectureException,
      WeightFileException {
    String x = value(op.inputs()[0]);
    int[] s = g.shape(x);
    if (s.length == 4 && s[2] == 1 && s[3] == 1) {
      x = g.flatten(x);
    }
    int wIndex = constant(op, 1);
    TfliteTensor wt = model.tensor(wIndex);
    if (wt.shape().length != 2) {
      throw fail(op, "weight has shape " + Arrays.toString(wt.shape()) + ", expected [out, in]");
    }
    // TFLite keeps FULLY_CONNECTED weights as [out, in], like nn.Linear and Gemm with transB
    Tensor w = new Tensor(shortName(wIndex), wt.shape(), model.dequantized(wIndex));
    return activation(op, g.gemm(x, w, bias(op, wt.shape()[0])), o.activation());
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  /**
   * The bias as float32: a quantised int32 bias carries its own scales (input scale × weight scale per channel,
   * which TFLite requires), so dequantising it suffices; an int32 bias without scales gets that product here.
   */
  private Tensor bias(TfliteOperator op, int outChannels) throws ArchitectureException, WeightFileException {
    int[] ins = op.inputs();
    if (ins.length < 3 || ins[2] < 0) {
      return null;
    }
    int b = constant(op, 2);
    TfliteTensor bt = model.tensor(b);
    float[] data = model.dequantized(b);
    if (bt.type() == TfliteType.INT32 && !bt.quantization().isQuantized()) {
      TfliteQuantization xq = model.tensor(ins[0]).quantization();
      float[] ws = model.tensor(ins[1]).quantization().scale();
      if (!xq.isQuantized() || ws.length == 0 || (ws.length != 1 && ws.length != data.length)) {
        throw fail(op, "int32 bias without scales after an unquantised input or weight");
      }
      for (int c = 0; c < data.length; c++) {
        data[c] = (float) (data[c] * (double) xq.scale()[0] * ws[ws.length == 1 ? 0 : c]);
      }
    }
    if (data.length != outChannels) {
      throw fail(op, "bias has " + data.length + " values for " + outChannels + " output channels");
    }
    return new Tensor(shortName(b), new int[] {outChannels}, data);
  }

  private String activation(TfliteOperator op, String y, TfliteOptions.Activation a)
      throws ArchitectureException {
    switch (a) {
      case NONE:
        return y;
      case RELU:
        return g.relu(y);
      case RELU6:
        return g.clip(y, 0f, 6f);
      default:
        throw fail(op, "fused activation " + a + " is not supported (NONE, RELU, RELU6 are)");
    }
  }

  private int[] pads(TfliteOperator op, TfliteOptions.Padding padding, int[] in, int kh, int kw, int[] strides,
      int[] dilations) throws ArchitectureException {
    if (strides[0] < 1 || strides[1] < 1 || dilations[0] < 1 || dilations[1] < 1 || strides[0] > MAX_WINDOW
        || strides[1] > MAX_WINDOW || dilations[0] > MAX_WINDOW || dilations[1] > MAX_WINDOW) {
      throw fail(op, "strides " + Arrays.toString(strides) + " and dilations " + Arrays.toString(dilations)
          + " must be from 1 to " + MAX_WINDOW);
    }
    return padding == TfliteOptions.Padding.VALID ? new int[4]
        : samePads(in[2], in[3], kh, kw, strides, dilations);
  }

  /**
   * TF "SAME" padding as explicit ONNX pads {top, left, bottom, right}: output ceil(in / stride), the odd pixel of
   * the total padding at the bottom/right (a stride-2 3×3 conv at an even size pads (0, 0, 1, 1)).
   */
  static int[] samePads(int h, int w, int kh, int kw, int[] strides, int[] dilations) {
    int th = sameTotal(h, kh, strides[0], dilations[0]);
    int tw = sameTotal(w, kw, strides[1], dilations[1]);
    return new int[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
  }

  private static int sameTotal(int in, int k, int stride, int dilation) {
    int out = (in + stride - 1) / stride;
    return Math.max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  }

  /**
   * The image input must hold x / 127.5 − 1: the file's input quantisation has to map 8-bit pixels to that
   * range (Coral's: uint8 q → (q − 127) / 127.5, within one step of it). A float input is taken as is.
   */
  private static void checkInputRange(String source, TfliteTensor in) throws ArchitectureException {
    TfliteQuantization q = in.quantization();
    if (!q.isQuantized()) {
      return;
    }
    double scale = q.scale()[0];
    long zero = q.zeroPoint().length == 0 ? 0 : q.zeroPoint()[0];
    long black = in.type() == TfliteType.INT8 ? -128 : 0; // the stored value of pixel 0
    double realBlack = (black - zero) * scale;
    if (Math.abs(scale * 127.5 - 1) > 1e-4 || Math.abs(realBlack + 1) > scale * 1.0001) {
      throw new ArchitectureException(source + ": input '" + in.name() + "' is quantised with scale " + scale
          + " and zero point " + zero + ", which does not map 8-bit pixels to x / 127.5 - 1");
    }
  }

  /** Permutes a C-order array of shape {@code shape} so that output axis i is input axis {@code perm[i]}. */
  static float[] permute(float[] data, int[] shape, int[] perm) {
    int rank = shape.length;
    int[] outShape = new int[rank];
    for (int i = 0; i < rank; i++) {
      outShape[i] = shape[perm[i]];
    }
    int[] inStride = new int[rank];
    int s = 1;
    for (int i = rank - 1; i >= 0; i--) {
      inStride[i] = s;
      s *= shape[i];
    }
    float[] out = new float[data.length];
    int[] idx = new int[rank];
    for (int o = 0; o < out.length; o++) {
      int src = 0;
      for (int i = 0; i < rank; i++) {
        src += idx[i] * inStride[perm[i]];
      }
      out[o] = data[src];
      for (int i = rank - 1; i >= 0; i--) {
        if (++idx[i] < outShape[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return out;
  }

  /** A TFLite shape as this graph holds it: NHWC → NCHW for rank 4, batch as −1. */
  private static int[] nchw(int[] nhwc) {
    if (nhwc.length == 4) {
      return new int[] {-1, nhwc[3], nhwc[1], nhwc[2]};
    }
    int[] out = nhwc.clone();
    if (out.length > 0) {
      out[0] = -1;
    }
    return out;
  }

  private String value(int tensor) throws ArchitectureException {
    String v = values.get(tensor);
    if (v == null && tensor < 0) {
      throw new ArchitectureException(source + ": an operator reads optional input " + tensor
          + " where an activation is expected");
    }
    if (v == null) {
      throw new ArchitectureException(source + ": tensor " + tensor + " '" + model.tensor(tensor).name()
          + "' is used before any operator produces it, or is a constant where an activation is expected");
    }
    return v;
  }

  private int constant(TfliteOperator op, int input) throws ArchitectureException {
    int[] ins = op.inputs();
    if (input >= ins.length || ins[input] < 0 || !model.tensor(ins[input]).hasData()) {
      throw fail(op, "input " + input + " must be a constant tensor");
    }
    return ins[input];
  }

  private <T extends TfliteOptions> T options(TfliteOperator op, Class<T> type) throws ArchitectureException {
    if (!type.isInstance(op.options())) {
      throw fail(op, "options missing or of another kind (" + op.options() + ")");
    }
    return type.cast(op.options());
  }

  /** The first part of TFLite's ';'-joined tensor name, e.g. {@code MobileNetV2/Conv2d_0_0/Conv2D}. */
  private String shortName(int tensor) {
    String name = model.tensor(tensor).name();
    int semicolon = name.indexOf(';');
    String s = semicolon >= 0 ? name.substring(0, semicolon) : name;
    return s.isEmpty() ? "t" + tensor : s;
  }

  private ArchitectureException fail(TfliteOperator op, String message) {
    return new ArchitectureException(source + ": operator " + op.index() + " " + op.opName() + ": " + message);
  }
}
