package org.maha.backbone;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.maha.onnx.GraphBuilder;
import org.maha.weights.Tensor;

/**
 * What a backbone graph costs and what the machine can do, for {@code maha bench}: the multiply-adds of one image
 * counted from the ONNX graph, and the fp32 GEMM rate of ONNX Runtime on this machine at a given thread count (the
 * "peak" that images/s are set against).
 *
 * <p>MACs are those of the Conv, ConvTranspose, Gemm and MatMul nodes (everything else — activations, pooling,
 * additions — is memory traffic, under 1 % of the arithmetic in a CNN): Conv = |output| · C_in/group · kH · kW,
 * ConvTranspose = |input| · |W| / C_in, Gemm and MatMul = |output| · K. The shapes come from ONNX Runtime itself,
 * not from a shape inference of ours: a copy of the model declares every such node's output and operands as extra
 * graph outputs (appended to the serialised GraphProto with the protobuf wire format, as {@link BatchAxisRelaxer}
 * reads it) and runs one zero image through it, unoptimised, so any exporter's graph is counted as it runs. FLOPs
 * = 2 · MACs.
 */
public final class GraphCost {
  private static final int WT_VARINT = 0;
  private static final int WT_I64 = 1;
  private static final int WT_LEN = 2;
  private static final int WT_I32 = 5;

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_I = 3;
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_NAME = 8;
  private static final int VALUE_INFO_NAME = 1;

  private static final Set<String> COUNTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  private GraphCost() {}

  /**
   * The arithmetic of one image through a graph.
   *
   * @param macsPerImage multiply-adds of the counted nodes for one image
   * @param nodesByOp    how many nodes of each counted op type the graph has
   * @param inputShape   the input shape that was run (batch 1)
   */
  public record Cost(long macsPerImage, Map<String, Integer> nodesByOp, long[] inputShape) {
    /** 2 · MACs / 10⁹. */
    public double gflopsPerImage() {
      return 2.0 * macsPerImage / 1e9;
    }
  }

  private record Node(String op, List<String> inputs, List<String> outputs, boolean transA) {}

