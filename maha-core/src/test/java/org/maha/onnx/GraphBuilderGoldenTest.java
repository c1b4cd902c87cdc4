package org.maha.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.weights.Tensor;

/**
 * Known answers from {@code make_fixtures.py}: the bytes onnx.helper writes for the same graph, and the outputs
 * torch computes for it.
 */
class GraphBuilderGoldenTest {

  private static byte[] resource(String name) {
    try (InputStream in = GraphBuilderGoldenTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource org/maha/onnx/" + name + " is missing; run make_fixtures.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, NpyArray> npz(String name) throws Exception {
    Map<String, NpyArray> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(resource(name)))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName().replace(".npy", ""), Npy.read(in.readAllBytes()));
      }
    }
    return out;
  }

  private static float[] floats(NpyArray a) {
    float[] f = new float[a.data().length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) a.data()[i];
    }
    return f;
  }

  private static Tensor tensor(String name, NpyArray a) {
    return new Tensor(name, a.shape(), floats(a));
  }

  /** The graph of ops_graph.onnx, step by step as make_fixtures.py describes it. */
  static GraphBuilder opsGraph(Map<String, NpyArray> c) {
    GraphBuilder g = new GraphBuilder("ops", 17);
    String x = g.input("x", 4, 9, 9);
    String y = g.conv(x, tensor("c1.weight", c.get("w1")), tensor("c1.bias", c.get("b1")), new int[] {2, 1},
        new int[] {1, 0, 2, 1}, 2, new int[] {1, 2});
    y = g.relu(y);
    y = g.maxPool(y, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0, 1, 1});
    String m = g.pad(y, new int[] {1, 2, 0, 3});
    y = g.mul(g.sigmoid(m), g.clip(m, -0.5f, 0.75f));
    String scale = g.initializer("scale", c.get("scale").shape(), floats(c.get("scale")));
    y = g.add(y, scale);
    String features = g.flatten(g.globalAveragePool(y));
    String logits = g.gemm(features, tensor("fc.weight", c.get("fcw")), tensor("fc.bias", c.get("fcb")));
    g.output("logits", logits);
    g.output("features", features);
    g.output("x_copy", x);
    g.metadata("maha.test", "golden");
    return g;
  }

  @Test
  void writesTheSameBytesAsOnnxHelper() throws Exception {
    byte[] expected = resource("ops_graph.onnx");
    assertThat(HexFormat.of().formatHex(opsGraph(npz("ops_case.npz")).toModelBytes()))
        .isEqualTo(HexFormat.of().formatHex(expected));
  }

  @Test
  void tracksShapesThroughEveryOperator() throws Exception {
    GraphBuilder g = opsGraph(npz("ops_case.npz"));
    assertThat(g.shape("Conv_0")).containsExactly(-1, 6, 5, 6);
    assertThat(g.shape("MaxPool_2")).containsExactly(-1, 6, 3, 6);
    assertThat(g.shape("Pad_3")).containsExactly(-1, 6, 4, 11);
    assertThat(g.shape("logits")).containsExactly(-1, 3);
    // a value renamed by output() is still reachable by its first name
    assertThat(g.shape("Flatten_9")).containsExactly(-1, 6);
  }

  @Test
  void onnxRuntimeGivesTorchsOutputs() throws Exception {
    Map<String, NpyArray> c = npz("ops_case.npz");
    byte[] model = opsGraph(c).toModelBytes();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    NpyArray x = c.get("x");
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model, so);
        OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(floats(x)), new long[] {2, 4, 9, 9});
        OrtSession.Result result = session.run(Map.of("x", input))) {
      for (String name : List.of("logits", "features")) {
        float[] actual = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer().array();
        double[] expected = c.get(name).data();
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
          // float32 in both, different summation order: a few ulps of values of order 1
          assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(1e-5));
        }
      }
      float[] copy = ((OnnxTensor) result.get("x_copy").orElseThrow()).getFloatBuffer().array();
      assertThat(copy).containsExactly(floats(x));
    }
  }

  @Test
  void softmaxWritesOnnxHelpersBytesAndGivesTorchsProbabilities() throws Exception {
    GraphBuilder g = new GraphBuilder("softmax", 17);
    g.output("p", g.softmax(g.input("x", 5)));
    byte[] model = g.toModelBytes();
    assertThat(HexFormat.of().formatHex(model)).isEqualTo(HexFormat.of().formatHex(resource("softmax_graph.onnx")));
    Map<String, NpyArray> c = npz("softmax_case.npz");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model, so);
        OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(floats(c.get("x"))), new long[] {3, 5});
        OrtSession.Result result = session.run(Map.of("x", input))) {
      float[] actual = ((OnnxTensor) result.get("p").orElseThrow()).getFloatBuffer().array();
      double[] expected = c.get("p").data();
      assertThat(actual).hasSize(15);
      for (int i = 0; i < expected.length; i++) {
        assertThat((double) actual[i]).as("p[%d]", i).isCloseTo(expected[i], within(1e-6));
      }
    }
  }

  @Test
  void encodesAttributesAsOnnxHelperDoes() throws Exception {
    JsonNode a = new ObjectMapper().readTree(resource("attributes.json")).get("attributes");
    assertThat(hex(OnnxProto.attribute(new Attribute.Float("alpha", 0.25f)))).isEqualTo(a.get("float").asText());
    assertThat(hex(OnnxProto.attribute(new Attribute.Int("axis", -3)))).isEqualTo(a.get("int").asText());
    assertThat(hex(OnnxProto.attribute(new Attribute.Ints("pads", List.of(1L, -2L, 300L)))))
        .isEqualTo(a.get("ints").asText());
    assertThat(hex(OnnxProto.attribute(new Attribute.Str("mode", "reflect")))).isEqualTo(a.get("string").asText());
  }

  private static String hex(ProtoMessage m) {
    return HexFormat.of().formatHex(m.toByteArray());
  }
}
