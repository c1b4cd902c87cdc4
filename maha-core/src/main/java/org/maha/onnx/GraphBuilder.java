package org.maha.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.maha.weights.Tensor;

/**
 * Builds an ONNX inference graph over float32 NCHW tensors with a symbolic batch axis {@code "N"}, and writes it as
 * a ModelProto (IR version 8, default opset 17, producer "maha").
 *
 * <p>Every operation takes value names and returns the name of its result, and tracks the result's shape, so that
 * a wrong weight shape fails here, naming the weight, instead of inside ONNX Runtime. Dimensions are given
 * without the batch axis where a method builds an input; the shapes this class reports include it as {@code -1}.
 *
 * <p>The graphs are laid out for ONNX Runtime's optimiser: convolutions keep NCHW with their bias inside the
 * {@code Conv} (so Conv+Relu and Conv+Add+Relu fuse), weights are initializers in {@code raw_data} (constant,
 * foldable), there are no Transpose nodes, and {@link #output} renames a value instead of adding an Identity
 * (one is added only when the value is a graph input or already an output under another name).
 *
 * <p>Not thread-safe; weight arrays are referenced, not copied, until {@link #toModelBytes()} (do not modify them
 * in between).
 */
public final class GraphBuilder {

  /** ONNX IR version written: 8 (ONNX 1.10-1.12), which covers opsets 13-17. */
  public static final int IR_VERSION = 8;
  /** Opset used unless another is asked for. */
  public static final int DEFAULT_OPSET = 17;
  /** Value of ModelProto.producer_name. */
  public static final String PRODUCER = "maha";

  private static final int BATCH = -1;

  private final String graphName;
  private final int opset;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> producers = new HashMap<>();
  private final Map<String, int[]> shapes = new HashMap<>();
  private final Map<String, String> renamed = new HashMap<>();
  private final Map<String, Initializer> initializers = new LinkedHashMap<>();
  private final List<String> inputs = new ArrayList<>();
  private final List<String> outputs = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private int nodeCounter;

  /** A graph with the {@link #DEFAULT_OPSET default opset}. */
  public GraphBuilder(String graphName) {
    this(graphName, DEFAULT_OPSET);
  }

  /**
   * @param graphName GraphProto.name
   * @param opset     default-domain opset, 13 to 17 (the operators used here have the same semantics throughout)
   */
  public GraphBuilder(String graphName, int opset) {
    this.graphName = Objects.requireNonNull(graphName, "graphName");
    if (opset < 13 || opset > 17) {
      throw new IllegalArgumentException("opset: expected 13..17, found " + opset);
    }
    this.opset = opset;
  }

  // ---- values ------------------------------------------------------------------------------------------------

  /**
   * Declares a float32 graph input {@code [N, dims...]}.
   *
   * @return the input's name
   */
  public String input(String name, int... dims) {
    checkNewName(name);
    for (int d : dims) {
      positive(d, "input " + name + " dimension");
    }
    int[] shape = prepend(BATCH, dims);
    shapes.put(name, shape);
    inputs.add(name);
    return name;
  }

