package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.Backbone;
import org.maha.backbone.OnnxBackbone;
import org.maha.testing.SharedData;
import org.maha.weights.TfliteModel;

/**
 * Speed of the Java-built MobileNetV2 (float32 weights) against the shared 9-tap ONNX (int8 weights behind
 * DequantizeLinear), both through {@link OnnxBackbone#extract}, side by side in one run. Off unless
 * {@code -Dmaha.bench.mnv2=true}; {@code -Dmaha.bench.threads} (default 2), {@code -Dmaha.bench.seconds} per graph
 * and batch size (default 8). The two graphs alternate in four slices so that load from other processes hits
 * both alike. Timing is printed, never asserted.
 */
@EnabledIfSystemProperty(named = "maha.bench.mnv2", matches = "true")
class MobileNetV2BenchTest {

  @TempDir
  Path tmp;

  @Test
  void measuresImagesPerSecondAgainstTheSharedConversion() throws Exception {
    int threads = Integer.getInteger("maha.bench.threads", 2);
    double seconds = Double.parseDouble(System.getProperty("maha.bench.seconds", "8"));
    Path tflite = SharedData.require(MobileNetV2ParityTest.TFLITE);
    Path reference = SharedData.require(MobileNetV2ParityTest.REFERENCE);
    long start = System.nanoTime();
    byte[] model = MobileNetV2.fromTflite(tflite.toString(), TfliteModel.read(tflite),
        MobileNetV2.Options.defaults());
    double buildSeconds = (System.nanoTime() - start) / 1e9;
    Path ours = tmp.resolve("mnv2.onnx");
    Files.write(ours, model);
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "MobileNetV2 bench (%d threads, Java %s): build %.2f s, %d bytes", threads,
        System.getProperty("java.version"), buildSeconds, model.length));
    try (OnnxBackbone a = OnnxBackbone.open(ours, MobileNetV2ParityTest.options(MobileNetV2.LEVELS, threads, 16));
        OnnxBackbone b = OnnxBackbone.open(reference,
            MobileNetV2ParityTest.options(MobileNetV2.LEVELS, threads, 16))) {
      assertThat(b.maxBatch()).as("reference batch axis relaxed").isEqualTo(16);
      for (int batch : new int[] {1, 16}) {
        float[] x = MobileNetV2ParityTest.noise(batch, batch);
        double[] runs = new double[2];
        double[] elapsed = new double[2];
        for (int slice = 0; slice < 4; slice++) {
          Backbone bb = slice % 2 == 0 ? a : b;
          double[] r = BenchTiming.run(bb, x, batch, 1, seconds / 2, 3);
          runs[slice % 2] += r[0];
          elapsed[slice % 2] += r[1];
        }
        double ipsA = runs[0] / elapsed[0];
        double ipsB = runs[1] / elapsed[1];
        report.append(String.format(Locale.ROOT, "; batch %d: maha %.1f img/s, shared ONNX %.1f img/s (x%.2f)",
            batch, ipsA, ipsB, ipsA / ipsB));
        assertThat(Arrays.asList(ipsA, ipsB)).allMatch(v -> v > 0);
      }
    }
    System.out.println(report);
  }
}
