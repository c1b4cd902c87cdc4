package org.maha.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.maha.onnx.BatchNormFold;
import org.maha.onnx.GraphBuilder;
import org.maha.weights.Tensor;

/**
 * torchvision's ResNet family (He et al. 2016; torchvision {@code models/resnet.py}, "v1.5": a Bottleneck strides
 * in its 3×3 conv) as an ONNX graph, built from a state dict with torchvision's keys ({@code conv1.weight},
 * {@code bn1.*}, {@code layerK.B.convI.weight}, {@code layerK.B.bnI.*}, {@code layerK.B.downsample.0/1.*},
 * {@code fc.*}).
 *
 * <p>Block type, blocks per stage, widths and groups are read from the keys and shapes, so resnet18/34
 * (BasicBlock), resnet50/101/152, wide_resnet50_2/101_2 and ResNeXt (Bottleneck) and any reduced width or depth
 * build with the same code. Every BatchNorm (eps {@value #BN_EPS}) is folded into its convolution.
 *
 * <p>Level taps (PAPER.md §1.4, the official {@code TransparentResNet}): L0 = after conv1, bn1, ReLU and the 3×3/2
 * max-pool; L1..L4 = outputs of layer1..layer4. The graph has input {@code "input"} [N, 3, S, S] and outputs
 * {@code "L0".."L4"}, each the globally average-pooled [N, C] vector; with {@link Options#fullMaps()} also
 * {@code "L0_map".."L4_map"} [N, C, H, W]; and {@code "logits"} [N, classes] when the weights have {@code fc}.
 */
public final class ResNet {

  /** torchvision's {@code nn.BatchNorm2d} default, used by every ResNet. */
  public static final double BN_EPS = 1e-5;

  /** Output names of the pooled level features, in level order. */
  public static final List<String> LEVELS = List.of("L0", "L1", "L2", "L3", "L4");

  /** Output name of the classifier. */
  public static final String LOGITS = "logits";

  /** Suffix of the full-map outputs ({@code "L0_map"}). */
  public static final String MAP_SUFFIX = "_map";

  private static final int STAGES = 4;

  private ResNet() {}

  /** The residual block kinds of torchvision's {@code resnet.py}. */
  public enum Block {
    /** Two 3×3 convs; resnet18, resnet34. */
    BASIC,
    /** 1×1, 3×3 (strided, grouped), 1×1 ×4; resnet50 and deeper, wide_resnet, resnext. */
    BOTTLENECK
  }

  /**
   * How to build the graph.
   *
   * @param inputSizePx S of the [N, 3, S, S] input (224 for the ImageNet weights)
   * @param fullMaps    also output the un-pooled level maps {@code "L0_map".."L4_map"}
   */
  public record Options(int inputSizePx, boolean fullMaps) {
    /** The paper's input size. */
    public static final int DEFAULT_INPUT_SIZE_PX = 224;

    public Options {
      if (inputSizePx < 32) {
        throw new IllegalArgumentException("inputSizePx: expected >= 32 (five stride-2 stages), found "
            + inputSizePx);
      }
    }

    /** 224 px, pooled levels only. */
    public static Options defaults() {
      return new Options(DEFAULT_INPUT_SIZE_PX, false);
    }
  }

  /**
   * What the weights describe.
   *
   * @param block          the residual block type
   * @param blocksPerStage blocks in layer1..layer4, e.g. [2, 2, 2, 2] for resnet18
   * @param levelDims      channels of L0..L4, e.g. [64, 64, 128, 256, 512] for resnet18
   * @param innerWidths    channels of each stage's 3×3 convs (Bottleneck: the widened / grouped middle conv;
   *                       BasicBlock: the stage's width), e.g. [128, 256, 512, 1024] for wide_resnet50_2
   * @param groups         groups of the Bottleneck's 3×3 convs (1 except ResNeXt)
   * @param classes        outputs of {@code fc}, or 0 when there is none
   */
  public record Architecture(Block block, List<Integer> blocksPerStage, List<Integer> levelDims,
      List<Integer> innerWidths, int groups, int classes) {
    public Architecture {
      blocksPerStage = List.copyOf(blocksPerStage);
      levelDims = List.copyOf(levelDims);
      innerWidths = List.copyOf(innerWidths);
    }

    /** torchvision's name for its standard configurations (e.g. {@code "wide_resnet50_2"}), else a description. */
    public String name() {
      String blocks = blocksPerStage.toString();
      String inner = innerWidths.toString();
      String standard = "";
      if (block == Block.BASIC && levelDims.equals(List.of(64, 64, 128, 256, 512))) {
        standard = blocks.equals("[2, 2, 2, 2]") ? "resnet18" : blocks.equals("[3, 4, 6, 3]") ? "resnet34" : "";
      } else if (block == Block.BOTTLENECK && levelDims.equals(List.of(64, 256, 512, 1024, 2048))) {
        String depth = switch (blocks) {
          case "[3, 4, 6, 3]" -> "50";
          case "[3, 4, 23, 3]" -> "101";
          case "[3, 8, 36, 3]" -> "152";
          default -> "";
        };
        if (!depth.isEmpty() && groups == 1 && inner.equals("[64, 128, 256, 512]")) {
          standard = "resnet" + depth;
        } else if (!depth.isEmpty() && groups == 1 && inner.equals("[128, 256, 512, 1024]")) {
          standard = "wide_resnet" + depth + "_2";
        } else if (!depth.isEmpty() && groups == 32) {
          int perGroup = innerWidths.get(0) / 32; // stage 1 width = 64 planes × (perGroup / 64) × 32 groups
          standard = "resnext" + depth + "_32x" + perGroup + "d";
        }
      }
      if (!standard.isEmpty()) {
        return standard;
      }
      return "resnet(" + block.name().toLowerCase(Locale.ROOT) + " " + blocks + ", dims " + levelDims
          + ", inner " + inner + (groups > 1 ? ", groups " + groups : "") + ")";
    }
  }

