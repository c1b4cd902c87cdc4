package org.maha.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.maha.onnx.BatchNormFold;
import org.maha.onnx.GraphBuilder;
import org.maha.weights.Tensor;

/**
 * EfficientNet-B0..B7 (Tan &amp; Le 2019) as an ONNX graph, built from a state dict in one of two implementations'
 * layouts ({@link Flavor}); the paper's backbone is {@link Flavor#LUKEMELAS_063} (PAPER.md §1.4).
 *
 * <p>Both flavors share the MBConv block: [1×1 expand conv, BN, swish] (when the expansion is not 1) → k×k
 * depthwise conv, BN, swish → squeeze-excitation (global average pool, 1×1 conv + bias, swish, 1×1 conv + bias,
 * sigmoid, multiply) → 1×1 project conv, BN → (+ input). Swish is written as {@code x·Sigmoid(x)} (Sigmoid + Mul).
 * Every BatchNorm is folded into its convolution. They differ in (PAPER.md §4.4):
 * <ul>
 *   <li>padding: efficientnet_pytorch 0.6.3 pads every conv with static TF-"SAME" padding computed from the
 *       <em>nominal</em> {@link Config#imageSize()}, not from the conv's real input (stride 2: (0, 1) for k = 3,
 *       (1, 2) for k = 5 at an even size); torchvision pads (k − 1)/2 on each side;</li>
 *   <li>skips: 0.6.3 never adds the skip to the first block of a stage (its stride is stored as a list, for which
 *       {@code stride == 1} is false); torchvision adds it whenever stride is 1 and in = out channels;</li>
 *   <li>BatchNorm eps (0.6.3: 1e-3; torchvision: 1e-5 for b0..b4, 1e-3 for b5..b7), SE width
 *       ({@code int(in·0.25)} vs {@code in // 4}, equal for the standard widths), head width
 *       ({@code round_filters(1280)} vs 4 × the last stage's channels) and the keys.</li>
 * </ul>
 *
 * <p>Level taps (the official {@code TransparentEfficientNet}): L0 = stem (conv, BN, swish); L1..L7 = output of
 * the last block of stage 1..7; L8 = head (1×1 conv, BN, swish) before pooling. The graph has input
 * {@code "input"} [N, 3, S, S], outputs {@code "L0".."L8"} (globally average-pooled [N, C]), with
 * {@link Options#fullMaps()} also {@code "L0_map".."L8_map"} [N, C, H, W], and {@code "logits"} [N, classes] when
 * the weights have the classifier.
 *
 * <p>The {@link Config} fixes every channel count and block count ({@code round_filters}, {@code round_repeats});
 * {@link #toOnnx} checks every tensor of the state dict against it before building, and {@link #infer} finds the
 * width and depth that reproduce a state dict's shapes.
 */
public final class EfficientNet {

  /** Output names of the pooled level features, in level order. */
  public static final List<String> LEVELS = List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8");

  /** Output name of the classifier. */
  public static final String LOGITS = "logits";

  /** Suffix of the full-map outputs ({@code "L0_map"}). */
  public static final String MAP_SUFFIX = "_map";

  /** Prefix of the names {@link Config#named} accepts for the torchvision flavor. */
  public static final String TORCHVISION_PREFIX = "torchvision-";

  private static final int STAGES = 7;
  private static final int DIVISOR = 8;
  private static final String NUM_BATCHES = ".num_batches_tracked";

  /** EfficientNet-B0's stages: repeats, kernel, stride, expand ratio, input and output filters (before width). */
  private static final int[][] BASE_STAGES = {
      {1, 3, 1, 1, 32, 16},
      {2, 3, 2, 6, 16, 24},
      {2, 5, 2, 6, 24, 40},
      {3, 3, 2, 6, 40, 80},
      {3, 5, 1, 6, 80, 112},
      {4, 5, 2, 6, 112, 192},
      {1, 3, 1, 6, 192, 320},
  };
  private static final int BASE_STEM = 32;
  private static final int BASE_HEAD = 1280;

