package org.maha.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.maha.weights.TfliteModel;
import org.maha.weights.TfliteOperator;
import org.maha.weights.TfliteTensor;

/**
 * Keras/TF2 MobileNetV2 (Sandler et al. 2018) as an ONNX graph, built operator by operator from a TFLite
 * flatbuffer, in practice Coral's {@code tf2_mobilenet_v2_1.0_224_ptq.tflite} (int8 post-training quantised,
 * per-channel weight scales). The graph computes in float32 with the dequantised weights and biases; activation
 * quantisation is dropped, so it is the float network the file was quantised from, up to weight rounding.
 *
 * <p>Level taps (nine, like EfficientNet's; ../shared/models/PROVENANCE.md): L0 = the stem conv (after ReLU6),
 * L1..L7 = the output of the last inverted-residual block of each of the seven stages (after its residual add),
 * L8 = the final 1×1 conv (after ReLU6). They are found by position in the TFLite graph, not by tensor index: a
 * block is a depthwise conv followed by its linear projection (plus an ADD when residual), and a block without a
 * residual starts a new stage. The graph has input {@code "input"} [N, 3, S, S] holding {@code x / 127.5 − 1}
 * for 8-bit pixels x, outputs {@code "L0".."L8"} (globally average-pooled [N, C]), with {@link Options#fullMaps()}
 * also {@code "L0_map".."L8_map"} [N, C, H, W], and with {@link Options#classifier()} {@code "logits"}
 * [N, 1001] (the inputs of the file's SOFTMAX) and {@code "probabilities"} [N, 1001] (their softmax, the file's
 * own output); index 0 = background, so ImageNet class k is index k + 1.
 */
public final class MobileNetV2 {

  /** Output names of the pooled level features, in level order. */
  public static final List<String> LEVELS = List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8");

  /** Channels of L0..L8 for width multiplier 1.0, the only width published as a TFLite file by Coral. */
  public static final List<Integer> LEVEL_DIMS = List.of(32, 16, 24, 32, 64, 96, 160, 320, 1280);

  /** Output name of the classifier (pre-softmax scores). */
  public static final String LOGITS = "logits";

  /** Output name of the class probabilities, softmax of {@link #LOGITS}. */
  public static final String PROBABILITIES = "probabilities";

  /** Classes of the classifier: 1000 ImageNet classes after a background class at index 0. */
  public static final int CLASSES = 1001;

  /** Suffix of the full-map outputs ({@code "L0_map"}). */
  public static final String MAP_SUFFIX = "_map";

  /** Bottleneck stages of MobileNetV2 (Sandler et al. 2018, table 2). */
  static final int STAGES = 7;

  private MobileNetV2() {}

  /**
   * How to build the graph.
   *
   * @param fullMaps   also output the un-pooled level maps {@code "L0_map".."L8_map"}
   * @param classifier also output the 1001-way classifier scores {@code "logits"} and {@code "probabilities"}
   */
  public record Options(boolean fullMaps, boolean classifier) {
    /** Pooled levels and the classifier (it costs about 0.4 % of the network's multiply-adds). */
    public static Options defaults() {
      return new Options(false, true);
    }
  }

