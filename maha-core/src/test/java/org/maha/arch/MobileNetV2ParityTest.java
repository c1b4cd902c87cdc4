package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.DecodeLimits;
import org.maha.image.ImageDecoder;
import org.maha.image.Normalization;
import org.maha.image.Preprocessing;
import org.maha.testing.SharedData;
import org.maha.weights.TfliteModel;

/**
 * Issue 3 items 2 and 4 for MobileNetV2: the graph built in Java from Coral's TFLite file gives the level features
 * of the shared 9-tap ONNX conversion of the same file ({@code mobilenet_v2_imagenet_9taps.onnx}, int8 weights
 * behind DequantizeLinear, made independently in Python), the right ImageNet class for the shared photos, and the
 * same features in a batch as one by one. Skipped when ../shared is absent.
 */
class MobileNetV2ParityTest {

  static final String TFLITE = "models/tf2_mobilenet_v2_1.0_224_ptq.tflite";
  static final String REFERENCE = "models/mobilenet_v2_imagenet_9taps.onnx";
  static final int SIZE_PX = 224;
  static final int PER_IMAGE = 3 * SIZE_PX * SIZE_PX;

  /**
   * Largest difference allowed, relative to the level's largest magnitude over the images. Both graphs compute in
   * float32 with the same dequantised weights, so they differ by rounding only (measured ~1e-6); a wrong pad,
   * stride or tap is order 1e-1.
   */
  static final double REL_TOL = 1e-5;

  @TempDir
  static Path tmp;

  private static Path built;

  /**
   * The graph built from the shared TFLite file, once for the class. Each test asks for it, so that without
   * ../shared every test is reported as skipped (an assumption failing in {@code @BeforeAll} hides them all).
   */
  static synchronized Path built() throws Exception {
    Path tflite = SharedData.require(TFLITE);
    if (built == null) {
      Path onnx = tmp.resolve("mobilenet_v2_maha.onnx");
      Files.write(onnx, MobileNetV2.fromTflite(tflite.toString(), TfliteModel.read(tflite),
          MobileNetV2.Options.defaults()));
      built = onnx;
    }
    return built;
  }

  static BackboneOptions options(List<String> levels, int threads, int maxBatch) {
    return new BackboneOptions(levels, Normalization.MINUS1_TO_1, threads, maxBatch);
  }

