package org.maha.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.testing.SharedData;
import org.maha.weights.StateDicts;
import org.maha.weights.Tensor;

/**
 * Java side of the EfficientNet-B0 speed comparison (issue 3 item 5), off unless {@code -Dmaha.bench.dir=DIR} names
 * the folder that {@code effnet/bench_effnet_torch.py --out DIR} filled. Builds the torchvision graph from the same
 * random full-size weights, checks full-size parity with PyTorch, and writes {@code DIR/java_bench.json} with
 * images/s of {@link OnnxBackbone#extract} per batch size ({@code -Dmaha.bench.threads}, default 2;
 * {@code -Dmaha.bench.seconds}, default 10); the same for the 0.6.3 graph of the shared {@code b0_legacy.pth} when
 * it exists. Timing is recorded, never asserted.
 */
@EnabledIfSystemProperty(named = "maha.bench.dir", matches = ".+")
class EfficientNetBenchTest {

  private static final int PER_IMAGE = 3 * 224 * 224;

  @Test
  void measuresB0ImagesPerSecond() throws Exception {
    Path dir = Path.of(System.getProperty("maha.bench.dir"));
    int threads = Integer.getInteger("maha.bench.threads", 2);
    double seconds = Double.parseDouble(System.getProperty("maha.bench.seconds", "10"));
    float[] input = NpzStateDicts.floats(Npy.read(Files.readAllBytes(dir.resolve("input.npy"))).data());
    Map<String, NpyArray> expected = NpzStateDicts.npz(Files.readAllBytes(dir.resolve("expected.npz")));
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    out.put("threads", threads).put("java", System.getProperty("java.version"));

    Map<String, Tensor> tv = StateDicts.read(dir.resolve("tv_b0_random.pth"));
    EfficientNet.Config tvCfg = EfficientNet.Config.named("torchvision-efficientnet_b0");
    ObjectNode tvOut = out.putObject("torchvision-efficientnet_b0");
    Path tvOnnx = build(dir, "tv_b0", tv, tvCfg, tvOut);
    try (OnnxBackbone b = open(tvOnnx, threads)) {
      double[][][] f = b.extract(Arrays.copyOf(input, 2 * PER_IMAGE), 2);
      tvOut.put("max_relative_error_vs_torch", EfficientNetParityTest.assertLevels("torchvision b0", f, expected));
      time(b, input, seconds, tvOut.putObject("images_per_second"));
    }
    Path shared = SharedData.dir().resolve("fixtures/effnet063/b0_legacy.pth");
    if (Files.exists(shared)) {
      ObjectNode lmOut = out.putObject("efficientnet-b0");
      Path lmOnnx = build(dir, "lm_b0", StateDicts.read(shared), EfficientNet.Config.named("efficientnet-b0"),
          lmOut);
      try (OnnxBackbone b = open(lmOnnx, threads)) {
        time(b, input, seconds, lmOut.putObject("images_per_second"));
      }
    }
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("java_bench.json").toFile(), out);
    assertThat(tvOut.path("images_per_second").size()).isEqualTo(2);
  }

  private static Path build(Path dir, String name, Map<String, Tensor> sd, EfficientNet.Config cfg, ObjectNode out)
      throws Exception {
    long start = System.nanoTime();
    byte[] model = EfficientNet.toOnnx(name, sd, cfg, EfficientNet.Options.defaults());
    out.put("build_seconds", (System.nanoTime() - start) / 1e9).put("graph_bytes", model.length);
    Path onnx = dir.resolve(name + "_maha.onnx");
    Files.write(onnx, model);
    return onnx;
  }

  private static OnnxBackbone open(Path onnx, int threads) throws Exception {
    return OnnxBackbone.open(onnx, BackboneOptions.defaults().withLevels(EfficientNet.LEVELS).withThreads(threads)
        .withMaxBatch(16));
  }

  private static void time(OnnxBackbone b, float[] input, double seconds, ObjectNode ips) throws Exception {
    for (int batch : new int[] {1, 16}) {
      ips.put(Integer.toString(batch),
          BenchTiming.imagesPerSecond(b, Arrays.copyOf(input, batch * PER_IMAGE), batch, seconds));
    }
  }
}
