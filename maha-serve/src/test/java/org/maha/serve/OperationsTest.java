package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations: the OpenAPI document checked into the repository is the one served and lists exactly the routes the
 * server answers; Prometheus metrics count requests, images and verdicts and include JVM memory; the access log
 * has one JSON line per request; close() drains a request in flight before stopping.
 */
class OperationsTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theCheckedInOpenApiDocumentIsServedAndListsExactlyTheServedRoutes() throws Exception {
    Fixture f = new Fixture(dir);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("plain", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      HttpResponse<String> r = c.get("/openapi.json");
      assertThat(r.statusCode()).isEqualTo(200);
      Path checkedIn = Path.of(System.getProperty("maha.repo.root", "..")).resolve(
          "maha-serve/src/main/resources/org/maha/serve/openapi.json");
      if (Files.exists(checkedIn)) {
        assertThat(r.body()).isEqualTo(Files.readString(checkedIn, StandardCharsets.UTF_8));
      }
      JsonNode paths = JSON.readTree(r.body()).get("paths");
      Set<String> documented = new TreeSet<>();
      for (Map.Entry<String, JsonNode> e : paths.properties()) {
        e.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " "
            + e.getKey()));
      }
      Set<String> served = new TreeSet<>();
      for (Route route : MahaServer.ROUTES) {
        served.add(route.method() + " " + route.template());
        // and the server does answer it (not the unknown-route 404)
        var req = c.req(route.template().replace("{name}", "plain"))
            .method(route.method(), route.method().equals("GET") ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[0]));
        HttpResponse<String> a = c.http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.body()).as(route.toString()).doesNotContain("no such endpoint");
      }
      assertThat(documented).isEqualTo(served);
    }
  }

  @Test
  void metricsCountRequestsImagesAndVerdictsAndTheAccessLogHasAJsonLinePerRequest() throws Exception {
    Fixture f = new Fixture(dir);
    List<String> log = new ArrayList<>();
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("cal", f.calibrated), Limits.DEFAULT,
        java.util.Optional.empty(), log))) {
      Fixture.Client c = new Fixture.Client(s);
      assertThat(c.post("/v1/models/cal/score", "multipart/form-data; boundary=b", Fixture.multipart("b",
          List.of("1", "2", "3"), f.pngs.subList(0, 3))).statusCode()).isEqualTo(200);
      assertThat(c.post("/v1/models/cal/score", "image/png", "junk".getBytes()).statusCode()).isEqualTo(400);
      String m = c.get("/metrics").body();
      assertThat(m).contains("maha_requests_total{model=\"cal\",outcome=\"ok\",route=\"/v1/models/{name}/score\"} 1.0",
          "maha_requests_total{model=\"cal\",outcome=\"client_error\",route=\"/v1/models/{name}/score\"} 1.0",
          "maha_images_total{model=\"cal\",outcome=\"ok\"} 3.0",
          "maha_images_total{model=\"cal\",outcome=\"refused\"} 1.0",
          "maha_request_duration_seconds_bucket{route=\"/v1/models/{name}/score\"",
          "maha_scoring_duration_seconds_count{model=\"cal\"}",
          "maha_stage_duration_seconds_count{model=\"cal\",stage=\"backbone\"} 1",
          "maha_stage_duration_seconds_count{model=\"cal\",stage=\"decode\"} 1",
          "maha_stage_duration_seconds_count{model=\"cal\",stage=\"statistics\"} 1",
          "maha_verdicts_total{model=\"cal\"", "jvm_memory_used_bytes", "maha_requests_waiting", "maha_requests_in_flight 0.0");
      List<String> access;
      List<String> audit;
      synchronized (log) {
        access = log.stream().filter(l -> l.startsWith("{")).toList();
        audit = log.stream().filter(l -> l.startsWith("audit ")).map(l -> l.substring(6)).toList();
      }
      assertThat(audit).hasSize(3); // the refused image is not a decision
      for (int i = 0; i < 3; i++) {
        JsonNode a = JSON.readTree(audit.get(i));
        assertThat(a.get("imageSha256").asText()).isEqualTo(ModelRegistry.sha256(f.pngs.get(i)));
        assertThat(a.get("modelSha256").asText()).isEqualTo(ScoreEndpointsTest.sha256(f.calibrated));
        assertThat(a.get("image").asText()).isEqualTo(String.valueOf(i + 1));
        assertThat(a.get("verdict").asText()).isIn("normal", "anomalous");
        assertThat(a.get("score").isDouble()).isTrue();
        assertThat(a.get("pValue").asDouble()).isEqualTo(org.maha.api.FittedModel.load(f.calibrated).pValue(a.get("score").asDouble()).orElseThrow());
      }
      assertThat(access).hasSizeGreaterThanOrEqualTo(2);
      JsonNode first = JSON.readTree(access.get(0));
      assertThat(first.get("status").asInt()).isEqualTo(200);
      assertThat(first.get("images").asInt()).isEqualTo(3);
      assertThat(first.get("model").asText()).isEqualTo("cal");
      assertThat(first.get("method").asText()).isEqualTo("POST");
      assertThat(first.has("ms")).isTrue();
      assertThat(JSON.readTree(access.get(1)).get("status").asInt()).isEqualTo(400);
    }
  }

  @Test
  void closeDrainsARequestInFlightThenStops() throws Exception {
    Fixture f = new Fixture(dir);
    List<String> log = new ArrayList<>();
    MahaServer s = MahaServer.start(f.config(Fixture.models("plain", f.plain), Limits.DEFAULT,
        java.util.Optional.empty(), log));
    byte[] png = f.pngs.get(0);
    int port = s.port();
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", port)) {
      var out = sock.getOutputStream();
      out.write(("POST /v1/models/plain/score HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: "
          + png.length + "\r\n\r\n").getBytes());
      out.write(png, 0, 10);
      out.flush();
      Fixture.Client c = new Fixture.Client(s);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!c.get("/metrics").body().contains("maha_requests_in_flight 1.0")) { // it is in the handler
        assertThat(System.nanoTime()).as("the request never arrived").isLessThan(deadline);
        Thread.sleep(50);
      }
      CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
      Thread.sleep(500);
      boolean waited = !closing.isDone();
      out.write(png, 10, png.length - 10);
      out.flush();
      byte[] buf = new byte[4096];
      int n = sock.getInputStream().read(buf);
      assertThat(new String(buf, 0, Math.max(n, 0), StandardCharsets.UTF_8)).as(String.join("\n", log))
          .startsWith("HTTP/1.1 200");
      assertThat(waited).as("close waited for the request in flight: " + String.join("\n", log)).isTrue();
      closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    try {
      new java.net.Socket("127.0.0.1", port).close();
      throw new AssertionError("still accepting after close");
    } catch (java.net.ConnectException expected) {
      // stopped
    }
  }
}