  /** width, depth, 0.6.3 image size, torchvision crop size, torchvision BN eps; index = variant (b0..b7). */
  private static final double[][] VARIANTS = {
      {1.0, 1.0, 224, 224, 1e-5},
      {1.0, 1.1, 240, 240, 1e-5},
      {1.1, 1.2, 260, 288, 1e-5},
      {1.2, 1.4, 300, 300, 1e-5},
      {1.4, 1.8, 380, 380, 1e-5},
      {1.6, 2.2, 456, 456, 1e-3},
      {1.8, 2.6, 528, 528, 1e-3},
      {2.0, 3.1, 600, 600, 1e-3},
  };
  private static final double LUKEMELAS_BN_EPS = 1e-3;
  private static final double TORCHVISION_DEFAULT_BN_EPS = 1e-5;

  private EfficientNet() {}

  /** Which implementation's keys, padding, skips and widths the weights follow. */
  public enum Flavor {
    /** lukemelas {@code efficientnet_pytorch} 0.6.3 ({@code _conv_stem}, {@code _blocks.N.*}, ...): the paper's. */
    LUKEMELAS_063,
    /** torchvision 0.14 {@code efficientnet_b0..b7} ({@code features.0..8}, {@code classifier.1}). */
    TORCHVISION
  }

  /**
   * Everything that fixes the architecture.
   *
   * @param flavor    whose semantics
   * @param width     width coefficient (channels × width, rounded to multiples of 8)
   * @param depth     depth coefficient (blocks per stage = ceil(depth × base repeats))
   * @param imageSize nominal input size S: the default graph input, and for {@link Flavor#LUKEMELAS_063} the size
   *                  its static padding is computed from
   * @param bnEps     BatchNorm epsilon
   */
  public record Config(Flavor flavor, double width, double depth, int imageSize, double bnEps) {
    public Config {
      Objects.requireNonNull(flavor, "flavor");
      if (!(width > 0 && width <= 16) || !(depth > 0 && depth <= 16)) {
        throw new IllegalArgumentException("width and depth: expected in (0, 16], found " + width + ", " + depth);
      }
      if (imageSize < 1) {
        throw new IllegalArgumentException("imageSize: expected >= 1, found " + imageSize);
      }
      if (!(bnEps > 0 && bnEps < 1)) {
        throw new IllegalArgumentException("bnEps: expected in (0, 1), found " + bnEps);
      }
    }

    /**
     * A standard variant: {@code "efficientnet-b0".."efficientnet-b7"} (0.6.3's names, its native image size,
     * eps 1e-3) or {@code "torchvision-efficientnet_b0".."_b7"} (torchvision's crop size and eps).
     *
     * @throws IllegalArgumentException for any other name (the message lists the valid ones)
     */
    public static Config named(String name) {
      Objects.requireNonNull(name, "name");
      for (int b = 0; b < VARIANTS.length; b++) {
        double[] v = VARIANTS[b];
        if (name.equals("efficientnet-b" + b)) {
          return new Config(Flavor.LUKEMELAS_063, v[0], v[1], (int) v[2], LUKEMELAS_BN_EPS);
        }
        if (name.equals(TORCHVISION_PREFIX + "efficientnet_b" + b)) {
          return new Config(Flavor.TORCHVISION, v[0], v[1], (int) v[3], v[4]);
        }
      }
      throw new IllegalArgumentException("unknown EfficientNet '" + name + "': expected efficientnet-b0..b7 "
          + "(efficientnet_pytorch 0.6.3) or " + TORCHVISION_PREFIX + "efficientnet_b0..b7");
    }

    /** All standard variants of both flavors, b0..b7 each. */
    public static List<String> names() {
      List<String> out = new ArrayList<>();
      for (int b = 0; b < VARIANTS.length; b++) {
        out.add("efficientnet-b" + b);
      }
      for (int b = 0; b < VARIANTS.length; b++) {
        out.add(TORCHVISION_PREFIX + "efficientnet_b" + b);
      }
      return out;
    }