  /**
   * Counts the multiply-adds of one image through {@code model} (serialised ModelProto; not modified), run once on
   * one thread with a zero input whose symbolic dimensions are 1 (batch) and {@code inputSizePx} (the others).
   *
   * @throws BackboneException when the bytes are not an ONNX model or ONNX Runtime cannot run it
   */
  public static Cost count(byte[] model, int inputSizePx) throws BackboneException {
    Map<String, long[]> initializerDims = new HashMap<>();
    Set<String> outputs = new LinkedHashSet<>();
    List<Node> nodes = new ArrayList<>();
    int[] graphSpan;
    try {
      graphSpan = parse(model, initializerDims, outputs, nodes);
    } catch (RuntimeException e) {
      throw new BackboneException("cannot read the ONNX graph to count its operations (" + e.getMessage() + ")", e);
    }
    Map<String, Integer> byOp = new LinkedHashMap<>();
    Set<String> wanted = new LinkedHashSet<>(); // values whose shapes are needed: fetched from the run
    Set<String> added = new LinkedHashSet<>(); // those of them that are not yet graph outputs
    for (Node n : nodes) {
      if (COUNTED.contains(n.op) && n.inputs.size() >= 2 && !n.outputs.isEmpty()) {
        byOp.merge(n.op, 1, Integer::sum);
        for (String v : List.of(n.outputs.get(0), n.inputs.get(0), n.inputs.get(1))) {
          if (!initializerDims.containsKey(v)) {
            wanted.add(v);
            if (!outputs.contains(v)) {
              added.add(v);
            }
          }
        }
      }
    }
    byte[] extended = withOutputs(model, graphSpan, added);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      so.setIntraOpNumThreads(1);
      so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      try (OrtSession session = env.createSession(extended, so)) {
        Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
        long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape().clone();
        for (int i = 0; i < shape.length; i++) {
          if (shape[i] < 1) {
            shape[i] = i == 0 ? 1 : inputSizePx;
          }
        }
        long size = 1;
        for (long s : shape) {
          size *= s;
        }
        Map<String, long[]> shapes = new HashMap<>(initializerDims);
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.allocate(Math.toIntExact(size)), shape);
            OrtSession.Result result = session.run(Map.of(input.getKey(), x), new LinkedHashSet<>(wanted))) {
          for (Map.Entry<String, OnnxValue> e : result) {
            if (e.getValue() instanceof OnnxTensor t) {
              shapes.put(e.getKey(), t.getInfo().getShape());
            }
          }
        }
        long macs = 0;
        for (Node n : nodes) {
          if (byOp.containsKey(n.op) && n.inputs.size() >= 2 && !n.outputs.isEmpty()) {
            macs += macs(n, shapes);
          }
        }
        return new Cost(macs, byOp, shape);
      }
    } catch (OrtException | ArithmeticException e) {
      throw new BackboneException("ONNX Runtime cannot run the graph to count its operations (" + e.getMessage()
          + ")", e);
    }
  }

  private static long macs(Node n, Map<String, long[]> shapes) {
    long[] out = shapes.get(n.outputs.get(0));
    long[] a = shapes.get(n.inputs.get(0));
    long[] w = shapes.get(n.inputs.get(1));
    if (out == null || a == null || w == null || w.length == 0) {
      return 0;
    }
    switch (n.op) {
      case "Conv":
        return product(out, 0) * product(w, 1);
      case "ConvTranspose":
        return product(a, 0) * product(w, 1);
      case "Gemm":
        return product(out, 0) * (n.transA ? a[0] : a[a.length - 1]);
      default: // MatMul
        return product(out, 0) * a[a.length - 1];
    }
  }

  private static long product(long[] dims, int from) {
    long p = 1;
    for (int i = from; i < dims.length; i++) {
      p = Math.multiplyExact(p, dims[i]);
    }
    return p;
  }

  /**
   * The fp32 GEMM rate of ONNX Runtime at {@code threads} intra-op threads (0: its default, all cores), in
   * GFLOP/s: the best of repeated {@code size}³ products (a Gemm node with a constant weight, the form a
   * convolution's im2col product takes) over about {@code seconds}. This is the machine's practical fp32 peak
   * for this engine; theoretical peaks (cores · GHz · FMA width) are rarely reached by any library.
   */
  public static double gemmPeakGflops(int threads, int size, double seconds) throws BackboneException {
    GraphBuilder g = new GraphBuilder("gemm_peak");
    String x = g.input("x", size); // [N, size]: N = size rows at run time
    SplittableRandom rnd = new SplittableRandom(7);
    float[] w = new float[size * size];
    float[] in = new float[size * size];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rnd.nextDouble() - 0.5);
      in[i] = (float) (rnd.nextDouble() - 0.5);
    }
    g.output("y", g.gemm(x, new Tensor("w", new int[] {size, size}, w), null));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (threads > 0) {
        so.setIntraOpNumThreads(threads);
      }
      so.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      try (OrtSession session = env.createSession(g.toModelBytes(), so);
          OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {size, size})) {
        double flops = 2.0 * size * size * size;
        double best = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        for (int run = 0; run < 3 || (System.nanoTime() < deadline && run < 1000); run++) {
          long t0 = System.nanoTime();
          OrtSession.Result r = session.run(Map.of("x", t));
          double sec = (System.nanoTime() - t0) / 1e9;
          r.close();
          if (run > 0) { // the first run allocates
            best = Math.max(best, flops / sec / 1e9);
          }
        }
        return best;
      }
    } catch (OrtException e) {
      throw new BackboneException("ONNX Runtime cannot run the GEMM peak graph (" + e.getMessage() + ")", e);
    }
  }

  // ---- protobuf wire format ----------------------------------------------------------------------------------

  /** Reads the graph's nodes, initializer dims and outputs; returns {start, end} of the graph field's payload. */
  private static int[] parse(byte[] b, Map<String, long[]> initDims, Set<String> outputs, List<Node> nodes) {
    int[] span = null;
    int[] pos = {0};
    while (pos[0] < b.length) {
      long tag = varint(b, pos);
      int field = (int) (tag >>> 3);
      int wt = (int) (tag & 7);
      if (field == MODEL_GRAPH && wt == WT_LEN) {
        int len = length(b, pos);
        span = new int[] {pos[0], pos[0] + len};
        pos[0] += len;
      } else {
        skip(b, pos, wt);
      }
    }
    if (span == null) {
      throw new IllegalArgumentException("no graph (ModelProto field 7) in " + b.length + " bytes");
    }
    pos[0] = span[0];
    while (pos[0] < span[1]) {
      long tag = varint(b, pos);
      int field = (int) (tag >>> 3);
      int wt = (int) (tag & 7);
      if (wt != WT_LEN) {
        skip(b, pos, wt);
        continue;
      }
      int len = length(b, pos);
      int start = pos[0];
      int end = start + len;
      if (field == GRAPH_NODE) {
        nodes.add(node(b, start, end));
      } else if (field == GRAPH_INITIALIZER) {
        initializer(b, start, end, initDims);
      } else if (field == GRAPH_OUTPUT || field == GRAPH_INPUT) {
        String name = stringField(b, start, end, VALUE_INFO_NAME);
        if (name != null && field == GRAPH_OUTPUT) {
          outputs.add(name);
        }
      }
      pos[0] = end;
    }
    return span;
  }

  private static Node node(byte[] b, int start, int end) {
    List<String> ins = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    String op = "";
    boolean transA = false;
    int[] pos = {start};
    while (pos[0] < end) {
      long tag = varint(b, pos);
      int field = (int) (tag >>> 3);
      int wt = (int) (tag & 7);
      if (wt == WT_LEN && (field == NODE_INPUT || field == NODE_OUTPUT || field == NODE_OP_TYPE)) {
        int len = length(b, pos);
        String s = new String(b, pos[0], len, StandardCharsets.UTF_8);
        pos[0] += len;
        if (field == NODE_INPUT) {
          ins.add(s);
        } else if (field == NODE_OUTPUT) {
          outs.add(s);
        } else {
          op = s;
        }
      } else if (wt == WT_LEN && field == NODE_ATTRIBUTE) {
        int len = length(b, pos);
        if ("transA".equals(stringField(b, pos[0], pos[0] + len, ATTRIBUTE_NAME))) {
          transA = intField(b, pos[0], pos[0] + len, ATTRIBUTE_I) != 0;
        }
        pos[0] += len;
      } else {
        skip(b, pos, wt);
      }
    }
    return new Node(op, ins, outs, transA);
  }

  private static void initializer(byte[] b, int start, int end, Map<String, long[]> initDims) {
    List<Long> dims = new ArrayList<>();
    String name = null;
    int[] pos = {start};
    while (pos[0] < end) {
      long tag = varint(b, pos);
      int field = (int) (tag >>> 3);
      int wt = (int) (tag & 7);
      if (field == TENSOR_DIMS && wt == WT_VARINT) {
        dims.add(varint(b, pos));
      } else if (field == TENSOR_DIMS && wt == WT_LEN) { // packed
        int len = length(b, pos);
        int stop = pos[0] + len;
        while (pos[0] < stop) {
          dims.add(varint(b, pos));
        }
      } else if (field == TENSOR_NAME && wt == WT_LEN) {
        int len = length(b, pos);
        name = new String(b, pos[0], len, StandardCharsets.UTF_8);
        pos[0] += len;
      } else {
        skip(b, pos, wt);
      }
    }
    if (name != null) {
      initDims.put(name, dims.stream().mapToLong(Long::longValue).toArray());
    }
  }

  private static String stringField(byte[] b, int start, int end, int wanted) {
    int[] pos = {start};
    while (pos[0] < end) {
      long tag = varint(b, pos);
      int wt = (int) (tag & 7);
      if ((int) (tag >>> 3) == wanted && wt == WT_LEN) {
        int len = length(b, pos);
        return new String(b, pos[0], len, StandardCharsets.UTF_8);
      }
      skip(b, pos, wt);
    }
    return null;
  }

  private static long intField(byte[] b, int start, int end, int wanted) {
    int[] pos = {start};
    while (pos[0] < end) {
      long tag = varint(b, pos);
      int wt = (int) (tag & 7);
      if ((int) (tag >>> 3) == wanted && wt == WT_VARINT) {
        return varint(b, pos);
      }
      skip(b, pos, wt);
    }
    return 0;
  }

  /** The model with a ValueInfoProto {name} graph output appended for each of {@code names}. */
  private static byte[] withOutputs(byte[] model, int[] graphSpan, Set<String> names) {
    ByteArrayOutputStream extra = new ByteArrayOutputStream();
    for (String name : names) {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream vi = new ByteArrayOutputStream();
      writeVarint(vi, (VALUE_INFO_NAME << 3) | WT_LEN);
      writeVarint(vi, n.length);
      vi.writeBytes(n);
      writeVarint(extra, (GRAPH_OUTPUT << 3) | WT_LEN);
      writeVarint(extra, vi.size());
      extra.write(vi.toByteArray(), 0, vi.size());
    }
    int graphLen = graphSpan[1] - graphSpan[0] + extra.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + extra.size() + 16);
    // every field except the graph as it was, then the graph with the outputs appended (field order is free)
    int[] pos = {0};
    while (pos[0] < model.length) {
      int start = pos[0];
      long tag = varint(model, pos);
      int wt = (int) (tag & 7);
      if ((int) (tag >>> 3) == MODEL_GRAPH && wt == WT_LEN) {
        int len = length(model, pos);
        pos[0] += len;
      } else {
        skip(model, pos, wt);
        out.write(model, start, pos[0] - start);
      }
    }
    writeVarint(out, (MODEL_GRAPH << 3) | WT_LEN);
    writeVarint(out, graphLen);
    out.write(model, graphSpan[0], graphSpan[1] - graphSpan[0]);
    out.write(extra.toByteArray(), 0, extra.size());
    return out.toByteArray();
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated varint");
      }
      int x = b[pos[0]++];
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static int length(byte[] b, int[] pos) {
    long len = varint(b, pos);
    if (len < 0 || len > b.length - pos[0]) {
      throw new IllegalArgumentException("length " + len + " beyond the end of the message");
    }
    return (int) len;
  }

  private static void skip(byte[] b, int[] pos, int wt) {
    switch (wt) {
      case WT_VARINT -> varint(b, pos);
      case WT_I64 -> pos[0] += 8;
      case WT_LEN -> {
        int len = length(b, pos); // read first: pos[0] += length(...) would add to the position before the length
        pos[0] += len;
      }
      case WT_I32 -> pos[0] += 4;
      default -> throw new IllegalArgumentException("unsupported wire type " + wt);
    }
    if (pos[0] > b.length) {
      throw new IllegalArgumentException("field beyond the end of the message");
    }
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
