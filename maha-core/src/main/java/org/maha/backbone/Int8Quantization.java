package org.maha.backbone;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Static int8 quantization of a backbone graph in ONNX's QDQ form, calibrated on a few images: the opt-in
 * {@code --int8} of issue 12 (goal 1's last lever: int8 arithmetic on CPUs with VNNI).
 *
 * <p>What the rewrite does, for every {@code Conv} whose weight (and bias, if any) is a float32 initializer used by
 * that node only:
 * <ul>
 *   <li>weights become int8 initializers, symmetric per output channel (axis 0, zero point 0, range ±127), behind a
 *       {@code DequantizeLinear}; the bias becomes int32 at scale {@code input scale × weight scale}, as
 *       {@code QLinearConv} needs it;</li>
 *   <li>the Conv's input, and its output (or, when its only consumer is a {@code Relu} or {@code Clip}, that node's
 *       output, so the activation folds away), get {@code QuantizeLinear → DequantizeLinear} to uint8 with a scale
 *       and zero point from the smallest and largest value seen on the calibration images (range widened to hold
 *       0). uint8 activations with int8 weights (U8S8) is the form ONNX Runtime's CPU provider fuses into
 *       {@code QLinearConv} on x86-64 (its QDQ selector accepts int8 activations only where the platform allows).</li>
 * </ul>
 * Every other node (pooling, SE blocks' sigmoid and multiply, residual adds) runs as before, in float32 on the
 * dequantised values; the level taps ({@code GlobalAveragePool} outputs) stay float32. Conv outputs that are graph
 * outputs are left unquantized (ONNX Runtime does not fuse a group whose output leaves the graph).
 *
 * <p>Calibration: the graph is first run with every value to be quantized exposed as an extra float output (the
 * same in-memory splice as {@link InGraphPooling}); min/max over the calibration images set the scales. The graph
 * lives in memory only; what made it ({@link Int8Calibration}: the ranges and the switch) is in the backbone's
 * {@link BackboneSpec#int8() spec}, and so in any model fitted through it, and {@link #rebuild} makes the same bytes
 * again from the float file (a deterministic function of file and ranges, checked by SHA-256).
 */
public final class Int8Quantization {

  /** Most calibration images accepted: min/max settles within a few dozen; each image costs a full float run. */
  public static final int MAX_CALIBRATION_IMAGES = 256;

  static final String SUFFIX = "__maha_q8";

  /**
   * System property: {@code false} leaves Sigmoid and Mul in float32 between quantized convolutions (only Conv
   * inputs and outputs get Q/DQ). Default {@code true}.
   */
  static final String ELEMENTWISE = "maha.int8.elementwise";

  /**
   * System property: {@code minmax} (default) sets each activation's range from its smallest and largest value
   * over all calibration images; {@code mean-minmax} from the mean over images of each image's smallest and largest
   * value (narrower: finer steps for the bulk, outliers clipped).
   */
  static final String CALIBRATION = "maha.int8.calibration";

  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET = 8;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int FLOAT = 1;
  private static final int UINT8 = 2;
  private static final int INT8 = 3;
  private static final int INT32 = 6;

  private Int8Quantization() {}

  /**
   * What was quantized, for messages and reports.
   *
   * @param convs      Conv nodes quantized
   * @param convsTotal Conv nodes in the graph
   * @param activations activation values given Q/DQ pairs
   */
  public record Summary(int convs, int convsTotal, int activations, List<Double> levelDifference) {
    /**
     * @param levelDifference per level, max |int8 − float| / max |float| of the pooled features over the
     *                        calibration images
     */
    public Summary {
      levelDifference = List.copyOf(levelDifference);
    }

    /** The largest of {@link #levelDifference}. */
    public double worstDifference() {
      return levelDifference.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (double d : levelDifference) {
        sb.append(sb.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.3f", d));
      }
      return convs + " of " + convsTotal + " Conv nodes int8 (QDQ, u8 activations / s8 per-channel weights), "
          + activations + " activations calibrated; max |int8 - float| / max |float| per level on the "
          + "calibration images: " + sb;
    }
  }

  /**
   * An int8 backbone and what was quantized; the caller owns (closes) {@code backbone}.
   *
   * @param backbone the int8 QDQ graph, opened
   * @param summary  what was quantized, and how far its features are from the float graph's on the calibration images
   */
  public record Quantized(OnnxBackbone backbone, Summary summary) {}

  /**
   * A backbone on the int8 QDQ form of {@code onnxFile}, calibrated on {@code images} images, with what was
   * quantized.
   *
   * @param onnxFile    a float32 backbone graph (opset 13 or later)
   * @param options     as for {@link OnnxBackbone#open(Path, BackboneOptions)}
   * @param calibration {@code images × 3 × S × S} normalised floats, as {@link Backbone#extract} takes them
   * @param images      1 to {@link #MAX_CALIBRATION_IMAGES}
   * @throws BackboneException when the file cannot be opened, its opset is below 13, it has no quantizable Conv, or
   *                           ONNX Runtime refuses the rewritten graph
   */
  public static Quantized open(Path onnxFile, BackboneOptions options, float[] calibration, int images)
      throws BackboneException {
    Objects.requireNonNull(onnxFile, "onnxFile");
    Objects.requireNonNull(calibration, "calibration");
    if (images < 1 || images > MAX_CALIBRATION_IMAGES) {
      throw new IllegalArgumentException("images: expected 1.." + MAX_CALIBRATION_IMAGES + ", found " + images);
    }
    String label = onnxFile.toString();
    byte[] bytes = OnnxBackbone.readModel(onnxFile, label);
    String fileSha256 = OnnxBackbone.sha256Hex(bytes);
    BackboneOptions resolved = OnnxBackbone.withPresetDefaults(options, fileSha256);
    boolean elementwise = Boolean.parseBoolean(System.getProperty(ELEMENTWISE, "true"));
    Plan plan = plan(bytes, label, elementwise);
    List<Int8Calibration.Range> ranges = new ArrayList<>();
    double[][][] reference;
    List<String> fetched = plan.fetched();
    try (OnnxBackbone calib = OnnxBackbone.open(plan.calibrationModel(), label + " (int8 calibration)",
        OnnxBackbone.stem(onnxFile), resolved.withMaxBatch(1))) {
      if (calib.spec().floatsPerImage() * (long) images != calibration.length) {
        throw new IllegalArgumentException("calibration: expected " + images + " images of "
            + calib.spec().floatsPerImage() + " floats, found " + calibration.length + " floats");
      }
      reference = calib.extract(calibration, images);
      double[][][] r = calib.outputRanges(fetched, calibration, images);
      boolean mean = System.getProperty(CALIBRATION, "minmax").equals("mean-minmax");
      Map<String, double[]> measured = new HashMap<>();
      for (int k = 0; k < r.length; k++) {
        double lo = mean ? 0 : Double.POSITIVE_INFINITY;
        double hi = mean ? 0 : Double.NEGATIVE_INFINITY;
        for (double[] one : r[k]) {
          lo = mean ? lo + one[0] / images : Math.min(lo, one[0]);
          hi = mean ? hi + one[1] / images : Math.max(hi, one[1]);
        }
        measured.put(fetched.get(k), new double[] {lo, hi});
      }
      double inLo = Double.POSITIVE_INFINITY;
      double inHi = Double.NEGATIVE_INFINITY;
      for (float v : calibration) {
        inLo = Math.min(inLo, v);
        inHi = Math.max(inHi, v);
      }
      for (String p : plan.points) {
        double[] lh = plan.graphInputs.contains(p) ? new double[] {inLo, inHi} : measured.get(p);
        if (lh == null || !Double.isFinite(lh[0]) || !Double.isFinite(lh[1])) {
          throw new BackboneException(label + ": int8 calibration: activation '" + p + "' took no finite values "
              + "on the " + images + " calibration images");
        }
        ranges.add(new Int8Calibration.Range(p, lh[0], lh[1]));
      }
    }
    byte[] quantized = plan.quantize(ranges);
    Int8Calibration made = new Int8Calibration(OnnxBackbone.sha256Hex(quantized), images, elementwise, ranges);
    OnnxBackbone q = OnnxBackbone.open(quantized, label + " (int8 QDQ)", OnnxBackbone.stem(onnxFile), options,
        new OnnxBackbone.Int8Source(fileSha256, made));
    try {
      double[][][] got = q.extract(calibration, images);
      return new Quantized(q, new Summary(plan.convs.size(), plan.convsTotal, plan.points.size(),
          relativeDifference(reference, got)));
    } catch (BackboneException | RuntimeException e) {
      q.close();
      throw e;
    }
  }

  /**
   * The int8 graph {@code calibration} describes, rebuilt from the float32 file it was made from: the same bytes as
   * when it was calibrated (checked by SHA-256), so a saved model scores through the graph it was fitted with.
   *
   * @param onnxFile    the float32 file the calibration was made from (the caller checks its SHA-256 against the
   *                    model's)
   * @param options     as for {@link OnnxBackbone#open(Path, BackboneOptions)}
   * @param calibration as recorded in the model ({@link BackboneSpec#int8()})
   * @throws BackboneException when the file cannot be read, the ranges do not name the file's quantizable values,
   *                           or the rebuilt graph is not the recorded one (a maha whose rewrite differs)
   */
  public static OnnxBackbone rebuild(Path onnxFile, BackboneOptions options, Int8Calibration calibration)
      throws BackboneException {
    Objects.requireNonNull(onnxFile, "onnxFile");
    Objects.requireNonNull(calibration, "calibration");
    String label = onnxFile.toString();
    byte[] bytes = OnnxBackbone.readModel(onnxFile, label);
    String fileSha256 = OnnxBackbone.sha256Hex(bytes);
    Plan plan = plan(bytes, label, calibration.elementwise());
    List<String> recorded = calibration.ranges().stream().map(Int8Calibration.Range::name).toList();
    if (!recorded.equals(List.copyOf(plan.points))) {
      throw new BackboneException(label + ": the int8 calibration has ranges of " + recorded.size() + " values, but "
          + "the graph has " + plan.points.size() + " to quantize"
          + (recorded.size() == plan.points.size() ? " with other names" : "") + "; not the file it was made from");
    }
    byte[] quantized = plan.quantize(calibration.ranges());
    String sha = OnnxBackbone.sha256Hex(quantized);
    if (!sha.equals(calibration.graphSha256())) {
      throw new BackboneException(label + ": the int8 graph rebuilt from the recorded calibration has sha256 "
          + sha.substring(0, 12) + "..., the model was fitted with " + calibration.graphSha256().substring(0, 12)
          + "... (made by a maha whose int8 rewrite differs); fit the model again with this version");
    }
    return OnnxBackbone.open(quantized, label + " (int8 QDQ)", OnnxBackbone.stem(onnxFile), options,
        new OnnxBackbone.Int8Source(fileSha256, calibration));
  }

  private static Plan plan(byte[] bytes, String label, boolean elementwise) throws BackboneException {
    if (new String(bytes, StandardCharsets.ISO_8859_1).contains(SUFFIX)) {
      throw new BackboneException(label + ": already holds names ending in " + SUFFIX + " (quantized before?)");
    }
    Plan plan;
    try {
      plan = Plan.of(bytes, elementwise);
    } catch (BatchAxisRelaxer.ProtoFormatException e) {
      throw new BackboneException(label + ": not an ONNX model (" + e.getMessage() + ")", e);
    }
    if (plan.opset < 13) {
      throw new BackboneException(label + ": int8 needs ONNX opset 13 or later (per-channel DequantizeLinear), the "
          + "model has opset " + plan.opset);
    }
    if (plan.convs.isEmpty()) {
      throw new BackboneException(label + ": no Conv with float32 initializer weights to quantize to int8");
    }
    return plan;
  }

  /** Per level: max |b − a| / max |a| over images and features (0 where a is all zero). */
  static List<Double> relativeDifference(double[][][] a, double[][][] b) {
    List<Double> out = new ArrayList<>();
    for (int level = 0; level < a.length; level++) {
      double scale = 0;
      double diff = 0;
      for (int i = 0; i < a[level].length; i++) {
        for (int k = 0; k < a[level][i].length; k++) {
          scale = Math.max(scale, Math.abs(a[level][i][k]));
          diff = Math.max(diff, Math.abs(b[level][i][k] - a[level][i][k]));
        }
      }
      out.add(scale > 0 ? diff / scale : 0.0);
    }
    return out;
  }

  /**
   * The QDQ rewrite of a model with the given activation ranges (for tests and tools; {@link #open} calibrates
   * itself).
   *
   * @param model  a serialised float32 ModelProto
   * @param ranges min and max per activation to quantize; missing ones count as [0, 0]
   */
  static byte[] quantize(byte[] model, Map<String, double[]> ranges) throws BatchAxisRelaxer.ProtoFormatException {
    Plan plan = Plan.of(model, true);
    List<Int8Calibration.Range> list = new ArrayList<>();
    for (String p : plan.points) {
      double[] r = ranges.getOrDefault(p, new double[] {0, 0});
      list.add(new Int8Calibration.Range(p, r[0], r[1]));
    }
    return plan.quantize(list);
  }

  // ---- parsing -----------------------------------------------------------------------------------------------

  /** A top-level field of a message: number, and [start, end) of its bytes including the tag. */
  private record Field(int number, int start, int payloadFrom, int end) {}

  private record Node(Field field, String op, String domain, List<String> inputs, List<String> outputs) {}

  private record Init(Field field, String name, int dataType, long[] dims, float[] values) {}

  private record Conv(Node node, Init weight, Init bias, String outPoint) {}

  private static final class Plan {
    final byte[] model;
    final int[] graph; // tag start, payload from, payload to
    final int opset;
    final List<Field> graphFields = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    final Map<Integer, Node> nodeAt = new HashMap<>();
    final Map<String, Init> inits = new HashMap<>();
    final Map<Integer, Init> initAt = new HashMap<>();
    final Set<String> graphInputs = new LinkedHashSet<>();
    final Set<String> graphOutputs = new LinkedHashSet<>();
    final List<Conv> convs = new ArrayList<>();
    final Set<String> points = new LinkedHashSet<>();
    int convsTotal;

    private Plan(byte[] model, int[] graph, int opset) {
      this.model = model;
      this.graph = graph;
      this.opset = opset;
    }

    static Plan of(byte[] model, boolean elementwise) throws BatchAxisRelaxer.ProtoFormatException {
      int[] graph = null;
      int opset = Integer.MAX_VALUE;
      BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, 0, model.length);
      while (r.hasMore()) {
        int start = r.pos;
        long tag = r.varint();
        int field = (int) (tag >>> 3);
        int wt = (int) (tag & 7);
        if (wt == 2 && (field == MODEL_GRAPH || field == MODEL_OPSET)) {
          int len = r.length();
          if (field == MODEL_GRAPH) {
            if (graph != null) {
              throw new BatchAxisRelaxer.ProtoFormatException("more than one graph field");
            }
            graph = new int[] {start, r.pos, r.pos + len};
          } else {
            String domain = "";
            long version = -1;
            BatchAxisRelaxer.Reader o = new BatchAxisRelaxer.Reader(model, r.pos, r.pos + len);
            while (o.hasMore()) {
              long t = o.varint();
              int f = (int) (t >>> 3);
              int w = (int) (t & 7);
              if (f == 1 && w == 2) {
                int l = o.length();
                domain = new String(model, o.pos, l, StandardCharsets.UTF_8);
                o.pos += l;
              } else if (f == 2 && w == 0) {
                version = o.varint();
              } else {
                o.skip(f, w);
              }
            }
            if (domain.isEmpty() || domain.equals("ai.onnx")) {
              opset = (int) Math.min(version, Integer.MAX_VALUE);
            }
          }
          r.pos += len;
        } else {
          r.skip(field, wt);
        }
      }
      if (graph == null) {
        throw new BatchAxisRelaxer.ProtoFormatException("no graph");
      }
      Plan p = new Plan(model, graph, opset == Integer.MAX_VALUE ? 0 : opset);
      p.parseGraph();
      p.choose(elementwise);
      return p;
    }

    private void parseGraph() throws BatchAxisRelaxer.ProtoFormatException {
      BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, graph[1], graph[2]);
      while (r.hasMore()) {
        int start = r.pos;
        long tag = r.varint();
        int number = (int) (tag >>> 3);
        int wt = (int) (tag & 7);
        int payload = -1;
        if (wt == 2) {
          int len = r.length();
          payload = r.pos;
          r.pos += len;
        } else {
          r.skip(number, wt);
        }
        Field f = new Field(number, start, payload, r.pos);
        graphFields.add(f);
        if (wt != 2) {
          continue;
        }
        switch (number) {
          case GRAPH_NODE -> {
            Node n = parseNode(f);
            nodes.add(n);
            nodeAt.put(f.start(), n);
          }
          case GRAPH_INITIALIZER -> {
            Init i = parseTensor(f);
            inits.put(i.name(), i);
            initAt.put(f.start(), i);
          }
          case GRAPH_INPUT -> graphInputs.add(firstString(f, 1));
          case GRAPH_OUTPUT -> graphOutputs.add(firstString(f, 1));
          default -> { }
        }
      }
    }

    private Node parseNode(Field f) throws BatchAxisRelaxer.ProtoFormatException {
      List<String> in = new ArrayList<>();
      List<String> out = new ArrayList<>();
      String[] op = {"", ""};
      BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, f.payloadFrom(), f.end());
      r.forEachSubmessage(n -> n == 1 || n == 2 || n == 4 || n == 7, (n, from, to) -> {
        String s = new String(model, from, to - from, StandardCharsets.UTF_8);
        switch (n) {
          case 1 -> in.add(s);
          case 2 -> out.add(s);
          case 4 -> op[0] = s;
          default -> op[1] = s;
        }
      });
      return new Node(f, op[0], op[1], in, out);
    }

    private Init parseTensor(Field f) throws BatchAxisRelaxer.ProtoFormatException {
      BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, f.payloadFrom(), f.end());
      List<Long> dims = new ArrayList<>();
      int dataType = 0;
      String name = "";
      int[] raw = null;
      int[] packedFloats = null;
      boolean other = false;
      while (r.hasMore()) {
        long tag = r.varint();
        int n = (int) (tag >>> 3);
        int wt = (int) (tag & 7);
        if (n == 1 && wt == 0) {
          dims.add(r.varint());
        } else if (n == 1 && wt == 2) {
          int len = r.length();
          BatchAxisRelaxer.Reader d = new BatchAxisRelaxer.Reader(model, r.pos, r.pos + len);
          while (d.hasMore()) {
            dims.add(d.varint());
          }
          r.pos += len;
        } else if (n == 2 && wt == 0) {
          dataType = (int) r.varint();
        } else if ((n == 8 || n == 9 || n == 4) && wt == 2) {
          int len = r.length();
          if (n == 8) {
            name = new String(model, r.pos, len, StandardCharsets.UTF_8);
          } else if (n == 9) {
            raw = new int[] {r.pos, r.pos + len};
          } else {
            packedFloats = new int[] {r.pos, r.pos + len};
          }
          r.pos += len;
        } else {
          if (n == 4 || n == 13 || n == 14) {
            other = true; // unpacked float_data, external data: not read here
          }
          r.skip(n, wt);
        }
      }
      long[] d = dims.stream().mapToLong(Long::longValue).toArray();
      float[] values = null;
      int[] span = raw != null ? raw : packedFloats;
      if (dataType == FLOAT && !other && span != null && (raw == null || packedFloats == null)) {
        long count = 1;
        for (long x : d) {
          count *= x;
        }
        if (count >= 0 && count * 4 == span[1] - span[0]) {
          values = new float[(int) count];
          ByteBuffer.wrap(model, span[0], span[1] - span[0]).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
              .get(values);
        }
      }
      return new Init(f, name, dataType, d, values);
    }

    private String firstString(Field f, int number) throws BatchAxisRelaxer.ProtoFormatException {
      String[] s = {null};
      new BatchAxisRelaxer.Reader(model, f.payloadFrom(), f.end()).forEachSubmessage(n -> n == number,
          (n, from, to) -> {
            if (s[0] == null) {
              s[0] = new String(model, from, to - from, StandardCharsets.UTF_8);
            }
          });
      return s[0] == null ? "" : s[0];
    }

    /** Picks the Convs to quantize and the activations that get Q/DQ. */
    private void choose(boolean elementwise) {
      Map<String, Integer> uses = new HashMap<>();
      Map<String, List<Node>> consumers = new HashMap<>();
      for (Node n : nodes) {
        for (String in : n.inputs()) {
          uses.merge(in, 1, Integer::sum);
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
      for (Node n : nodes) {
        boolean defaultDomain = n.domain().isEmpty() || n.domain().equals("ai.onnx");
        if (!n.op().equals("Conv") || !defaultDomain) {
          continue;
        }
        convsTotal++;
        if (n.inputs().size() < 2 || n.inputs().size() > 3 || n.outputs().size() != 1) {
          continue;
        }
        Init w = inits.get(n.inputs().get(1));
        if (w == null || w.values() == null || w.dims().length != 4 || w.dims()[0] < 1
            || uses.getOrDefault(w.name(), 0) != 1 || graphInputs.contains(w.name())) {
          continue;
        }
        Init b = null;
        if (n.inputs().size() == 3 && !n.inputs().get(2).isEmpty()) {
          b = inits.get(n.inputs().get(2));
          if (b == null || b.values() == null || b.dims().length != 1 || b.dims()[0] != w.dims()[0]
              || uses.getOrDefault(b.name(), 0) != 1 || graphInputs.contains(b.name())) {
            continue;
          }
        }
        String x = n.inputs().get(0);
        String y = n.outputs().get(0);
        if (inits.containsKey(x) || graphOutputs.contains(y)) {
          continue;
        }
        String out = y;
        List<Node> next = consumers.getOrDefault(y, List.of());
        if (next.size() == 1 && (next.get(0).op().equals("Relu") || next.get(0).op().equals("Clip"))
            && next.get(0).outputs().size() == 1 && !graphOutputs.contains(next.get(0).outputs().get(0))) {
          out = next.get(0).outputs().get(0);
        }
        convs.add(new Conv(n, w, b, out));
        points.add(x);
        points.add(out);
      }
      if (!elementwise) {
        return;
      }
      // swish (Sigmoid, Mul) and squeeze-excitation products between quantized values: quantized too, so that ONNX
      // Runtime runs them as QLinearSigmoid / QLinearMul on uint8 instead of dequantising, computing in float32 and
      // quantizing again around every activation
      for (Node n : nodes) {
        if (n.outputs().size() != 1 || graphOutputs.contains(n.outputs().get(0))) {
          continue;
        }
        boolean sigmoid = n.op().equals("Sigmoid") && n.inputs().size() == 1 && points.contains(n.inputs().get(0));
        boolean mul = n.op().equals("Mul") && n.inputs().size() == 2 && points.contains(n.inputs().get(0))
            && points.contains(n.inputs().get(1));
        if (sigmoid || mul) {
          points.add(n.outputs().get(0));
        }
      }
    }

    /** The activations the calibration run fetches: every point that is not a graph input. */
    List<String> fetched() {
      return points.stream().filter(p -> !graphInputs.contains(p)).toList();
    }

    /** The model with each fetched activation declared as an extra float output. */
    byte[] calibrationModel() {
      ByteArrayOutputStream appendix = new ByteArrayOutputStream();
      for (String p : fetched()) {
        if (!graphOutputs.contains(p)) {
          writeMessage(appendix, GRAPH_OUTPUT, floatValueInfo(p));
        }
      }
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      payload.write(model, graph[1], graph[2] - graph[1]);
      payload.writeBytes(appendix.toByteArray());
      return withGraph(payload.toByteArray());
    }

    /** The rewrite, with one range per point, in {@link #points}' order (what a calibration records). */
    byte[] quantize(List<Int8Calibration.Range> list) {
      Map<String, double[]> ranges = new HashMap<>();
      for (Int8Calibration.Range r : list) {
        ranges.put(r.name(), new double[] {r.min(), r.max()});
      }
      Map<String, String> rename = new HashMap<>();
      Map<String, float[]> scale = new HashMap<>();
      Map<String, Integer> zeroPoint = new HashMap<>();
      for (String p : points) {
        rename.put(p, p + SUFFIX + "_dq");
        double[] r = ranges.getOrDefault(p, new double[] {0, 0});
        double lo = Math.min(0, r[0]);
        double hi = Math.max(0, r[1]);
        float s = hi - lo > 1e-30 && Double.isFinite(hi - lo) ? (float) ((hi - lo) / 255) : 1f;
        int zp = (int) Math.max(0, Math.min(255, Math.round(-lo / s)));
        scale.put(p, new float[] {s});
        zeroPoint.put(p, zp);
      }
      Set<String> replaced = new HashSet<>();
      Map<Node, Conv> convOf = new LinkedHashMap<>();
      for (Conv c : convs) {
        convOf.put(c.node(), c);
        replaced.add(c.weight().name());
        if (c.bias() != null) {
          replaced.add(c.bias().name());
        }
      }
      ByteArrayOutputStream g = new ByteArrayOutputStream(model.length);
      ByteArrayOutputStream newInits = new ByteArrayOutputStream(model.length / 4 + 1024);
      // activation Q/DQ constants
      for (String p : points) {
        writeMessage(newInits, GRAPH_INITIALIZER, tensor(p + SUFFIX + "_s", new long[0], FLOAT, floats(scale.get(p))));
        writeMessage(newInits, GRAPH_INITIALIZER, tensor(p + SUFFIX + "_z", new long[0], UINT8,
            new byte[] {(byte) (int) zeroPoint.get(p)}));
      }
      boolean firstNode = true;
      for (Field f : graphFields) {
        if (f.number() == GRAPH_NODE && f.payloadFrom() >= 0) {
          Node n = nodeAt.get(f.start());
          if (firstNode) {
            firstNode = false;
            for (String p : points) {
              if (graphInputs.contains(p)) {
                writeQdq(g, p);
              }
            }
          }
          Conv c = convOf.get(n);
          Map<String, String> nodeRename = rename;
          if (c != null) {
            nodeRename = new HashMap<>(rename);
            String xName = c.node().inputs().get(0);
            float sx = scale.get(xName)[0];
            String w = c.weight().name();
            nodeRename.put(w, w + SUFFIX + "_wdq");
            float[] sw = quantizeWeight(c.weight(), newInits);
            writeMessage(g, GRAPH_NODE, node(w + SUFFIX + "_wdq", "DequantizeLinear",
                List.of(w + SUFFIX + "_w", w + SUFFIX + "_ws", w + SUFFIX + "_wz"), List.of(w + SUFFIX + "_wdq"),
                0L));
            if (c.bias() != null) {
              String b = c.bias().name();
              nodeRename.put(b, b + SUFFIX + "_bdq");
              quantizeBias(c.bias(), sx, sw, newInits);
              writeMessage(g, GRAPH_NODE, node(b + SUFFIX + "_bdq", "DequantizeLinear",
                  List.of(b + SUFFIX + "_b", b + SUFFIX + "_bs", b + SUFFIX + "_bz"),
                  List.of(b + SUFFIX + "_bdq"), 0L));
            }
          }
          writeRenamedNode(g, f, nodeRename);
          for (String out : n.outputs()) {
            if (points.contains(out)) {
              writeQdq(g, out);
            }
          }
        } else if (f.number() == GRAPH_INITIALIZER && f.payloadFrom() >= 0) {
          Init i = initAt.get(f.start());
          if (i == null || !replaced.contains(i.name())) {
            g.write(model, f.start(), f.end() - f.start());
          }
        } else {
          g.write(model, f.start(), f.end() - f.start());
        }
      }
      g.writeBytes(newInits.toByteArray());
      return withGraph(g.toByteArray());
    }

    private void writeQdq(ByteArrayOutputStream g, String p) {
      List<String> params = List.of(p + SUFFIX + "_s", p + SUFFIX + "_z");
      writeMessage(g, GRAPH_NODE, node(p + SUFFIX + "_q", "QuantizeLinear",
          List.of(p, params.get(0), params.get(1)), List.of(p + SUFFIX + "_q"), null));
      writeMessage(g, GRAPH_NODE, node(p + SUFFIX + "_dq", "DequantizeLinear",
          List.of(p + SUFFIX + "_q", params.get(0), params.get(1)), List.of(p + SUFFIX + "_dq"), null));
    }

    /** Per output channel symmetric int8 weights; returns the scales (float32, as stored). */
    private static float[] quantizeWeight(Init w, ByteArrayOutputStream inits) {
      int m = (int) w.dims()[0];
      float[] v = w.values();
      int per = v.length / m;
      float[] s = new float[m];
      byte[] q = new byte[v.length];
      for (int c = 0; c < m; c++) {
        double amax = 0;
        for (int i = c * per; i < (c + 1) * per; i++) {
          amax = Math.max(amax, Math.abs(v[i]));
        }
        s[c] = amax > 0 && Double.isFinite(amax) ? (float) (amax / 127) : 1f;
        for (int i = c * per; i < (c + 1) * per; i++) {
          q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / (double) s[c])));
        }
      }
      String name = w.name();
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_w", w.dims(), INT8, q));
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_ws", new long[] {m}, FLOAT, floats(s)));
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_wz", new long[] {m}, INT8, new byte[m]));
      return s;
    }

    /** int32 bias at scale sx × sw[c] (what QLinearConv adds to its int32 accumulator). */
    private static void quantizeBias(Init b, float sx, float[] sw, ByteArrayOutputStream inits) {
      int m = sw.length;
      float[] s = new float[m];
      int[] q = new int[m];
      for (int c = 0; c < m; c++) {
        s[c] = sx * sw[c];
        double v = s[c] > 0 ? b.values()[c] / (double) s[c] : 0;
        q[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, Math.round(v)));
      }
      ByteBuffer qb = ByteBuffer.allocate(4 * m).order(ByteOrder.LITTLE_ENDIAN);
      qb.asIntBuffer().put(q);
      String name = b.name();
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_b", new long[] {m}, INT32, qb.array()));
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_bs", new long[] {m}, FLOAT, floats(s)));
      writeMessage(inits, GRAPH_INITIALIZER, tensor(name + SUFFIX + "_bz", new long[] {m}, INT32, new byte[4 * m]));
    }

    /** The node's bytes with inputs renamed; every other field copied as is. */
    private void writeRenamedNode(ByteArrayOutputStream g, Field f, Map<String, String> rename) {
      ByteArrayOutputStream n = new ByteArrayOutputStream(f.end() - f.payloadFrom() + 64);
      BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, f.payloadFrom(), f.end());
      try {
        while (r.hasMore()) {
          int start = r.pos;
          long tag = r.varint();
          int number = (int) (tag >>> 3);
          int wt = (int) (tag & 7);
          if (number == 1 && wt == 2) {
            int len = r.length();
            String s = new String(model, r.pos, len, StandardCharsets.UTF_8);
            r.pos += len;
            writeString(n, 1, rename.getOrDefault(s, s));
          } else {
            r.skip(number, wt);
            n.write(model, start, r.pos - start);
          }
        }
      } catch (BatchAxisRelaxer.ProtoFormatException e) {
        throw new IllegalStateException("node parsed before but not now", e);
      }
      writeMessage(g, GRAPH_NODE, n.toByteArray());
    }

    private byte[] withGraph(byte[] payload) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + payload.length - (graph[2] - graph[1]));
      out.write(model, 0, graph[0]);
      writeMessage(out, MODEL_GRAPH, payload);
      out.write(model, graph[2], model.length - graph[2]);
      return out.toByteArray();
    }
  }

  // ---- writing -----------------------------------------------------------------------------------------------

  private static byte[] floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9. */
  private static byte[] tensor(String name, long[] dims, int dataType, byte[] raw) {
    ByteArrayOutputStream m = new ByteArrayOutputStream(raw.length + name.length() + 32);
    for (long d : dims) {
      writeVarint(m, (1L << 3));
      writeVarint(m, d);
    }
    writeVarint(m, (2L << 3));
    writeVarint(m, dataType);
    writeString(m, 8, name);
    writeMessage(m, 9, raw);
    return m.toByteArray();
  }

  /** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute {@code axis} = 5 when given. */
  private static byte[] node(String name, String op, List<String> inputs, List<String> outputs, Long axis) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    for (String in : inputs) {
      writeString(m, 1, in);
    }
    for (String out : outputs) {
      writeString(m, 2, out);
    }
    writeString(m, 3, name);
    writeString(m, 4, op);
    if (axis != null) {
      ByteArrayOutputStream a = new ByteArrayOutputStream();
      writeString(a, 1, "axis");
      writeVarint(a, 3L << 3);
      writeVarint(a, axis);
      writeVarint(a, 20L << 3);
      writeVarint(a, 2); // AttributeType INT
      writeMessage(m, 5, a.toByteArray());
    }
    return m.toByteArray();
  }

  /** ValueInfoProto of a float tensor without a shape. */
  private static byte[] floatValueInfo(String name) {
    ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
    writeVarint(tensorType, 1L << 3);
    writeVarint(tensorType, FLOAT);
    ByteArrayOutputStream type = new ByteArrayOutputStream();
    writeMessage(type, 1, tensorType.toByteArray());
    ByteArrayOutputStream v = new ByteArrayOutputStream();
    writeString(v, 1, name);
    writeMessage(v, 2, type.toByteArray());
    return v.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, int field, String s) {
    writeMessage(out, field, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeMessage(ByteArrayOutputStream out, int field, byte[] payload) {
    writeVarint(out, ((long) field << 3) | 2);
    writeVarint(out, payload.length);
    out.writeBytes(payload);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
