package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.weights.Tensor;

/**
 * Structure of {@link EfficientNet}: the standard variants' widths and depths (known answers from PAPER.md §1.4 for
 * 0.6.3 and from torchvision's constructed models, recorded by {@code effnet/make_fixtures.py}), 0.6.3's static
 * padding, {@link EfficientNet#infer}, and errors for weights that do not fit.
 */
class EfficientNetTest {

  @TempDir
  Path tmp;

  /** PAPER.md §1.4: D per level L0..L8 and blocks per stage for 0.6.3 B0..B7. */
  private static final int[][] PAPER_DIMS = {
      {32, 16, 24, 40, 80, 112, 192, 320, 1280},
      {32, 16, 24, 40, 80, 112, 192, 320, 1280},
      {32, 16, 24, 48, 88, 120, 208, 352, 1408},
      {40, 24, 32, 48, 96, 136, 232, 384, 1536},
      {48, 24, 32, 56, 112, 160, 272, 448, 1792},
      {48, 24, 40, 64, 128, 176, 304, 512, 2048},
      {56, 32, 40, 72, 144, 200, 344, 576, 2304},
      {64, 32, 48, 80, 160, 224, 384, 640, 2560},
  };
  private static final int[][] PAPER_BLOCKS = {
      {1, 2, 2, 3, 3, 4, 1}, {2, 3, 3, 4, 4, 5, 2}, {2, 3, 3, 4, 4, 5, 2}, {2, 3, 3, 5, 5, 6, 2},
      {2, 4, 4, 6, 6, 8, 2}, {3, 5, 5, 7, 7, 9, 3}, {3, 6, 6, 8, 8, 11, 3}, {4, 7, 7, 10, 10, 13, 4},
  };
  private static final int[] PAPER_SIZES = {224, 240, 260, 300, 380, 456, 528, 600};

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void lukemelasVariantsHaveThePapersSizesDimsAndBlocks(int b) {
    EfficientNet.Config c = EfficientNet.Config.named("efficientnet-b" + b);
    assertThat(c.flavor()).isEqualTo(EfficientNet.Flavor.LUKEMELAS_063);
    assertThat(c.imageSize()).isEqualTo(PAPER_SIZES[b]);
    assertThat(c.bnEps()).isEqualTo(1e-3);
    assertThat(EfficientNet.levelDims(c)).containsExactly(box(PAPER_DIMS[b]));
    assertThat(EfficientNet.blocksPerStage(c)).containsExactly(box(PAPER_BLOCKS[b]));
    assertThat(c.name()).isEqualTo("efficientnet-b" + b);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void torchvisionVariantsMatchTorchvisionsModels(int b) throws Exception {
    JsonNode want = new ObjectMapper().readTree(Files.readAllBytes(
        EfficientNetParityTest.resource("fixtures.json"))).path("torchvision_variants").path("efficientnet_b" + b);
    EfficientNet.Config c = EfficientNet.Config.named("torchvision-efficientnet_b" + b);
    assertThat(c.flavor()).isEqualTo(EfficientNet.Flavor.TORCHVISION);
    assertThat(c.bnEps()).isEqualTo(want.path("bn_eps").asDouble());
    assertThat(c.imageSize()).isEqualTo(want.path("crop_size").asInt());
    assertThat(EfficientNet.levelDims(c)).containsExactlyElementsOf(ints(want.path("level_dims")));
    assertThat(EfficientNet.blocksPerStage(c)).containsExactlyElementsOf(ints(want.path("blocks_per_stage")));
  }

  @Test
  void unknownNamesAreRefusedWithTheValidOnes() {
    assertThatThrownBy(() -> EfficientNet.Config.named("efficientnet-b8"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("efficientnet-b0..b7");
    assertThat(EfficientNet.Config.names()).hasSize(16).contains("torchvision-efficientnet_b4");
  }

  @ParameterizedTest
  @CsvSource({"224, 3, 2, 0, 1", "224, 5, 2, 1, 2", "380, 5, 2, 1, 2", "64, 3, 1, 1, 1", "64, 5, 1, 2, 2",
      "224, 1, 1, 0, 0", "225, 3, 2, 1, 1", "225, 5, 2, 2, 2", "600, 3, 2, 0, 1"})
  void staticSamePaddingIsComputedFromTheNominalSize(int size, int k, int stride, int before, int after) {
    assertThat(EfficientNet.staticSamePadding(size, k, stride)).containsExactly(before, after);
  }

  @Test
  void withImageSizeChangesOnlyTheSize() {
    EfficientNet.Config c = EfficientNet.Config.named("efficientnet-b4").withImageSize(300);
    assertThat(c.imageSize()).isEqualTo(300);
    assertThat(c.width()).isEqualTo(1.4);
    assertThat(c.name()).startsWith("efficientnet(width 1.4, depth 1.8, size 300");
  }

  // ---- infer ---------------------------------------------------------------------------------------------------

  /** A state dict of the config's shapes, random values, with num_batches_tracked entries. */
  static Map<String, Tensor> randomStateDict(EfficientNet.Config cfg, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, Tensor> sd = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : EfficientNet.stateDictShapes(cfg, classes).entrySet()) {
      int n = 1;
      for (int d : e.getValue()) {
        n *= d;
      }
      float[] v = new float[n];
      boolean var = e.getKey().endsWith("running_var");
      for (int i = 0; i < n; i++) {
        v[i] = var ? (float) r.nextDouble(0.5, 2.0) : (float) (r.nextGaussian() * 0.3);
      }
      sd.put(e.getKey(), new Tensor(e.getKey(), e.getValue(), v));
      if (var) {
        String nbt = e.getKey().replace("running_var", "num_batches_tracked");
        sd.put(nbt, new Tensor(nbt, new int[0], new float[] {0}));
      }
    }
    return sd;
  }

  @ParameterizedTest
  @ValueSource(strings = {"efficientnet-b0", "efficientnet-b1", "efficientnet-b2", "torchvision-efficientnet_b0",
      "torchvision-efficientnet_b2", "torchvision-efficientnet_b3"})
  void inferRecoversStandardVariants(String name) throws Exception {
    EfficientNet.Config c = EfficientNet.Config.named(name);
    Map<String, Tensor> sd = randomStateDict(c, 1000, 1);
    assertThat(EfficientNet.infer(name, sd, c.flavor(), c.imageSize())).isEqualTo(c);
  }

  @ParameterizedTest
  @CsvSource({"LUKEMELAS_063, 0.25, 0.5, 0.25, 0.5", "TORCHVISION, 0.15, 0.5, 0.15, 0.5",
      "LUKEMELAS_063, 0.37, 0.8, 0.37, 1.0", "TORCHVISION, 3.0, 0.1, 3.0, 0.25"})
  void inferFindsTheCoarsestEquivalentWidthAndDepth(EfficientNet.Flavor flavor, double w, double d,
      double wantW, double wantD) throws Exception {
    EfficientNet.Config c = new EfficientNet.Config(flavor, w, d, 64, 1e-3);
    Map<String, Tensor> sd = randomStateDict(c, 0, 2);
    EfficientNet.Config got = EfficientNet.infer("sd", sd, flavor, 64);
    assertThat(got.width()).isEqualTo(wantW);
    assertThat(got.depth()).isEqualTo(wantD);
    assertThat(EfficientNet.stateDictShapes(got, 0)).usingRecursiveComparison()
        .isEqualTo(EfficientNet.stateDictShapes(c, 0));
  }

  @Test
  void inferRefusesTheOtherFlavorsKeys() {
    Map<String, Tensor> sd = randomStateDict(new EfficientNet.Config(EfficientNet.Flavor.TORCHVISION, 0.25, 0.5,
        64, 1e-5), 0, 3);
    assertThatThrownBy(() -> EfficientNet.infer("tv.pth", sd, EfficientNet.Flavor.LUKEMELAS_063, 64))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith("tv.pth: missing key _conv_stem.weight");
  }

  @Test
  void inferNamesAMismatchWhenNoWidthFits() {
    EfficientNet.Config c = new EfficientNet.Config(EfficientNet.Flavor.LUKEMELAS_063, 0.25, 0.5, 64, 1e-3);
    Map<String, Tensor> sd = randomStateDict(c, 0, 4);
    sd.put("_blocks.4._se_reduce.bias", new Tensor("_blocks.4._se_reduce.bias", new int[] {5}, new float[5]));
    assertThatThrownBy(() -> EfficientNet.infer("odd.pth", sd, EfficientNet.Flavor.LUKEMELAS_063, 64))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageStartingWith("odd.pth: no efficientnet_pytorch 0.6.3 EfficientNet width/depth reproduces")
        .hasMessageContaining("_blocks.4._se_reduce.bias has shape [5], expected [6]");
  }

  // ---- toOnnx --------------------------------------------------------------------------------------------------

  private static final EfficientNet.Config TINY =
      new EfficientNet.Config(EfficientNet.Flavor.LUKEMELAS_063, 0.25, 0.5, 64, 1e-3);

  @Test
  void toOnnxRefusesMissingUnexpectedAndMisshapenKeys() {
    Map<String, Tensor> missing = randomStateDict(TINY, 0, 5);
    missing.remove("_blocks.3._project_conv.weight");
    assertThatThrownBy(() -> EfficientNet.toOnnx("a.pth", missing, TINY, EfficientNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessage("a.pth: not an efficientnet(width 0.25, depth 0.5, size 64, eps 0.001): missing key "
            + "_blocks.3._project_conv.weight");
    Map<String, Tensor> extra = randomStateDict(TINY, 0, 5);
    extra.put("_blocks.10._bn0.weight", new Tensor("x", new int[] {1}, new float[1]));
    assertThatThrownBy(() -> EfficientNet.toOnnx("b.pth", extra, TINY, EfficientNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageEndingWith("1 unexpected key(s), e.g. _blocks.10._bn0.weight");
    Map<String, Tensor> shape = randomStateDict(TINY, 10, 5);
    shape.put("_fc.bias", new Tensor("_fc.bias", new int[] {9}, new float[9]));
    assertThatThrownBy(() -> EfficientNet.toOnnx("c.pth", shape, TINY, EfficientNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageContaining("_fc.weight / _fc.bias have shapes [10, 320] / [9]");
    Map<String, Tensor> b0 = randomStateDict(EfficientNet.Config.named("efficientnet-b0"), 0, 5);
    assertThatThrownBy(() -> EfficientNet.toOnnx("d.pth", b0, TINY, EfficientNet.Options.defaults()))
        .isInstanceOf(ArchitectureException.class)
        .hasMessageContaining("_conv_stem.weight has shape [32, 3, 3, 3], expected [8, 3, 3, 3]");
  }

  @Test
  void graphHasNineLevelsMapsLogitsAndNoPadNodes() throws Exception {
    Map<String, Tensor> sd = randomStateDict(TINY, 10, 6);
    byte[] model = EfficientNet.toOnnx("tiny", sd, TINY, new EfficientNet.Options(0, true));
    Path file = tmp.resolve("tiny.onnx");
    Files.write(file, model);
    List<String> maps = new ArrayList<>();
    for (String l : EfficientNet.LEVELS) {
      maps.add(l + EfficientNet.MAP_SUFFIX);
    }
    try (OnnxBackbone b = OnnxBackbone.open(file, BackboneOptions.defaults().withLevels(maps).withThreads(1))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(64);
      assertThat(b.maxBatch()).as("symbolic batch axis").isGreaterThan(1);
      // 0.6.3 static padding: 64 → 32 → 32 → 16 → 8 → 4 → 4 → 2 → 2 → 2 (manifest "shapes")
      assertThat(b.describeOutputs()).contains("L0_map [N, 8, 32, 32]", "L2_map [N, 8, 16, 16]",
          "L5_map [N, 32, 4, 4]", "L8_map [N, 320, 2, 2]", "L8 [N, 320]", "logits [N, 10]");
    }
    assertThat(new String(model, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("\u0003Pad");
  }

  @Test
  void inputSizeCanDifferFromTheNominalSize() throws Exception {
    Map<String, Tensor> sd = randomStateDict(TINY, 0, 7);
    Path file = tmp.resolve("tiny96.onnx");
    Files.write(file, EfficientNet.toOnnx("tiny", sd, TINY, new EfficientNet.Options(96, false)));
    try (OnnxBackbone b = OnnxBackbone.open(file,
        BackboneOptions.defaults().withLevels(EfficientNet.LEVELS).withThreads(1))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(96);
      assertThat(b.spec().levelDims()).containsExactly(8, 8, 8, 16, 24, 32, 48, 80, 320);
    }
    assertThatThrownBy(() -> new EfficientNet.Options(16, false)).isInstanceOf(IllegalArgumentException.class);
  }

  private static Integer[] box(int[] a) {
    Integer[] out = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }
}
