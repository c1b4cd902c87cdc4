package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;

/**
 * Several models in one process and hot swap: models on the same backbone file and levels share one session,
 * other levels get their own; {@code PUT /v1/models/{name}} replaces a model atomically (every response is wholly
 * the old or wholly the new model, as its hash says), and a bad upload is refused with one 4xx message while the
 * old model keeps serving.
 */
class HotSwapTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void sessionsAreSharedByBackboneFileAndLevels() throws Exception {
    Fixture f = new Fixture(dir);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("a", f.plain, "b", f.calibrated, "c", f.other)))) {
      assertThat(s.backboneSessions()).isEqualTo(2);
      Fixture.Client c = new Fixture.Client(s);
      for (String name : List.of("a", "b", "c")) {
        HttpResponse<String> r = c.post("/v1/models/" + name + "/score", "image/png", f.pngs.get(0));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      JsonNode list = JSON.readTree(c.get("/v1/models").body()).get("models");
      assertThat(list).hasSize(3);
    }
  }

  @Test
  void putReplacesAtomicallyWhileRequestsRunAndEveryAnswerIsOneWholeModel() throws Exception {
    Fixture f = new Fixture(dir);
    byte[] plainBytes = Files.readAllBytes(f.plain);
    byte[] calBytes = Files.readAllBytes(f.retrained);
    Map<String, Double> expectedBySha;
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
      expectedBySha = Map.of(
          ScoreEndpointsTest.sha256(f.plain), d.score(FittedModel.load(f.plain), Images.encoded(f.pngs.get(1))).score(),
          ScoreEndpointsTest.sha256(f.retrained),
          d.score(FittedModel.load(f.retrained), Images.encoded(f.pngs.get(1))).score());
    }
    assertThat(expectedBySha.values().stream().distinct().count()).as("the two models score differently").isEqualTo(2);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("line", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<HttpResponse<String>>> scores = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          scores.add(pool.submit(() -> c.post("/v1/models/line/score", "image/png", f.pngs.get(1))));
        }
        for (int i = 0; i < 6; i++) {
          HttpResponse<String> r = c.put("/v1/models/line", i % 2 == 0 ? calBytes : plainBytes);
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        for (Future<HttpResponse<String>> fu : scores) {
          HttpResponse<String> r = fu.get();
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          JsonNode j = JSON.readTree(r.body());
          String sha = j.get("modelSha256").asText();
          assertThat(expectedBySha).containsKey(sha);
          assertThat(j.get("images").get(0).get("score").asDouble()).isEqualTo(expectedBySha.get(sha));
          assertThat(j.get("calibrated").asBoolean()).isEqualTo(sha.equals(ScoreEndpointsTest.sha256(f.retrained)));
        }
      } finally {
        pool.shutdownNow();
      }
      // six swaps ended on the plain model
      JsonNode meta = JSON.readTree(c.get("/v2/models/line").body());
      assertThat(meta.get("modelSha256").asText()).isEqualTo(ScoreEndpointsTest.sha256(f.plain));
      assertThat(s.backboneSessions()).isEqualTo(1);
    }
  }

  @Test
  void aRequestInFlightDuringASwapFinishesOnTheModelItArrivedFor() throws Exception {
    Fixture f = new Fixture(dir);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("line", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      byte[] png = f.pngs.get(0);
      try (java.net.Socket sock = new java.net.Socket("127.0.0.1", s.port())) {
        var out = sock.getOutputStream();
        out.write(("POST /v1/models/line/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
            + "Content-Length: " + png.length + "\r\nConnection: close\r\n\r\n").getBytes());
        out.write(png, 0, 10); // the request has arrived and is sending its body
        out.flush();
        Thread.sleep(300);
        HttpResponse<String> swap = c.put("/v1/models/line", Files.readAllBytes(f.retrained));
        assertThat(swap.statusCode()).as(swap.body()).isEqualTo(200);
        out.write(png, 10, png.length - 10);
        out.flush();
        String answer = new String(sock.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 200");
        JsonNode j = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(j.get("modelSha256").asText()).isEqualTo(ScoreEndpointsTest.sha256(f.plain));
      }
      HttpResponse<String> next = c.post("/v1/models/line/score", "image/png", png);
      assertThat(JSON.readTree(next.body()).get("modelSha256").asText())
          .isEqualTo(ScoreEndpointsTest.sha256(f.retrained));
    }
  }

  @Test
  void badUploadsAreRefusedAndTheOldModelKeepsServing() throws Exception {
    Fixture f = new Fixture(dir);
    String plainSha = ScoreEndpointsTest.sha256(f.plain);
    byte[] good = Files.readAllBytes(f.plain);
    byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x55; // inside a zip entry (the tail is the zip directory)
    try (Detector d = Detector.builder().onnx(dir.resolve("tiny_cnn.onnx")).levels("s1", "s2", "pooled").build()) {
      // a model for another backbone: the batch-1 variant of the tiny CNN
      Path b1 = dir.resolve("b1.onnx");
      try (var in = HotSwapTest.class.getResourceAsStream("/org/maha/backbone/tiny_cnn_batch1.onnx")) {
        Files.copy(in, b1);
      }
      try (Detector other = Detector.builder().onnx(b1).levels("s1", "s2", "pooled").build()) {
        other.fit(Images.folder(dir.resolve("good"))).save(dir.resolve("b1.maha"));
      }
      assertThat(d.levels()).hasSize(3);
    }
    byte[] otherBackbone = Files.readAllBytes(dir.resolve("b1.maha"));
    Limits small = new Limits(Limits.DEFAULT.maxBodyBytes(), 64, Limits.DEFAULT.maxPixels(), good.length - 1, 4, 16);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("line", f.plain), new Limits(
        Limits.DEFAULT.maxBodyBytes(), 64, Limits.DEFAULT.maxPixels(), 1L << 26, 4, 16), java.util.Optional.empty(),
        new ArrayList<>()))) {
      Fixture.Client c = new Fixture.Client(s);
      Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
      bad.put("not a model", "hello".getBytes());
      bad.put("truncated", truncated);
      bad.put("corrupted", flipped);
      bad.put("other backbone", otherBackbone);
      bad.put("empty", new byte[0]);
      for (var e : bad.entrySet()) {
        HttpResponse<String> r = c.put("/v1/models/line", e.getValue());
        assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isBetween(400, 499);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("error").asText()).as(e.getKey()).doesNotContain("Exception", "\tat ", "\n");
        HttpResponse<String> still = c.post("/v1/models/line/score", "image/png", f.pngs.get(0));
        assertThat(still.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(still.body()).get("modelSha256").asText()).as(e.getKey()).isEqualTo(plainSha);
      }
      assertThat(c.put("/v1/models/line", otherBackbone).body()).contains("none of the backbones given");
      assertThat(c.put("/v1/models/unknown", good).statusCode()).isEqualTo(404);
    }
    assertThat(Files.size(f.other)).isLessThan(good.length); // fewer levels: it starts under the limit
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("line", f.other), small, java.util.Optional.empty(),
        new ArrayList<>()))) {
      HttpResponse<String> r = new Fixture.Client(s).put("/v1/models/line", good);
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(JSON.readTree(r.body()).get("error").asText()).contains("over the limit of " + (good.length - 1));
    }
  }
}