  /**
   * Builds the ONNX model.
   *
   * @param source names the weights in messages (usually the file)
   * @param model  the TFLite graph; not modified
   * @throws ArchitectureException when the graph is not a MobileNetV2 of width 1.0 (taps not found or of other
   *                               sizes), uses an operator or option this converter does not support, or holds
   *                               weights that do not fit
   */
  public static byte[] fromTflite(String source, TfliteModel model, Options o) throws ArchitectureException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(o, "options");
    int[] taps = tapTensors(source, model);
    int logits = o.classifier() ? logitsTensor(source, model) : -1;
    return MobileNetV2Converter.convert(source, model, taps, logits, o.fullMaps());
  }

  /**
   * The TFLite tensor of each level L0..L8 (for Coral's file: 110, 112, 119, 130, 145, 156, 167, 170, 171).
   *
   * @throws ArchitectureException when the graph does not have MobileNetV2's structure or its level sizes
   */
  static int[] tapTensors(String source, TfliteModel model) throws ArchitectureException {
    List<TfliteOperator> ops = model.operators();
    Map<Integer, List<TfliteOperator>> consumers = new HashMap<>();
    Map<Integer, TfliteOperator> producers = producers(model);
    for (TfliteOperator op : ops) {
      for (int t : op.inputs()) {
        if (t >= 0) {
          consumers.computeIfAbsent(t, k -> new ArrayList<>()).add(op);
        }
      }
    }
    int stem = -1;
    int head = -1;
    List<Integer> taps = new ArrayList<>();
    int stageEnd = -1;
    for (TfliteOperator op : ops) {
      if (stem < 0 && op.opName().equals("CONV_2D")) {
        stem = op.outputs()[0];
        taps.add(stem);
      } else if (op.opName().equals("DEPTHWISE_CONV_2D")) {
        List<TfliteOperator> next = consumers.getOrDefault(op.outputs()[0], List.of());
        if (next.size() != 1 || !next.get(0).opName().equals("CONV_2D")) {
          throw new ArchitectureException(source + ": depthwise conv (operator " + op.index() + ") is not followed"
              + " by exactly one projecting CONV_2D, as in a MobileNetV2 inverted-residual block");
        }
        // the block's input: that of its 1×1 expansion conv, or the depthwise's own (first block, no expansion)
        int blockIn = firstInput(source, op);
        TfliteOperator expand = producers.get(blockIn);
        if (expand != null && expand.opName().equals("CONV_2D") && expand.outputs()[0] != stem) {
          blockIn = firstInput(source, expand);
        }
        int blockOut = next.get(0).outputs()[0];
        boolean residual = false;
        for (TfliteOperator c : consumers.getOrDefault(blockOut, List.of())) {
          if (c.opName().equals("ADD") && contains(c.inputs(), blockIn)) {
            blockOut = c.outputs()[0];
            residual = true;
          }
        }
        if (!residual && stageEnd >= 0) {
          taps.add(stageEnd);
        }
        stageEnd = blockOut;
      } else if (op.opName().equals("MEAN") && head < 0) {
        head = firstInput(source, op);
      }
    }
    if (stageEnd >= 0) {
      taps.add(stageEnd);
    }
    if (stem < 0 || head < 0 || taps.size() != 1 + STAGES) {
      throw new ArchitectureException(source + ": not a MobileNetV2 graph: expected a stem CONV_2D, " + STAGES
          + " stages of inverted-residual blocks and a global MEAN, found " + (stem < 0 ? "no" : "a") + " stem, "
          + (taps.size() - (stem < 0 ? 0 : 1)) + " stage(s) and " + (head < 0 ? "no" : "a") + " MEAN");
    }
    taps.add(head);
    int[] out = taps.stream().mapToInt(Integer::intValue).toArray();
    List<Integer> dims = new ArrayList<>();
    for (int t : out) {
      int[] shape = model.tensor(t).shape();
      dims.add(shape.length == 0 ? 0 : shape[shape.length - 1]);
    }
    if (!dims.equals(LEVEL_DIMS)) {
      throw new ArchitectureException(source + ": level taps (TFLite tensors " + Arrays.toString(out)
          + ") have " + dims + " channels, expected MobileNetV2 width 1.0's " + LEVEL_DIMS);
    }
    return out;
  }

  /**
   * The classifier's scores: the graph output, traced back through QUANTIZE/DEQUANTIZE and the SOFTMAX.
   */
  static int logitsTensor(String source, TfliteModel model) throws ArchitectureException {
    int[] outputs = model.outputs();
    if (outputs.length != 1) {
      throw new ArchitectureException(source + ": expected one graph output (the classifier), found "
          + outputs.length);
    }
    Map<Integer, TfliteOperator> producers = producers(model);
    int t = outputs[0];
    if (t < 0 || t >= model.tensors().size()) {
      throw new ArchitectureException(source + ": graph output " + t + " is not a tensor of the graph");
    }
    // each step goes one operator back; more steps than operators means the graph has a cycle
    int steps = 0;
    for (TfliteOperator p = producers.get(t); p != null; p = producers.get(t)) {
      String name = p.opName();
      if (name.equals("QUANTIZE") || name.equals("DEQUANTIZE") || name.equals("SOFTMAX")) {
        t = firstInput(source, p);
      } else {
        break;
      }
      if (++steps > model.operators().size()) {
        throw new ArchitectureException(source + ": the classifier output is computed from itself (operator "
            + p.index() + " " + name + " is part of a cycle)");
      }
    }
    TfliteTensor logits = model.tensor(t);
    int[] shape = logits.shape();
    if (shape.length != 2 || !producers.containsKey(t)) {
      throw new ArchitectureException(source + ": the classifier before the softmax, tensor " + t + " '"
          + logits.name() + "', has shape " + Arrays.toString(shape) + ", expected [1, classes]");
    }
    return t;
  }

  /** The operator's first input, which must be a tensor. */
  static int firstInput(String source, TfliteOperator op) throws ArchitectureException {
    int[] in = op.inputs();
    if (in.length == 0 || in[0] < 0) {
      throw new ArchitectureException(source + ": operator " + op.index() + " " + op.opName() + " has no input");
    }
    return in[0];
  }

  private static Map<Integer, TfliteOperator> producers(TfliteModel model) {
    Map<Integer, TfliteOperator> producers = new HashMap<>();
    for (TfliteOperator op : model.operators()) {
      for (int t : op.outputs()) {
        producers.put(t, op);
      }
    }
    return producers;
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