  /** {@code n} images of seeded uniform 8-bit noise, normalised x / 127.5 − 1, NCHW. */
  static float[] noise(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * PER_IMAGE];
    for (int i = 0; i < x.length; i++) {
      x[i] = Normalization.MINUS1_TO_1.apply(0, r.nextInt(256));
    }
    return x;
  }

  /** A shared photo decoded, resized to 224 (OpenCV bilinear) and normalised x / 127.5 − 1. */
  static float[] photo(String file) throws IOException, org.maha.image.ImageDecodeException {
    byte[] bytes = Files.readAllBytes(SharedData.require("images/" + file));
    return new Preprocessing(SIZE_PX, Normalization.MINUS1_TO_1).apply(ImageDecoder.decode(bytes,
        DecodeLimits.DEFAULT));
  }

  static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Worst |a − b| over all images and features, relative to the largest |b|. */
  static double relativeError(double[][] a, double[][] b) {
    double scale = 0;
    double worst = 0;
    for (int i = 0; i < b.length; i++) {
      assertThat(a[i]).hasSameSizeAs(b[i]);
      for (int k = 0; k < b[i].length; k++) {
        scale = Math.max(scale, Math.abs(b[i][k]));
        worst = Math.max(worst, Math.abs(a[i][k] - b[i][k]));
      }
    }
    return scale == 0 ? worst : worst / scale;
  }

  @Test
  void pooledLevelsAndClassifierEqualTheSharedNineTapConversion() throws Exception {
    Path reference = SharedData.require(REFERENCE);
    int n = 4;
    float[] x = concat(noise(2, 42), photo("cat.bmp"), photo("parrot.jpg"));
    try (OnnxBackbone ours = OnnxBackbone.open(built(), options(MobileNetV2.LEVELS, 2, 16));
        OnnxBackbone ref = OnnxBackbone.open(reference, options(MobileNetV2.LEVELS, 2, 1))) {
      assertThat(ours.spec().levelDims()).containsExactlyElementsOf(MobileNetV2.LEVEL_DIMS);
      assertThat(ref.spec().levelDims()).containsExactlyElementsOf(MobileNetV2.LEVEL_DIMS);
      double[][][] a = ours.extract(x, n);
      double[][][] b = ref.extract(x, n);
      double worst = 0;
      StringBuilder perLevel = new StringBuilder();
      for (int l = 0; l < MobileNetV2.LEVELS.size(); l++) {
        double e = relativeError(a[l], b[l]);
        perLevel.append(' ').append(MobileNetV2.LEVELS.get(l)).append('=').append(String.format("%.1e", e));
        assertThat(e).as("level %s, relative error", MobileNetV2.LEVELS.get(l)).isLessThan(REL_TOL);
        worst = Math.max(worst, e);
      }
      // the reference's output is the softmax; ours has the scores before it and their softmax
      float[][] logits = ours.rawOutput(MobileNetV2.LOGITS, x, n);
      float[][] ourProbs = ours.rawOutput(MobileNetV2.PROBABILITIES, x, n);
      float[][] probs = ref.rawOutput("output", x, n);
      double[][] softmax = new double[n][];
      double[][] graphSoftmax = new double[n][];
      double[][] expected = new double[n][];
      for (int i = 0; i < n; i++) {
        softmax[i] = softmax(logits[i]);
        graphSoftmax[i] = widen(ourProbs[i]);
        expected[i] = widen(probs[i]);
        assertThat(argMax(graphSoftmax[i])).as("image %d top-1", i).isEqualTo(argMax(expected[i]));
      }
      double classifier = relativeError(graphSoftmax, expected);
      assertThat(classifier).as("probabilities output vs reference output").isLessThan(REL_TOL);
      assertThat(relativeError(graphSoftmax, softmax)).as("probabilities = softmax(logits)").isLessThan(1e-5);
      System.out.printf("MobileNetV2 parity vs 9-tap ONNX: worst relative error %.2e (%s), softmax %.2e%n",
          worst, perLevel.toString().trim(), classifier);
    }
  }

  @Test
  void sharedPhotosGetTheirImageNetClass() throws Exception {
    List<String> labels = Files.readAllLines(SharedData.require("images/imagenet_labels.txt"),
        StandardCharsets.UTF_8);
    assertThat(labels).hasSize(1001).first().isEqualTo("background");
    Map<String, List<String>> expected = photoClasses();
    List<String> files = new ArrayList<>(expected.keySet());
    float[][] images = new float[files.size()][];
    for (int i = 0; i < files.size(); i++) {
      images[i] = photo(files.get(i));
    }
    int correct = 0;
    List<String> report = new ArrayList<>();
    try (OnnxBackbone ours = OnnxBackbone.open(built(), options(MobileNetV2.LEVELS, 2, 16))) {
      float[][] logits = ours.rawOutput(MobileNetV2.LOGITS, concat(images), files.size());
      for (int i = 0; i < files.size(); i++) {
        assertThat(logits[i]).hasSize(1001);
        double[] p = softmax(logits[i]);
        int top = argMax(p);
        String label = labels.get(top).split(",")[0].trim(); // index 0 = background: ImageNet class k at k + 1
        boolean ok = expected.get(files.get(i)).contains(label);
        correct += ok ? 1 : 0;
        report.add(String.format("%s: %s (p=%.2f)%s", files.get(i), label, p[top], ok ? "" : " WRONG"));
        if (files.get(i).equals("cat.bmp")) {
          assertThat(label).as("PROVENANCE.md: cat.bmp → Egyptian cat").isEqualTo("Egyptian cat");
          assertThat(p[top]).as("PROVENANCE.md: p ≈ 0.67").isBetween(0.6, 0.75);
        }
      }
    }
    System.out.println("MobileNetV2 top-1 on shared photos: " + correct + "/" + files.size() + " " + report);
    assertThat(correct).as("correct top-1: %s", report).isGreaterThanOrEqualTo(files.size() - 1);
  }

  @Test
  void aDynamicBatchOfFiveGivesTheFeaturesOfFiveSingleRuns() throws Exception {
    int n = 5;
    float[] x = concat(noise(3, 7), photo("owl.jpg"), photo("hot_dog.jpg"));
    try (OnnxBackbone batched = OnnxBackbone.open(built(), options(MobileNetV2.LEVELS, 2, 16));
        OnnxBackbone single = OnnxBackbone.open(built(), options(MobileNetV2.LEVELS, 2, 1))) {
      assertThat(batched.maxBatch()).as("symbolic batch axis N").isEqualTo(16);
      assertThat(batched.isBatchAxisRelaxed()).as("declared dynamic, not relaxed").isFalse();
      assertThat(single.maxBatch()).isEqualTo(1);
      double[][][] a = batched.extract(x, n);
      double[][][] b = single.extract(x, n);
      double worst = 0;
      for (int l = 0; l < MobileNetV2.LEVELS.size(); l++) {
        assertThat(a[l]).hasNumberOfRows(n);
        worst = Math.max(worst, relativeError(a[l], b[l]));
      }
      System.out.printf("MobileNetV2 batch of 5 vs singles: worst relative difference %.2e%n", worst);
      assertThat(worst).isLessThan(1e-6);
      // and the images differ from each other (a batch that repeated image 0 would pass the above trivially)
      assertThat(relativeError(new double[][] {a[8][0]}, new double[][] {a[8][4]})).isGreaterThan(1e-2);
    }
  }

  static Map<String, List<String>> photoClasses() throws IOException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (InputStream in = MobileNetV2ParityTest.class.getResourceAsStream("mnv2/photo_classes.tsv")) {
      assertThat(in).as("test resource mnv2/photo_classes.tsv").isNotNull();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t");
        out.put(cols[0], Arrays.asList(cols[1].split("\\|")));
      }
    }
    return out;
  }

  static double[] softmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp(z[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  static double[] widen(float[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  static int argMax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
