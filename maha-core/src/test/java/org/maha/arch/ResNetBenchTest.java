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

/**
 * Java side of the ResNet-18 speed comparison (issue 3 item 5), off unless {@code -Dmaha.bench.dir=DIR} names the
 * folder that {@code bench_resnet_torch.py --out DIR} filled. Builds the graph from the same random full-size
 * weights, checks full-size parity with PyTorch, and writes {@code DIR/java_bench.json} with images/s of
 * {@link OnnxBackbone#extract} per batch size ({@code -Dmaha.bench.threads}, default 2;
 * {@code -Dmaha.bench.seconds}, default 10). Timing is recorded, never asserted.
 */
@EnabledIfSystemProperty(named = "maha.bench.dir", matches = ".+")
class ResNetBenchTest {

  @Test
  void measuresResnet18ImagesPerSecond() throws Exception {
    Path dir = Path.of(System.getProperty("maha.bench.dir"));
    int threads = Integer.getInteger("maha.bench.threads", 2);
    double seconds = Double.parseDouble(System.getProperty("maha.bench.seconds", "10"));
    long buildStart = System.nanoTime();
    byte[] model = ResNet.toOnnx("resnet18_random.npz", NpzStateDicts.stateDict(dir.resolve("resnet18_random.npz")),
        ResNet.Options.defaults());
    double buildSeconds = (System.nanoTime() - buildStart) / 1e9;
    Path onnx = dir.resolve("resnet18_maha.onnx");
    Files.write(onnx, model);
    float[] input = NpzStateDicts.floats(Npy.read(Files.readAllBytes(dir.resolve("input.npy"))).data());
    Map<String, NpyArray> expected = NpzStateDicts.npz(Files.readAllBytes(dir.resolve("expected.npz")));
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    out.put("threads", threads).put("java", System.getProperty("java.version"))
        .put("graph_bytes", model.length).put("build_seconds", buildSeconds);
    ObjectNode ips = out.putObject("images_per_second");
    try (OnnxBackbone b = OnnxBackbone.open(onnx,
        BackboneOptions.defaults().withLevels(ResNet.LEVELS).withThreads(threads).withMaxBatch(16))) {
      int per = 3 * 224 * 224;
      double[][][] features = b.extract(Arrays.copyOf(input, 2 * per), 2);
      double worst = 0;
      for (int l = 0; l < ResNet.LEVELS.size(); l++) {
        double[][] e = expected.get(ResNet.LEVELS.get(l)).rows();
        ResNetParityTest.assertClose("resnet18 " + ResNet.LEVELS.get(l), features[l], e, 1e-4);
        double scale = 0;
        for (double[] row : e) {
          for (double v : row) {
            scale = Math.max(scale, Math.abs(v));
          }
        }
        for (int i = 0; i < e.length; i++) {
          for (int k = 0; k < e[i].length; k++) {
            worst = Math.max(worst, Math.abs(features[l][i][k] - e[i][k]) / scale);
          }
        }
      }
      out.put("max_relative_error_vs_torch", worst);
      for (int batch : new int[] {1, 16}) {
        ips.put(Integer.toString(batch),
            BenchTiming.imagesPerSecond(b, Arrays.copyOf(input, batch * per), batch, seconds));
      }
    }
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("java_bench.json").toFile(), out);
    assertThat(ips.size()).isEqualTo(2);
  }
}