    /** The same architecture at another nominal size (for 0.6.3 this changes the padding of stride-2 convs). */
    public Config withImageSize(int s) {
      return new Config(flavor, width, depth, s, bnEps);
    }

    /** The same architecture with another BatchNorm epsilon. */
    public Config withBnEps(double eps) {
      return new Config(flavor, width, depth, imageSize, eps);
    }

    /** The standard name when this is exactly a {@link #named} variant, else a description. */
    public String name() {
      for (String n : names()) {
        if (named(n).equals(this)) {
          return n;
        }
      }
      return (flavor == Flavor.TORCHVISION ? TORCHVISION_PREFIX + "efficientnet" : "efficientnet")
          + String.format(Locale.ROOT, "(width %s, depth %s, size %d, eps %s)", trim(width), trim(depth),
          imageSize, bnEps);
    }
  }

  /**
   * How to build the graph.
   *
   * @param inputSizePx S of the [N, 3, S, S] input; 0 = the config's {@link Config#imageSize()}
   * @param fullMaps    also output the un-pooled level maps {@code "L0_map".."L8_map"}
   */
  public record Options(int inputSizePx, boolean fullMaps) {
    public Options {
      if (inputSizePx != 0 && inputSizePx < 32) {
        throw new IllegalArgumentException("inputSizePx: expected 0 (the config's image size) or >= 32 (five "
            + "stride-2 stages), found " + inputSizePx);
      }
    }

    /** The config's image size, pooled levels only. */
    public static Options defaults() {
      return new Options(0, false);
    }
  }

  /**
   * Finds the width and depth whose channel and block counts reproduce every tensor shape of the state dict:
   * first the standard variants of the flavor, then widths and depths on grids of 0.25, 0.05 and 0.01. Several
   * coefficients can give identical shapes (e.g. width 0.25 and 0.26); the first in that order is returned, so the
   * graph is the same whichever is picked. BatchNorm eps: the standard variant's when its width and depth match,
   * else 1e-3 for 0.6.3 and PyTorch's default 1e-5 for torchvision (the weights do not record it: override with
   * {@link Config#withBnEps} when the model was built otherwise).
   *
   * @param source    names the weights in messages (usually the file)
   * @param imageSize the nominal input size; for 0.6.3 it fixes the padding and cannot be read from the weights
   * @throws ArchitectureException when no width and depth reproduce the shapes (the message names a mismatch)
   */
  public static Config infer(String source, Map<String, Tensor> sd, Flavor flavor, int imageSize)
      throws ArchitectureException {
    Objects.requireNonNull(sd, "sd");
    Objects.requireNonNull(flavor, "flavor");
    Keys keys = Keys.of(flavor);
    if (!sd.containsKey(keys.stemConv())) {
      throw new ArchitectureException(source + ": missing key " + keys.stemConv() + " (not an " + flavorName(flavor)
          + " EfficientNet state dict)");
    }
    int stem = sd.get(keys.stemConv()).dim(0);
    int blocks = keys.countBlocks(sd);
    String firstMismatch = null;
    for (double[] v : VARIANTS) {
      Config c = new Config(flavor, v[0], v[1], imageSize,
          flavor == Flavor.LUKEMELAS_063 ? LUKEMELAS_BN_EPS : v[4]);
      String m = mismatch(c, Layout.of(c), sd);
      if (m == null) {
        return c;
      }
      firstMismatch = firstMismatch == null ? m : firstMismatch;
    }
    double eps = flavor == Flavor.LUKEMELAS_063 ? LUKEMELAS_BN_EPS : TORCHVISION_DEFAULT_BN_EPS;
    List<Double> widths = new ArrayList<>();
    Set<List<Integer>> seenChannels = new LinkedHashSet<>();
    for (double w : grid(8.0)) {
      Layout l = Layout.of(new Config(flavor, w, 1.0, imageSize, eps));
      if (l.stem() == stem && seenChannels.add(l.channelSignature())) {
        widths.add(w);
      }
    }
    List<Double> depths = new ArrayList<>();
    Set<List<Integer>> seenRepeats = new LinkedHashSet<>();
    for (double d : grid(8.0)) {
      List<Integer> repeats = repeats(d);
      if (repeats.stream().mapToInt(Integer::intValue).sum() == blocks && seenRepeats.add(repeats)) {
        depths.add(d);
      }
    }
    String closest = null;
    for (double w : widths) {
      for (double d : depths) {
        Config c = new Config(flavor, w, d, imageSize, eps);
        String m = mismatch(c, Layout.of(c), sd);
        if (m == null) {
          return c;
        }
        closest = closest == null ? "with width " + trim(w) + ", depth " + trim(d) + ": " + m : closest;
      }
    }
    throw new ArchitectureException(source + ": no " + flavorName(flavor) + " EfficientNet width/depth reproduces "
        + "the tensor shapes (stem " + stem + " channels, " + blocks + " blocks); "
        + (closest != null ? closest : "as efficientnet-b0: " + firstMismatch));
  }

