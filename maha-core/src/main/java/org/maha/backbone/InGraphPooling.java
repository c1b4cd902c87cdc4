package org.maha.backbone;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maha.onnx.PoolingAppendix;

/**
 * Appends a {@code GlobalAveragePool} node and graph output after each level output of an ONNX model that is a
 * declared rank-4 map, so that ONNX Runtime hands back C floats per level instead of the full C×H×W map.
 *
 * <p>Why: a user-supplied graph (e.g. the shared 9-tap MobileNetV2) outputs full maps; copying all of them out of
 * ONNX Runtime and averaging them in Java cost a third of the whole pipeline's throughput (issue 12). The rewrite
 * is a splice of the serialised model, done in memory at every open (a copy of the file's bytes, a few ms): no
 * cache file to keep in step with the model. The full outputs stay in the graph, so anomaly maps still come from
 * the same run.
 *
 * <p>Falls back (returns no plan) when a level's declaration is missing, not float32 or not rank 4, when it is
 * already 1×1, or when a new name would collide with any value, node, initializer, input or output name of the
 * graph; {@link OnnxBackbone} also falls back when ONNX Runtime refuses the rewritten model.
 */
final class InGraphPooling {

  /** Suffix of the pooled output added after level {@code L}: {@code L + SUFFIX}. */
  static final String SUFFIX = "__maha_gap";

  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int GRAPH_VALUE_INFO = 13;
  private static final int NODE_OUTPUT = 2;
  private static final int NODE_NAME = 3;
  private static final int TENSOR_NAME = 8;
  private static final int VALUE_INFO_NAME = 1;
  private static final int FLOAT = 1;

  /**
   * A rewritten model.
   *
   * @param bytes  the model with the pooling nodes and outputs appended
   * @param pooled per level (in the order asked for), the pooled output's name, or {@code null} where the level is
   *               pooled in Java (declared rank 2, or already 1×1)
   */
  record Plan(byte[] bytes, List<String> pooled) {}

  private InGraphPooling() {}

  /**
   * The model with in-graph pooling for each rank-4 level, or {@code null} when no level needs it or the model
   * cannot be rewritten safely (see the class comment).
   *
   * @param model  a serialised ModelProto. Not modified.
   * @param levels graph output names
   */
  static Plan plan(byte[] model, List<String> levels) {
    if (!OrtTuning.inGraphPooling()) {
      return null;
    }
    try {
      return planOrThrow(model, levels);
    } catch (BatchAxisRelaxer.ProtoFormatException | RuntimeException e) {
      return null; // the unmodified model is used; ONNX Runtime reports what is wrong with it, if anything
    }
  }

  private static Plan planOrThrow(byte[] model, List<String> levels) throws BatchAxisRelaxer.ProtoFormatException {
    int[] graph = findGraph(model);
    if (graph == null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    Map<String, long[]> outputShapes = new HashMap<>(); // declared float32 outputs: dims, -1 where unknown
    BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, graph[1], graph[2]);
    r.forEachSubmessage(f -> f == GRAPH_NODE || f == GRAPH_INITIALIZER || f == GRAPH_INPUT || f == GRAPH_OUTPUT
        || f == GRAPH_VALUE_INFO, (field, from, to) -> {
          switch (field) {
            case GRAPH_NODE -> strings(model, from, to, Set.of(NODE_OUTPUT, NODE_NAME), names);
            case GRAPH_INITIALIZER -> strings(model, from, to, Set.of(TENSOR_NAME), names);
            default -> {
              List<String> own = new ArrayList<>();
              strings(model, from, to, Set.of(VALUE_INFO_NAME), own);
              names.addAll(own);
              if (field == GRAPH_OUTPUT && own.size() == 1) {
                long[] dims = floatDims(model, from, to);
                if (dims != null) {
                  outputShapes.put(own.get(0), dims);
                }
              }
            }
          }
        });
    List<String> pooled = new ArrayList<>();
    List<String> from = new ArrayList<>();
    List<String> to = new ArrayList<>();
    for (String level : levels) {
      long[] dims = outputShapes.get(level);
      boolean map = dims != null && dims.length == 4 && !(dims[2] == 1 && dims[3] == 1);
      if (!map) {
        pooled.add(null);
        continue;
      }
      String name = level + SUFFIX;
      if (names.contains(name) || to.contains(name) || name.equals(level)) {
        return null;
      }
      pooled.add(name);
      from.add(level);
      to.add(name);
    }
    if (from.isEmpty()) {
      return null;
    }
    byte[] appendix = PoolingAppendix.globalAveragePools(from, to);
    return new Plan(splice(model, graph, appendix), java.util.Collections.unmodifiableList(pooled));
  }