  /**
   * Adds a float32 constant (stored as raw_data). The array is referenced, not copied.
   *
   * @param nameHint the initializer's name; a suffix {@code _1}, {@code _2}, ... is added if it is taken
   * @return the initializer's name
   */
  public String initializer(String nameHint, int[] shape, float[] data) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(nameHint + ": negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(nameHint + ": shape " + Arrays.toString(shape) + " holds " + n
          + " values, data has " + data.length);
    }
    String name = uniqueName(nameHint);
    initializers.put(name, new Initializer(name, shape.clone(), data, null));
    shapes.put(name, shape.clone());
    return name;
  }

  /** A graph value's shape, batch axis as {@code -1}. */
  public int[] shape(String value) {
    return shapeOf(value).clone();
  }

  /** Adds a key/value pair to ModelProto.metadata_props (e.g. provenance of the weights). */
  public void metadata(String key, String value) {
    metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  // ---- operators ---------------------------------------------------------------------------------------------

  /**
   * 2-D convolution of an {@code [N, C, H, W]} value.
   *
   * @param weight    {@code [O, C/groups, kH, kW]}
   * @param bias      {@code [O]}, or {@code null} for none
   * @param strides   {@code {sH, sW}}
   * @param pads      ONNX order {@code {top, left, bottom, right}}
   * @param groups    1 for a dense convolution, C for depthwise
   * @param dilations {@code {dH, dW}}
   */
  public String conv(String x, Tensor weight, Tensor bias, int[] strides, int[] pads, int groups,
      int[] dilations) {
    int[] in = shapeOf(x);
    requireRank(x, in, 4);
    requireRank(weight.name(), weight.shape(), 4);
    checkLength("strides", strides, 2);
    checkLength("pads", pads, 4);
    checkLength("dilations", dilations, 2);
    positive(groups, weight.name() + " groups");
    int c = in[1];
    int o = weight.dim(0);
    if (c % groups != 0 || o % groups != 0 || weight.dim(1) * groups != c) {
      throw new IllegalArgumentException(weight.name() + ": shape " + Arrays.toString(weight.shape())
          + " does not fit an input of " + c + " channels in " + groups + " group(s) (expected [O, " + c / groups
          + ", kH, kW] with O divisible by " + groups + ")");
    }
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != o)) {
      throw new IllegalArgumentException(bias.name() + ": expected shape [" + o + "], found "
          + Arrays.toString(bias.shape()));
    }
    int kh = weight.dim(2);
    int kw = weight.dim(3);
    int oh = outSize(in[2], kh, strides[0], pads[0], pads[2], dilations[0], weight.name());
    int ow = outSize(in[3], kw, strides[1], pads[1], pads[3], dilations[1], weight.name());
    List<String> ins = new ArrayList<>(List.of(resolve(x), tensorInitializer(weight)));
    if (bias != null) {
      ins.add(tensorInitializer(bias));
    }
    return addNode("Conv", ins, new int[] {in[0], o, oh, ow},
        Attribute.Ints.of("dilations", dilations),
        new Attribute.Int("group", groups),
        Attribute.Ints.of("kernel_shape", kh, kw),
        Attribute.Ints.of("pads", pads),
        Attribute.Ints.of("strides", strides));
  }

  /** max(x, 0). */
  public String relu(String x) {
    return addNode("Relu", List.of(resolve(x)), shapeOf(x));
  }

  /** 1 / (1 + exp(-x)). */
  public String sigmoid(String x) {
    return addNode("Sigmoid", List.of(resolve(x)), shapeOf(x));
  }

  /**
   * exp(x) / Σ exp(x) along the last axis: class probabilities from classifier scores. Opset 13 and later
   * normalise along {@code axis} alone (opset 11 flattened the trailing axes), so with axis = −1 the node means
   * the same for every opset this builder writes.
   */
  public String softmax(String x) {
    int[] in = shapeOf(x);
    if (in.length < 1) {
      throw new IllegalArgumentException("Softmax on " + x + ": expected rank >= 1, found a scalar");
    }
    return addNode("Softmax", List.of(resolve(x)), in, new Attribute.Int("axis", -1));
  }

  /** min(max(x, min), max), e.g. ReLU6; bounds are scalar initializers as opset ≥ 11 requires. */
  public String clip(String x, float min, float max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException("clip: min " + min + " > max " + max);
    }
    String lo = initializer("clip_min", new int[0], new float[] {min});
    String hi = initializer("clip_max", new int[0], new float[] {max});
    return addNode("Clip", List.of(resolve(x), lo, hi), shapeOf(x));
  }

  /** Element-wise product with numpy broadcasting. */
  public String mul(String a, String b) {
    return addNode("Mul", List.of(resolve(a), resolve(b)), broadcast(a, b));
  }

  /** Element-wise sum with numpy broadcasting. */
  public String add(String a, String b) {
    return addNode("Add", List.of(resolve(a), resolve(b)), broadcast(a, b));
  }

  /**
   * 2-D max pooling (floor mode; padded positions never win).
   *
   * @param kernel  {@code {kH, kW}}
   * @param strides {@code {sH, sW}}
   * @param pads    {@code {top, left, bottom, right}}
   */
  public String maxPool(String x, int[] kernel, int[] strides, int[] pads) {
    int[] in = shapeOf(x);
    requireRank(x, in, 4);
    checkLength("kernel", kernel, 2);
    checkLength("strides", strides, 2);
    checkLength("pads", pads, 4);
    int oh = outSize(in[2], kernel[0], strides[0], pads[0], pads[2], 1, "MaxPool on " + x);
    int ow = outSize(in[3], kernel[1], strides[1], pads[1], pads[3], 1, "MaxPool on " + x);
    return addNode("MaxPool", List.of(resolve(x)), new int[] {in[0], in[1], oh, ow},
        Attribute.Ints.of("kernel_shape", kernel),
        Attribute.Ints.of("pads", pads),
        Attribute.Ints.of("strides", strides));
  }

  /** Mean over H×W: {@code [N, C, H, W] → [N, C, 1, 1]}. */
  public String globalAveragePool(String x) {
    int[] in = shapeOf(x);
    requireRank(x, in, 4);
    return addNode("GlobalAveragePool", List.of(resolve(x)), new int[] {in[0], in[1], 1, 1});
  }

  /** {@code [N, d1, d2, ...] → [N, d1·d2·...]} (axis 1). */
  public String flatten(String x) {
    int[] in = shapeOf(x);
    int n = 1;
    for (int i = 1; i < in.length; i++) {
      n *= in[i];
    }
    return addNode("Flatten", List.of(resolve(x)), new int[] {in[0], n}, new Attribute.Int("axis", 1));
  }

  /**
   * Fully connected layer as PyTorch's {@code nn.Linear} stores it: {@code y = x·Wᵀ + b}.
   *
   * @param x      {@code [N, in]}
   * @param weight {@code [out, in]}
   * @param bias   {@code [out]}, or {@code null}
   */
  public String gemm(String x, Tensor weight, Tensor bias) {
    int[] in = shapeOf(x);
    requireRank(x, in, 2);
    requireRank(weight.name(), weight.shape(), 2);
    if (weight.dim(1) != in[1]) {
      throw new IllegalArgumentException(weight.name() + ": shape " + Arrays.toString(weight.shape())
          + " does not fit an input of " + in[1] + " features (expected [out, " + in[1] + "])");
    }
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
      throw new IllegalArgumentException(bias.name() + ": expected shape [" + weight.dim(0) + "], found "
          + Arrays.toString(bias.shape()));
    }
    List<String> ins = new ArrayList<>(List.of(resolve(x), tensorInitializer(weight)));
    if (bias != null) {
      ins.add(tensorInitializer(bias));
    }
    return addNode("Gemm", ins, new int[] {in[0], weight.dim(0)}, new Attribute.Int("transB", 1));
  }

  /**
   * Zero padding of H and W of an {@code [N, C, H, W]} value (e.g. asymmetric TF-"SAME" padding).
   *
   * @param pads {@code {top, left, bottom, right}}, non-negative
   */
  public String pad(String x, int[] pads) {
    int[] in = shapeOf(x);
    requireRank(x, in, 4);
    checkLength("pads", pads, 4);
    for (int p : pads) {
      if (p < 0) {
        throw new IllegalArgumentException("pad: negative padding " + Arrays.toString(pads));
      }
    }
    String padsName = uniqueName("pads");
    long[] all = {0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]};
    initializers.put(padsName, new Initializer(padsName, new int[] {8}, null, all));
    shapes.put(padsName, new int[] {8});
    return addNode("Pad", List.of(resolve(x), padsName),
        new int[] {in[0], in[1], in[2] + pads[0] + pads[2], in[3] + pads[1] + pads[3]},
        new Attribute.Str("mode", "constant"));
  }

  /**
   * Makes a value a graph output named {@code name}, with the value's tracked shape. The value is renamed (every
   * earlier name keeps working in later calls); an Identity node is added only when the value is a graph input,
   * an initializer, or already an output.
   *
   * @return {@code name}
   */
  public String output(String name, String value) {
    String v = resolve(value);
    int[] shape = shapeOf(v);
    if (name.equals(v) && producers.containsKey(v) && !outputs.contains(v)) {
      outputs.add(v);
      return name;
    }
    checkNewName(name);
    Node producer = producers.get(v);
    if (producer == null || outputs.contains(v)) {
      addNamedNode("Identity", List.of(v), name, shape, List.of());
    } else {
      producer.outputs.replaceAll(o -> o.equals(v) ? name : o);
      for (Node n : nodes) {
        n.inputs.replaceAll(i -> i.equals(v) ? name : i);
      }
      producers.remove(v);
      producers.put(name, producer);
      shapes.remove(v);
      shapes.put(name, shape);
      renamed.put(v, name);
    }
    outputs.add(name);
    return name;
  }

  // ---- serialisation -----------------------------------------------------------------------------------------

  /**
   * The ModelProto bytes: ir_version 8, producer "maha", the graph, opset_import (default domain), metadata.
   *
   * @throws IllegalStateException when the graph has no input or no output, or exceeds 2 GiB
   */
  public byte[] toModelBytes() {
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalStateException("graph " + graphName + ": needs at least one input and one output");
    }
    ProtoMessage graph = new ProtoMessage();
    for (Node n : nodes) {
      graph.message(1, OnnxProto.node(n.name, n.opType, n.inputs, n.outputs, n.attributes));
    }
    graph.string(2, graphName);
    for (Initializer init : initializers.values()) {
      graph.message(5, init.floats != null
          ? OnnxProto.floatTensor(init.name, init.dims, init.floats)
          : OnnxProto.int64Tensor(init.name, init.dims, init.longs));
    }
    for (String in : inputs) {
      graph.message(11, OnnxProto.floatValueInfo(in, shapes.get(in)));
    }
    for (String out : outputs) {
      graph.message(12, OnnxProto.floatValueInfo(out, shapes.get(out)));
    }
    ProtoMessage model = new ProtoMessage()
        .varint(1, IR_VERSION)
        .string(2, PRODUCER)
        .message(7, graph)
        .message(8, new ProtoMessage().string(1, "").varint(2, opset));
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      model.message(14, new ProtoMessage().string(1, e.getKey()).string(2, e.getValue()));
    }
    return model.toByteArray();
  }

  /** Node count per operator type, in first-use order (for tests and diagnostics). */
  public Map<String, Integer> operatorCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Node n : nodes) {
      counts.merge(n.opType, 1, Integer::sum);
    }
    return counts;
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private static final class Node {
    final String name;
    final String opType;
    final List<String> inputs;
    final List<String> outputs;
    final List<Attribute> attributes;

    Node(String name, String opType, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
      this.name = name;
      this.opType = opType;
      this.inputs = new ArrayList<>(inputs);
      this.outputs = new ArrayList<>(outputs);
      this.attributes = List.copyOf(attributes);
    }
  }

  /** A constant: exactly one of {@code floats} (raw_data) and {@code longs} (int64_data) is set. */
  private record Initializer(String name, int[] dims, float[] floats, long[] longs) {}

  private String addNode(String opType, List<String> ins, int[] outShape, Attribute... attributes) {
    String name = uniqueName(opType + "_" + nodeCounter);
    return addNamedNode(opType, ins, name, outShape, List.of(attributes));
  }

  private String addNamedNode(String opType, List<String> ins, String out, int[] outShape,
      List<Attribute> attributes) {
    Node n = new Node(opType + "_" + nodeCounter++, opType, ins, List.of(out), attributes);
    nodes.add(n);
    producers.put(out, n);
    shapes.put(out, outShape.clone());
    return out;
  }

  private String tensorInitializer(Tensor t) {
    return initializer(t.name(), t.shape(), t.data());
  }

  private String resolve(String value) {
    String v = value;
    while (renamed.containsKey(v)) {
      v = renamed.get(v);
    }
    return v;
  }

  private int[] shapeOf(String value) {
    int[] s = shapes.get(resolve(value));
    if (s == null) {
      throw new IllegalArgumentException("unknown value '" + value + "' in graph " + graphName);
    }
    return s;
  }

  private boolean taken(String name) {
    return shapes.containsKey(name) || renamed.containsKey(name);
  }

  private void checkNewName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("value name must not be empty");
    }
    if (taken(name)) {
      throw new IllegalArgumentException("value name '" + name + "' is already used in graph " + graphName);
    }
  }

  private String uniqueName(String hint) {
    if (!taken(hint)) {
      return hint;
    }
    for (int i = 1; ; i++) {
      String candidate = hint + "_" + i;
      if (!taken(candidate)) {
        return candidate;
      }
    }
  }

  private int[] broadcast(String a, String b) {
    int[] x = shapeOf(a);
    int[] y = shapeOf(b);
    int rank = Math.max(x.length, y.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int dx = i - (rank - x.length) >= 0 ? x[i - (rank - x.length)] : 1;
      int dy = i - (rank - y.length) >= 0 ? y[i - (rank - y.length)] : 1;
      if (dx == dy || dy == 1) {
        out[i] = dx;
      } else if (dx == 1) {
        out[i] = dy;
      } else {
        throw new IllegalArgumentException("cannot broadcast '" + a + "' " + Arrays.toString(x) + " with '" + b
            + "' " + Arrays.toString(y));
      }
    }
    return out;
  }

  private static int outSize(int in, int k, int stride, int padBegin, int padEnd, int dilation, String what) {
    positive(stride, what + " stride");
    positive(dilation, what + " dilation");
    if (padBegin < 0 || padEnd < 0) {
      throw new IllegalArgumentException(what + ": negative padding");
    }
    int span = dilation * (k - 1) + 1;
    int padded = in + padBegin + padEnd;
    if (padded < span) {
      throw new IllegalArgumentException(what + ": kernel span " + span + " exceeds the padded input size "
          + padded);
    }
    return (padded - span) / stride + 1;
  }

  private static void requireRank(String what, int[] shape, int rank) {
    if (shape.length != rank) {
      throw new IllegalArgumentException(what + ": expected rank " + rank + ", found shape "
          + Arrays.toString(shape));
    }
  }

  private static void checkLength(String what, int[] values, int n) {
    if (values.length != n) {
      throw new IllegalArgumentException(what + ": expected " + n + " values, found " + Arrays.toString(values));
    }
  }

  private static void positive(int v, String what) {
    if (v < 1) {
      throw new IllegalArgumentException(what + ": expected >= 1, found " + v);
    }
  }

  private static int[] prepend(int first, int[] rest) {
    int[] out = new int[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
