package org.maha.onnx;

import java.util.List;

/**
 * GraphProto fields that add a {@code GlobalAveragePool} after existing values of a graph and declare each result
 * as a graph output: the bytes to append to a serialised GraphProto (protobuf concatenates repeated fields, so
 * appending them adds nodes and outputs without re-encoding the rest of the graph).
 *
 * <p>Why: for an ONNX file the user supplies, maha averages each level map over H×W (PAPER.md §1.5). Done in Java,
 * every full map is first copied out of ONNX Runtime (nine maps of MobileNetV2 are ~1.6 MB per image); done by a
 * node inside the graph, only C floats per level leave it. The Java-built backbones already end each level in
 * {@code GlobalAveragePool} ({@link GraphBuilder#globalAveragePool}); this gives user graphs the same.
 */
public final class PoolingAppendix {
  private PoolingAppendix() {}

  /**
   * Node and output fields (GraphProto fields 1 and 12) for {@code pooled[i] = GlobalAveragePool(values[i])}. The
   * outputs are declared float32 without a shape (ONNX Runtime infers it: {@code [N, C, 1, 1]}); each node is named
   * after its output.
   *
   * @param values names of rank-4 float values of the graph
   * @param pooled names of the new outputs, one per value, not used anywhere in the graph
   * @return the fields' wire-format bytes, in node-then-output order
   */
  public static byte[] globalAveragePools(List<String> values, List<String> pooled) {
    if (values.size() != pooled.size() || values.isEmpty()) {
      throw new IllegalArgumentException("expected as many pooled names as values (at least one), found "
          + values.size() + " values and " + pooled.size() + " names");
    }
    ProtoMessage fields = new ProtoMessage();
    for (int i = 0; i < values.size(); i++) {
      fields.message(1, OnnxProto.node(pooled.get(i), "GlobalAveragePool", List.of(values.get(i)),
          List.of(pooled.get(i)), List.of()));
    }
    for (String name : pooled) {
      ProtoMessage tensorType = new ProtoMessage().varint(1, OnnxProto.FLOAT);
      ProtoMessage type = new ProtoMessage().message(1, tensorType);
      fields.message(12, new ProtoMessage().string(1, name).message(2, type));
    }
    return fields.toByteArray();
  }
}