  /**
   * {tag start, payload start, payload end} of the ModelProto's graph field, or null when there is not exactly one
   * (protobuf would merge several; such a file is left to ONNX Runtime).
   */
  private static int[] findGraph(byte[] model) throws BatchAxisRelaxer.ProtoFormatException {
    BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(model, 0, model.length);
    int[] found = null;
    int count = 0;
    while (r.hasMore()) {
      int start = r.pos;
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == MODEL_GRAPH && wireType == 2) {
        int len = r.length();
        found = new int[] {start, r.pos, r.pos + len};
        count++;
        r.pos += len;
      } else {
        r.skip(field, wireType);
      }
    }
    return count == 1 ? found : null;
  }

  /** The model with {@code appendix} added at the end of the graph's payload; every other byte is copied. */
  private static byte[] splice(byte[] model, int[] graph, byte[] appendix) {
    int tagStart = graph[0];
    int from = graph[1];
    int to = graph[2];
    ByteArrayOutputStream out = new ByteArrayOutputStream(model.length + appendix.length + 8);
    out.write(model, 0, tagStart);
    writeVarint(out, ((long) MODEL_GRAPH << 3) | 2);
    writeVarint(out, (long) (to - from) + appendix.length);
    out.write(model, from, to - from);
    out.write(appendix, 0, appendix.length);
    out.write(model, to, model.length - to);
    return out.toByteArray();
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Adds the string fields numbered in {@code wanted} of the message [from, to) to {@code into}. */
  private static void strings(byte[] b, int from, int to, Set<Integer> wanted, java.util.Collection<String> into)
      throws BatchAxisRelaxer.ProtoFormatException {
    new BatchAxisRelaxer.Reader(b, from, to).forEachSubmessage(wanted::contains,
        (field, f, t) -> into.add(new String(b, f, t - f, StandardCharsets.UTF_8)));
  }

  /**
   * The declared dims of a ValueInfoProto's float32 tensor type (-1 for a symbolic or absent dim_value), or null
   * when it is not a float32 tensor or has no shape.
   */
  private static long[] floatDims(byte[] b, int from, int to) throws BatchAxisRelaxer.ProtoFormatException {
    int[] type = sub(b, from, to, 2);
    int[] tensor = type == null ? null : sub(b, type[0], type[1], 1);
    if (tensor == null) {
      return null;
    }
    BatchAxisRelaxer.Reader r = new BatchAxisRelaxer.Reader(b, tensor[0], tensor[1]);
    long elemType = -1;
    int[] shape = null;
    while (r.hasMore()) {
      long tag = r.varint();
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (field == 1 && wireType == 0) {
        elemType = r.varint();
      } else if (field == 2 && wireType == 2) {
        int len = r.length();
        shape = new int[] {r.pos, r.pos + len};
        r.pos += len;
      } else {
        r.skip(field, wireType);
      }
    }
    if (elemType != FLOAT || shape == null) {
      return null;
    }
    List<Long> dims = new ArrayList<>();
    new BatchAxisRelaxer.Reader(b, shape[0], shape[1]).forEachSubmessage(f -> f == 1, (field, f, t) -> {
      BatchAxisRelaxer.Reader d = new BatchAxisRelaxer.Reader(b, f, t);
      long value = -1;
      while (d.hasMore()) {
        long tag = d.varint();
        int df = (int) (tag >>> 3);
        int wt = (int) (tag & 7);
        if (df == 1 && wt == 0) {
          value = d.varint();
        } else {
          d.skip(df, wt);
        }
      }
      dims.add(value);
    });
    long[] out = new long[dims.size()];
    Arrays.setAll(out, dims::get);
    return out;
  }

  /** [from, to) of the last length-delimited field {@code number} of the message [from, to), or null. */
  private static int[] sub(byte[] b, int from, int to, int number) throws BatchAxisRelaxer.ProtoFormatException {
    int[][] found = new int[1][];
    new BatchAxisRelaxer.Reader(b, from, to).forEachSubmessage(f -> f == number,
        (field, f, t) -> found[0] = new int[] {f, t});
    return found[0];
  }
}