  /**
   * Builds the ONNX model.
   *
   * @param source names the weights in messages (usually the file)
   * @param sd     state dict in the flavor's keys; {@code num_batches_tracked} entries are ignored. Not modified.
   * @throws ArchitectureException when a key is missing or unexpected, or a tensor's shape differs from what
   *                               {@code cfg} gives
   */
  public static byte[] toOnnx(String source, Map<String, Tensor> sd, Config cfg, Options o)
      throws ArchitectureException {
    Objects.requireNonNull(cfg, "cfg");
    Objects.requireNonNull(o, "o");
    Layout layout = Layout.of(cfg);
    String m = mismatch(cfg, layout, sd);
    if (m != null) {
      throw new ArchitectureException(source + ": not an " + cfg.name() + ": " + m);
    }
    Builder b = new Builder(cfg, new StateDict(source, Map.copyOf(sd)), Keys.of(cfg.flavor()));
    int size = o.inputSizePx() == 0 ? cfg.imageSize() : o.inputSizePx();
    try {
      b.build(layout, size, o.fullMaps());
    } catch (IllegalArgumentException e) {
      throw new ArchitectureException(source + ": " + e.getMessage(), e);
    }
    b.sd.requireAllUsed(cfg.name(), NUM_BATCHES);
    b.g.metadata("maha.architecture", cfg.name());
    b.g.metadata("maha.weights", source);
    b.g.metadata("maha.input_size", Integer.toString(size));
    return b.g.toModelBytes();
  }

  /** Channels of L0..L8 (e.g. 32, 16, 24, 40, 80, 112, 192, 320, 1280 for B0). */
  public static List<Integer> levelDims(Config cfg) {
    Layout l = Layout.of(cfg);
    List<Integer> dims = new ArrayList<>(List.of(l.stem()));
    for (int i : l.lastOfStage()) {
      dims.add(l.blocks().get(i).out());
    }
    dims.add(l.head());
    return List.copyOf(dims);
  }

  /** Blocks in stages 1..7 (e.g. 1, 2, 2, 3, 3, 4, 1 for B0). */
  public static List<Integer> blocksPerStage(Config cfg) {
    return List.copyOf(repeats(cfg.depth()));
  }

