package org.maha.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.arch.ResNet;
import org.maha.catalog.Catalog;
import org.maha.catalog.WeightCache;
import org.maha.zoo.BackboneZoo;
import org.maha.zoo.BuiltGraph;

class Int8QuantizationTest {
  @TempDir Path dir;

  private static final int PX = 64;

  /** Smooth seeded pictures (not white noise), ImageNet-normalised range. */
  private static float[] images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 3 * PX * PX];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        double fx = r.nextDouble(0.05, 0.3);
        double fy = r.nextDouble(0.05, 0.3);
        double ph = r.nextDouble(0, 6.3);
        for (int y = 0; y < PX; y++) {
          for (int xx = 0; xx < PX; xx++) {
            x[((i * 3 + c) * PX + y) * PX + xx] = (float) (1.5 * Math.sin(fx * xx + fy * y + ph)
                + 0.3 * r.nextGaussian());
          }
        }
      }
    }
    return x;
  }

  private BuiltGraph resnet18() throws Exception {
    return new BackboneZoo(new WeightCache(dir.resolve("cache"))).randomInit(Catalog.official().get("resnet18"), 3,
        Map.of(BackboneZoo.OVERRIDE_INPUT_SIZE, Integer.toString(PX)));
  }

  @Test
  void quantizedResNetLoadsAndItsFeaturesStayCloseToFloat() throws Exception {
    BuiltGraph g = resnet18();
    BackboneOptions options = new BackboneOptions(ResNet.LEVELS, null, 1, 4);
    float[] calibration = images(8, 1);
    float[] test = images(4, 2);
    double[][][] f;
    double[][][] q;
    Path optimized = dir.resolve("optimized.onnx");
    System.setProperty(OrtTuning.OPTIMIZED_MODEL, optimized.toString());
    Int8Quantization.Quantized quantized;
    try {
      quantized = Int8Quantization.open(g.onnx(), options, calibration, 8);
    } finally {
      System.clearProperty(OrtTuning.OPTIMIZED_MODEL);
    }
    // what ONNX Runtime made of it: the QDQ groups fused into integer convolutions
    String after = new String(Files.readAllBytes(optimized), StandardCharsets.ISO_8859_1);
    int fused = after.split("QLinearConv", -1).length - 1;
    System.out.println("QLinearConv nodes after ONNX Runtime's optimisation: " + fused);
    assertThat(fused).as("QLinearConv nodes in ONNX Runtime's optimised graph").isGreaterThanOrEqualTo(20);
    try (OnnxBackbone fb = OnnxBackbone.open(g.onnx(), options); OnnxBackbone qb = quantized.backbone()) {
      f = fb.extract(test, 4);
      q = qb.extract(test, 4);
      assertThat(qb.spec().levelNames()).isEqualTo(fb.spec().levelNames());
      assertThat(qb.spec().levelDims()).isEqualTo(fb.spec().levelDims());
      assertThat(qb.spec().name()).isEqualTo(fb.spec().name());
      assertThat(qb.spec().onnxSha256()).as("the float file's, which the int8 graph is rebuilt from")
          .isEqualTo(fb.spec().onnxSha256());
      assertThat(fb.spec().isInt8()).isFalse();
      assertThat(qb.spec().int8().images()).isEqualTo(8);
      assertThat(qb.spec().int8().ranges()).hasSize(quantized.summary().activations());
      // what a saved model does: the same graph again from the file and the recorded calibration
      try (OnnxBackbone again = Int8Quantization.rebuild(g.onnx(), options, qb.spec().int8())) {
        assertThat(again.spec()).isEqualTo(qb.spec());
        double[][][] r = again.extract(test, 4);
        for (int level = 0; level < q.length; level++) {
          for (int i = 0; i < q[level].length; i++) {
            assertThat(r[level][i]).containsExactly(q[level][i]);
          }
        }
      }
    }
    // every Conv of ResNet-18 has float initializer weights: all 20 are quantized
    assertThat(quantized.summary().convs()).isEqualTo(20).isEqualTo(quantized.summary().convsTotal());
    double worst = 0;
    boolean anyDifferent = false;
    for (int level = 0; level < f.length; level++) {
      double scale = 0;
      double diff = 0;
      for (int i = 0; i < f[level].length; i++) {
        for (int k = 0; k < f[level][i].length; k++) {
          assertThat(q[level][i][k]).isFinite();
          scale = Math.max(scale, Math.abs(f[level][i][k]));
          diff = Math.max(diff, Math.abs(q[level][i][k] - f[level][i][k]));
          anyDifferent |= q[level][i][k] != f[level][i][k];
        }
      }
      worst = Math.max(worst, diff / scale);
    }
    System.out.printf("int8 vs float, worst relative feature difference over ResNet-18's 5 levels: %.4f%n", worst);
    assertThat(anyDifferent).as("the int8 graph computes something else than the float one").isTrue();
    assertThat(worst).as("max |int8 - float| / max |float| over a level").isLessThan(0.1);
    assertThat(quantized.summary().levelDifference()).hasSize(5);
    assertThat(quantized.summary().worstDifference()).as("on the calibration images").isGreaterThan(0).isLessThan(0.1);
  }

  @Test
  void aRebuildRefusesAnotherFileOrAlteredRangesNamingTheDifference() throws Exception {
    BuiltGraph g = resnet18();
    BackboneOptions options = new BackboneOptions(ResNet.LEVELS, null, 1, 4);
    Int8Calibration made;
    try (OnnxBackbone q = Int8Quantization.open(g.onnx(), options, images(2, 1), 2).backbone()) {
      made = q.spec().int8();
    }
    List<Int8Calibration.Range> ranges = new java.util.ArrayList<>(made.ranges());
    Int8Calibration.Range r0 = ranges.get(3);
    ranges.set(3, new Int8Calibration.Range(r0.name(), r0.min(), r0.max() * 1.5 + 1));
    Int8Calibration altered = new Int8Calibration(made.graphSha256(), made.images(), made.elementwise(), ranges);
    assertThatThrownBy(() -> Int8Quantization.rebuild(g.onnx(), options, altered))
        .isInstanceOf(BackboneException.class).hasMessageContaining("the int8 graph rebuilt from the recorded "
            + "calibration has sha256");
    Int8Calibration fewer = new Int8Calibration(made.graphSha256(), made.images(), made.elementwise(),
        made.ranges().subList(1, made.ranges().size()));
    assertThatThrownBy(() -> Int8Quantization.rebuild(g.onnx(), options, fewer))
        .isInstanceOf(BackboneException.class).hasMessageContaining("not the file it was made from");
    BuiltGraph other = new BackboneZoo(new WeightCache(dir.resolve("cache2"))).randomInit(
        Catalog.official().get("resnet18"), 4, Map.of(BackboneZoo.OVERRIDE_INPUT_SIZE, Integer.toString(PX)));
    assertThatThrownBy(() -> Int8Quantization.rebuild(other.onnx(), options, made))
        .isInstanceOf(BackboneException.class).hasMessageContaining("has sha256");
    assertThatThrownBy(() -> new Int8Calibration(made.graphSha256(), 0, true, made.ranges()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images");
    assertThatThrownBy(() -> new Int8Calibration.Range("x", 1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
  }

  @Test
  void rewriteHasPerChannelInt8WeightsAndUint8Activations() throws Exception {
    byte[] model = Files.readAllBytes(resnet18().onnx());
    byte[] q = Int8Quantization.quantize(model, Map.of());
    String text = new String(q, StandardCharsets.ISO_8859_1);
    assertThat(text).contains("QuantizeLinear", "DequantizeLinear", Int8Quantization.SUFFIX + "_w");
    assertThat(q.length).as("int8 weights: about a quarter of the float bytes").isLessThan(model.length / 2);
    assertThatThrownBy(() -> Int8Quantization.open(writeTo(q), new BackboneOptions(ResNet.LEVELS, null, 1, 4),
        images(1, 1), 1)).isInstanceOf(BackboneException.class).hasMessageContaining("quantized before");
  }

  @Test
  void calibrationImagesAreBounded() throws Exception {
    BuiltGraph g = resnet18();
    BackboneOptions options = new BackboneOptions(ResNet.LEVELS, null, 1, 4);
    assertThatThrownBy(() -> Int8Quantization.open(g.onnx(), options, new float[0], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..256");
    assertThatThrownBy(() -> Int8Quantization.open(g.onnx(), options, new float[5], 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibration");
  }

  private Path writeTo(byte[] bytes) throws Exception {
    Path p = dir.resolve("q.onnx");
    Files.write(p, bytes);
    return p;
  }
}