  /**
   * Reads the architecture from the keys and shapes, without building anything.
   *
   * @param source names the weights in messages (usually the file)
   * @throws ArchitectureException when the keys are not those of a torchvision ResNet
   */
  public static Architecture inspect(String source, Map<String, Tensor> stateDict) throws ArchitectureException {
    return inspect(new StateDict(source, Map.copyOf(stateDict)));
  }

  /**
   * Builds the ONNX model.
   *
   * @param source    names the weights in messages (usually the file)
   * @param stateDict torchvision keys → tensors; {@code num_batches_tracked} entries are ignored. Not modified.
   * @throws ArchitectureException when a key is missing or unexpected, or a tensor's shape does not fit
   */
  public static byte[] toOnnx(String source, Map<String, Tensor> stateDict, Options options)
      throws ArchitectureException {
    Objects.requireNonNull(options, "options");
    StateDict sd = new StateDict(source, Map.copyOf(stateDict));
    Architecture arch = inspect(sd);
    GraphBuilder g = new GraphBuilder(arch.name());
    try {
      String x = g.input("input", 3, options.inputSizePx(), options.inputSizePx());
      x = convBn(g, sd, x, "conv1", "bn1", 2, 1, true);
      x = g.maxPool(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1, 1, 1});
      List<String> taps = new ArrayList<>(List.of(x));
      for (int stage = 1; stage <= STAGES; stage++) {
        for (int b = 0; b < arch.blocksPerStage().get(stage - 1); b++) {
          int stride = stage > 1 && b == 0 ? 2 : 1;
          String prefix = "layer" + stage + "." + b + ".";
          x = arch.block() == Block.BASIC ? basicBlock(g, sd, x, prefix, stride) : bottleneck(g, sd, x, prefix,
              stride, arch.groups());
        }
        taps.add(x);
      }
      for (int level = 0; level < taps.size(); level++) {
        g.output(LEVELS.get(level), g.flatten(g.globalAveragePool(taps.get(level))));
      }
      if (options.fullMaps()) {
        for (int level = 0; level < taps.size(); level++) {
          g.output(LEVELS.get(level) + MAP_SUFFIX, taps.get(level));
        }
      }
      if (arch.classes() > 0) {
        g.output(LOGITS, g.gemm(LEVELS.get(STAGES), sd.take("fc.weight", 2), sd.take("fc.bias", 1)));
      }
    } catch (IllegalArgumentException e) {
      throw new ArchitectureException(source + ": " + e.getMessage(), e);
    }
    sd.requireAllUsed(arch.name(), ".num_batches_tracked");
    g.metadata("maha.architecture", arch.name());
    g.metadata("maha.weights", source);
    return g.toModelBytes();
  }

  private static Architecture inspect(StateDict sd) throws ArchitectureException {
    String src = sd.source();
    Tensor stem = sd.take("conv1.weight", 4);
    if (stem.dim(1) != 3) {
      throw new ArchitectureException(src + ": conv1.weight has shape " + Arrays.toString(stem.shape())
          + ", expected [C, 3, 7, 7] (an RGB stem)");
    }
    boolean bottleneck = sd.has("layer1.0.conv3.weight");
    Block block = bottleneck ? Block.BOTTLENECK : Block.BASIC;
    String last = bottleneck ? "conv3" : "conv2";
    List<Integer> blocks = new ArrayList<>();
    List<Integer> dims = new ArrayList<>(List.of(stem.dim(0)));
    List<Integer> inner = new ArrayList<>();
    for (int stage = 1; stage <= STAGES; stage++) {
      int n = 0;
      while (sd.has("layer" + stage + "." + n + ".conv1.weight")) {
        n++;
      }
      if (n == 0) {
        throw new ArchitectureException(src + ": missing key layer" + stage + ".0.conv1.weight (a ResNet has "
            + "layer1..layer4)");
      }
      blocks.add(n);
      dims.add(sd.take("layer" + stage + "." + (n - 1) + "." + last + ".weight", 4).dim(0));
      inner.add(sd.take("layer" + stage + ".0.conv2.weight", 4).dim(0));
    }
    int groups = 1;
    if (bottleneck) {
      Tensor mid = sd.take("layer1.0.conv2.weight", 4);
      if (mid.dim(1) < 1 || mid.dim(0) % mid.dim(1) != 0) {
        throw new ArchitectureException(src + ": layer1.0.conv2.weight has shape " + Arrays.toString(mid.shape())
            + ", expected [width, width / groups, 3, 3]");
      }
      groups = mid.dim(0) / mid.dim(1);
    }
    int classes = sd.has("fc.weight") ? sd.take("fc.weight", 2).dim(0) : 0;
    return new Architecture(block, blocks, dims, inner, groups, classes);
  }

  /** torchvision BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); stride in conv1. */
  private static String basicBlock(GraphBuilder g, StateDict sd, String x, String prefix, int stride)
      throws ArchitectureException {
    String out = convBn(g, sd, x, prefix + "conv1", prefix + "bn1", stride, 1, true);
    out = convBn(g, sd, out, prefix + "conv2", prefix + "bn2", 1, 1, false);
    return g.relu(g.add(out, shortcut(g, sd, x, prefix, stride)));
  }

  /** torchvision Bottleneck (v1.5): 1×1, 3×3 with the stride and groups, 1×1; add shortcut; relu. */
  private static String bottleneck(GraphBuilder g, StateDict sd, String x, String prefix, int stride,
      int groups) throws ArchitectureException {
    String out = convBn(g, sd, x, prefix + "conv1", prefix + "bn1", 1, 1, true);
    out = convBn(g, sd, out, prefix + "conv2", prefix + "bn2", stride, groups, true);
    out = convBn(g, sd, out, prefix + "conv3", prefix + "bn3", 1, 1, false);
    return g.relu(g.add(out, shortcut(g, sd, x, prefix, stride)));
  }

  /** downsample.0 (1×1 conv with the block's stride) + downsample.1 (BN) when present, else the identity. */
  private static String shortcut(GraphBuilder g, StateDict sd, String x, String prefix, int stride)
      throws ArchitectureException {
    if (sd.has(prefix + "downsample.0.weight")) {
      return convBn(g, sd, x, prefix + "downsample.0", prefix + "downsample.1", stride, 1, false);
    }
    if (stride != 1) {
      throw new ArchitectureException(sd.source() + ": missing key " + prefix + "downsample.0.weight (the first "
          + "block of layer2..layer4 strides, so it needs a projection shortcut)");
    }
    return x;
  }

  /** A k×k conv ("same" padding (k−1)/2) with its BatchNorm folded in, optionally followed by ReLU. */
  private static String convBn(GraphBuilder g, StateDict sd, String x, String conv, String bn, int stride,
      int groups, boolean relu) throws ArchitectureException {
    Tensor w = sd.take(conv + ".weight", 4);
    int k = w.dim(2);
    if (k != w.dim(3) || k % 2 == 0) {
      throw new ArchitectureException(sd.source() + ": " + conv + ".weight has shape "
          + Arrays.toString(w.shape()) + ", expected a square odd kernel");
    }
    Tensor bias = sd.has(conv + ".bias") ? sd.take(conv + ".bias", 1) : null;
    BatchNormFold.FoldedConv folded;
    try {
      folded = BatchNormFold.fold(w, bias, sd.take(bn + ".weight", 1), sd.take(bn + ".bias", 1),
          sd.take(bn + ".running_mean", 1), sd.take(bn + ".running_var", 1), BN_EPS);
    } catch (IllegalArgumentException e) {
      throw new ArchitectureException(sd.source() + ": " + e.getMessage(), e);
    }
    int pad = (k - 1) / 2;
    String y = g.conv(x, folded.weight(), folded.bias(), new int[] {stride, stride},
        new int[] {pad, pad, pad, pad}, groups, new int[] {1, 1});
    return relu ? g.relu(y) : y;
  }
}