  /**
   * Every state-dict key the config implies with its shape, in forward order, plus the classifier when
   * {@code classes > 0} (for tests and tools that make weights; {@code num_batches_tracked} not included).
   */
  /**
   * A seeded random state dict with {@code cfg}'s keys and shapes and no classifier, for benchmarks and tests:
   * convolutions Kaiming-normal (fan-out, as both implementations initialise them), biases 0, BatchNorm the
   * identity (weight 1, bias 0, running mean 0, variance 1). NOT a pretrained network.
   */
  public static Map<String, Tensor> randomWeights(Config cfg, long seed) {
    java.util.Random rng = new java.util.Random(seed);
    Map<String, Tensor> sd = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : stateDictShapes(cfg, 0).entrySet()) {
      String key = e.getKey();
      int[] shape = e.getValue();
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      float[] v = new float[n];
      if (shape.length == 4) {
        double std = Math.sqrt(2.0 / ((double) shape[0] * shape[2] * shape[3]));
        for (int i = 0; i < n; i++) {
          v[i] = (float) (rng.nextGaussian() * std);
        }
      } else if (key.endsWith("running_var") || (key.endsWith(".weight") && shape.length == 1)) {
        java.util.Arrays.fill(v, 1f);
      }
      sd.put(key, new Tensor(key, shape, v));
    }
    return sd;
  }

  /**
   * Values in the state dict of {@code cfg} with a classifier of {@code classes} classes; bounds what a weight file
   * for it may make the reader decode.
   */
  public static long stateDictValues(Config cfg, int classes) {
    long n = 0;
    for (int[] shape : stateDictShapes(cfg, classes).values()) {
      long v = 1;
      for (int d : shape) {
        v *= d;
      }
      n += v;
    }
    return n;
  }

  static Map<String, int[]> stateDictShapes(Config cfg, int classes) {
    Layout l = Layout.of(cfg);
    Keys k = Keys.of(cfg.flavor());
    Map<String, int[]> shapes = expectedShapes(k, l);
    if (classes > 0) {
      shapes.put(k.fc() + ".weight", new int[] {classes, l.head()});
      shapes.put(k.fc() + ".bias", new int[] {classes});
    }
    return shapes;
  }

  // ---- layout: channel and block counts from the config --------------------------------------------------------

  /**
   * One MBConv block as the implementation constructs it.
   *
   * @param stage   1..7
   * @param hidden  channels after the expand conv (= in when there is none)
   * @param squeeze SE reduce channels
   */
  private record Block(int stage, int kernel, int stride, int in, int hidden, int out, int squeeze,
      boolean hasExpand, boolean skip) {}

  private record Layout(int stem, List<Block> blocks, int head, List<Integer> lastOfStage) {

    static Layout of(Config c) {
      boolean tv = c.flavor() == Flavor.TORCHVISION;
      List<Block> blocks = new ArrayList<>();
      List<Integer> last = new ArrayList<>();
      List<Integer> reps = repeats(c.depth());
      int out = 0;
      for (int s = 0; s < STAGES; s++) {
        int[] base = BASE_STAGES[s];
        int kernel = base[1];
        int expand = base[3];
        int stageIn = roundFilters(base[4], c.width());
        out = roundFilters(base[5], c.width());
        for (int j = 0; j < reps.get(s); j++) {
          int in = j == 0 ? stageIn : out;
          int stride = j == 0 ? base[2] : 1;
          // torchvision: adjust_channels(in, expand) = _make_divisible(in·expand, 8); 0.6.3: in·expand
          int hidden = tv ? roundFilters(in * expand, 1.0) : in * expand;
          int squeeze = Math.max(1, tv ? in / 4 : (int) (in * 0.25));
          boolean hasExpand = tv ? hidden != in : expand != 1;
          // 0.6.3: the first block keeps its stride as a list, so "stride == 1" is false there (PAPER.md §1.4)
          boolean skip = tv ? stride == 1 && in == out : j > 0;
          blocks.add(new Block(s + 1, kernel, stride, in, hidden, out, squeeze, hasExpand, skip));
        }
        last.add(blocks.size() - 1);
      }
      int head = tv ? 4 * out : roundFilters(BASE_HEAD, c.width());
      return new Layout(roundFilters(BASE_STEM, c.width()), List.copyOf(blocks), head, List.copyOf(last));
    }

    List<Integer> channelSignature() {
      List<Integer> sig = new ArrayList<>(List.of(stem, head));
      for (Block b : blocks) {
        sig.add(b.in());
        sig.add(b.out());
      }
      return sig;
    }
  }

  /** 0.6.3 {@code round_filters} = torchvision {@code _make_divisible(f·w, 8)}: nearest multiple of 8, ≥ 8, ≥ 90 %. */
  private static int roundFilters(int filters, double width) {
    double f = filters * width;
    int n = Math.max(DIVISOR, (int) (f + DIVISOR / 2.0) / DIVISOR * DIVISOR);
    return n < 0.9 * f ? n + DIVISOR : n;
  }

  /** {@code round_repeats} / {@code adjust_depth}: ceil(depth · repeats) per stage. */
  private static List<Integer> repeats(double depth) {
    List<Integer> r = new ArrayList<>();
    for (int[] base : BASE_STAGES) {
      r.add((int) Math.ceil(depth * base[0]));
    }
    return r;
  }

  /** Coefficients 0.25, 0.5, ... then 0.05, 0.1, ... then 0.01, 0.02, ... up to max: coarse values first. */
  private static List<Double> grid(double max) {
    List<Double> out = new ArrayList<>();
    for (int steps : new int[] {4, 20, 100}) {
      for (int i = 1; i <= max * steps; i++) {
        double v = i / (double) steps;
        if (!out.contains(v)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  // ---- keys and shape check ----------------------------------------------------------------------------------

  /** The flavor's state-dict keys. */
  private record Keys(Flavor flavor) {
    static Keys of(Flavor f) {
      return new Keys(f);
    }

    boolean tv() {
      return flavor == Flavor.TORCHVISION;
    }

    String stemConv() {
      return tv() ? "features.0.0.weight" : "_conv_stem.weight";
    }

    String stemBn() {
      return tv() ? "features.0.1" : "_bn0";
    }

    String headConv() {
      return tv() ? "features.8.0.weight" : "_conv_head.weight";
    }

    String headBn() {
      return tv() ? "features.8.1" : "_bn1";
    }

    String fc() {
      return tv() ? "classifier.1" : "_fc";
    }

    /** Key prefix of block {@code index} (overall), which is block {@code j} of its stage. */
    String block(int index, int stage, int j) {
      return tv() ? "features." + stage + "." + j + ".block." : "_blocks." + index + ".";
    }

    /** Sub-module names: expand conv / bn, depthwise conv / bn, SE reduce / expand, project conv / bn. */
    String[] parts(Block b) {
      if (!tv()) {
        return new String[] {"_expand_conv.weight", "_bn0", "_depthwise_conv.weight", "_bn1", "_se_reduce",
            "_se_expand", "_project_conv.weight", "_bn2"};
      }
      int k = b.hasExpand() ? 1 : 0; // torchvision's Sequential indices shift when there is no expand conv
      return new String[] {"0.0.weight", "0.1", k + ".0.weight", k + ".1", (k + 1) + ".fc1", (k + 1) + ".fc2",
          (k + 2) + ".0.weight", (k + 2) + ".1"};
    }

    int countBlocks(Map<String, Tensor> sd) {
      int n = 0;
      if (tv()) {
        for (int s = 1; s <= STAGES; s++) {
          for (int j = 0; sd.containsKey("features." + s + "." + j + ".block.0.0.weight"); j++) {
            n++;
          }
        }
      } else {
        while (sd.containsKey("_blocks." + n + "._depthwise_conv.weight")) {
          n++;
        }
      }
      return n;
    }
  }

  /** Every key the config implies (classifier and num_batches_tracked aside), with its shape, in forward order. */
  private static Map<String, int[]> expectedShapes(Keys k, Layout l) {
    Map<String, int[]> e = new LinkedHashMap<>();
    e.put(k.stemConv(), new int[] {l.stem(), 3, 3, 3});
    bn(e, k.stemBn(), l.stem());
    int[] inStage = new int[STAGES + 1];
    for (int i = 0; i < l.blocks().size(); i++) {
      Block b = l.blocks().get(i);
      String p = k.block(i, b.stage(), inStage[b.stage()]++);
      String[] part = k.parts(b);
      if (b.hasExpand()) {
        e.put(p + part[0], new int[] {b.hidden(), b.in(), 1, 1});
        bn(e, p + part[1], b.hidden());
      }
      e.put(p + part[2], new int[] {b.hidden(), 1, b.kernel(), b.kernel()});
      bn(e, p + part[3], b.hidden());
      e.put(p + part[4] + ".weight", new int[] {b.squeeze(), b.hidden(), 1, 1});
      e.put(p + part[4] + ".bias", new int[] {b.squeeze()});
      e.put(p + part[5] + ".weight", new int[] {b.hidden(), b.squeeze(), 1, 1});
      e.put(p + part[5] + ".bias", new int[] {b.hidden()});
      e.put(p + part[6], new int[] {b.out(), b.hidden(), 1, 1});
      bn(e, p + part[7], b.out());
    }
    int last = l.blocks().get(l.blocks().size() - 1).out();
    e.put(k.headConv(), new int[] {l.head(), last, 1, 1});
    bn(e, k.headBn(), l.head());
    return e;
  }

  private static void bn(Map<String, int[]> e, String prefix, int c) {
    for (String s : new String[] {".weight", ".bias", ".running_mean", ".running_var"}) {
      e.put(prefix + s, new int[] {c});
    }
  }

  /** The first difference between the state dict and what the config implies, or null when they agree. */
  private static String mismatch(Config c, Layout l, Map<String, Tensor> sd) {
    Keys k = Keys.of(c.flavor());
    Map<String, int[]> expected = expectedShapes(k, l);
    for (Map.Entry<String, int[]> e : expected.entrySet()) {
      Tensor t = sd.get(e.getKey());
      if (t == null) {
        return "missing key " + e.getKey();
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        return e.getKey() + " has shape " + Arrays.toString(t.shape()) + ", expected "
            + Arrays.toString(e.getValue());
      }
    }
    String fcw = k.fc() + ".weight";
    String fcb = k.fc() + ".bias";
    if (sd.containsKey(fcw) || sd.containsKey(fcb)) {
      Tensor w = sd.get(fcw);
      Tensor b = sd.get(fcb);
      if (w == null || b == null) {
        return "missing key " + (w == null ? fcw : fcb) + " (the classifier needs weight and bias)";
      }
      if (w.rank() != 2 || w.dim(1) != l.head() || b.rank() != 1 || b.dim(0) != w.dim(0)) {
        return fcw + " / " + fcb + " have shapes " + Arrays.toString(w.shape()) + " / "
            + Arrays.toString(b.shape()) + ", expected [classes, " + l.head() + "] / [classes]";
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String key : sd.keySet()) {
      if (!expected.containsKey(key) && !key.equals(fcw) && !key.equals(fcb) && !key.endsWith(NUM_BATCHES)) {
        unexpected.add(key);
      }
    }
    if (!unexpected.isEmpty()) {
      unexpected.sort(null);
      return unexpected.size() + " unexpected key(s), e.g. " + String.join(", ",
          unexpected.subList(0, Math.min(5, unexpected.size())));
    }
    return null;
  }

  // ---- graph ---------------------------------------------------------------------------------------------------

  /** Writes the graph for one config; the state dict has been checked against it. */
  private static final class Builder {
    final Config cfg;
    final StateDict sd;
    final Keys keys;
    final GraphBuilder g;

    Builder(Config cfg, StateDict sd, Keys keys) {
      this.cfg = cfg;
      this.sd = sd;
      this.keys = keys;
      this.g = new GraphBuilder(cfg.name());
    }

    void build(Layout layout, int size, boolean fullMaps) throws ArchitectureException {
      String x = g.input("input", 3, size, size);
      x = swish(convBn(x, keys.stemConv(), keys.stemBn(), 2, 1));
      List<String> taps = new ArrayList<>(List.of(x));
      int[] inStage = new int[STAGES + 1];
      for (int i = 0; i < layout.blocks().size(); i++) {
        Block b = layout.blocks().get(i);
        x = block(x, b, keys.block(i, b.stage(), inStage[b.stage()]++));
        if (layout.lastOfStage().contains(i)) {
          taps.add(x);
        }
      }
      taps.add(swish(convBn(x, keys.headConv(), keys.headBn(), 1, 1)));
      for (int level = 0; level < taps.size(); level++) {
        g.output(LEVELS.get(level), g.flatten(g.globalAveragePool(taps.get(level))));
      }
      if (fullMaps) {
        for (int level = 0; level < taps.size(); level++) {
          g.output(LEVELS.get(level) + MAP_SUFFIX, taps.get(level));
        }
      }
      if (sd.has(keys.fc() + ".weight")) {
        g.output(LOGITS, g.gemm(LEVELS.get(LEVELS.size() - 1), sd.take(keys.fc() + ".weight", 2),
            sd.take(keys.fc() + ".bias", 1)));
      }
    }

    /** MBConv: [expand, BN, swish] → depthwise, BN, swish → SE → project, BN → (+ input). */
    private String block(String input, Block b, String p) throws ArchitectureException {
      String[] part = keys.parts(b);
      String x = input;
      if (b.hasExpand()) {
        x = swish(convBn(x, p + part[0], p + part[1], 1, 1));
      }
      x = swish(convBn(x, p + part[2], p + part[3], b.stride(), b.hidden()));
      String s = g.globalAveragePool(x);
      s = swish(g.conv(s, sd.take(p + part[4] + ".weight", 4), sd.take(p + part[4] + ".bias", 1),
          new int[] {1, 1}, new int[] {0, 0, 0, 0}, 1, new int[] {1, 1}));
      s = g.sigmoid(g.conv(s, sd.take(p + part[5] + ".weight", 4), sd.take(p + part[5] + ".bias", 1),
          new int[] {1, 1}, new int[] {0, 0, 0, 0}, 1, new int[] {1, 1}));
      x = g.mul(x, s);
      x = convBn(x, p + part[6], p + part[7], 1, 1);
      return b.skip() ? g.add(x, input) : x;
    }

    private String swish(String x) {
      return g.mul(x, g.sigmoid(x));
    }

    /** A bias-free conv with its BatchNorm folded in, padded as the flavor pads. */
    private String convBn(String x, String weightKey, String bn, int stride, int groups)
        throws ArchitectureException {
      Tensor w = sd.take(weightKey, 4);
      BatchNormFold.FoldedConv folded;
      try {
        folded = BatchNormFold.fold(w, null, sd.take(bn + ".weight", 1), sd.take(bn + ".bias", 1),
            sd.take(bn + ".running_mean", 1), sd.take(bn + ".running_var", 1), cfg.bnEps());
      } catch (IllegalArgumentException e) {
        throw new ArchitectureException(sd.source() + ": " + e.getMessage(), e);
      }
      return g.conv(x, folded.weight(), folded.bias(), new int[] {stride, stride},
          pads(w.dim(2), stride), groups, new int[] {1, 1});
    }

    /** ONNX pads {top, left, bottom, right} for a k×k conv. */
    private int[] pads(int k, int stride) {
      if (cfg.flavor() == Flavor.TORCHVISION) {
        int p = (k - 1) / 2;
        return new int[] {p, p, p, p};
      }
      int[] p = staticSamePadding(cfg.imageSize(), k, stride);
      return new int[] {p[0], p[0], p[1], p[1]};
    }
  }

  /**
   * 0.6.3's {@code Conv2dStaticSamePadding} for a square input of the nominal size: total
   * max((ceil(S/s) − 1)·s + k − S, 0), split {@code (total / 2, total − total / 2)} = (before, after).
   */
  static int[] staticSamePadding(int imageSize, int k, int stride) {
    int out = (imageSize + stride - 1) / stride;
    int total = Math.max((out - 1) * stride + k - imageSize, 0);
    return new int[] {total / 2, total - total / 2};
  }

  private static String flavorName(Flavor f) {
    return f == Flavor.TORCHVISION ? "torchvision" : "efficientnet_pytorch 0.6.3";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
