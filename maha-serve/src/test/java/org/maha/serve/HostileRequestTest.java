package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken requests, one test per class of attack: each gets a 4xx (or 503 when busy) JSON error that
 * names the problem, never a 5xx, a stack trace or an exception name, and the service keeps serving.
 */
class HostileRequestTest {
  @TempDir static Path dir;
  static Fixture f;
  static MahaServer server;
  static Fixture.Client c;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "0123456789abcdef-test-key";
  static final List<String> log = new ArrayList<>();
  static final Limits LIMITS = new Limits(64 * 1024, 3, 1_000_000, 1 << 20, 1, 0);

  @BeforeAll
  static void start() throws Exception {
    f = new Fixture(dir);
    Path keys = Files.writeString(dir.resolve("keys"), "# operators\n" + KEY + "\n");
    server = MahaServer.start(f.config(Fixture.models("plain", f.plain), LIMITS, Optional.of(ApiKeys.read(keys)), log));
    c = new Fixture.Client(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return c.http.send(b.header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String type, byte[] body) throws Exception {
    return send(c.req(path).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** A 4xx (or the given status) with a one-line JSON error containing {@code fragment}, no trace. */
  static void assertRefused(HttpResponse<String> r, int status, String fragment) throws Exception {
    assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("error").asText()).as(r.body()).containsIgnoringCase(fragment)
        .doesNotContain("Exception", "\tat ", "\n", "org.maha", "org.eclipse");
  }

  @Test
  void notAnImageTruncatedOrEmpty() throws Exception {
    assertRefused(post("/v1/models/plain/score", "image/png", "hello, not a picture".getBytes()), 400, "image");
    byte[] png = f.pngs.get(0);
    assertRefused(post("/v1/models/plain/score", "image/png", java.util.Arrays.copyOf(png, png.length / 2)), 400,
        "image");
    assertRefused(post("/v1/models/plain/score", "image/png", new byte[0]), 400, "empty");
  }

  /** A valid PNG whose header claims 60000 x 60000 pixels: refused from the header, before any pixel memory. */
  @Test
  void decompressionBombIsRefusedFromItsHeader() throws Exception {
    byte[] png = f.pngs.get(0).clone();
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, 60000).putInt(20, 60000); // IHDR width, height
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17); // "IHDR" + 13 data bytes
    b.putInt(29, (int) crc.getValue());
    assertRefused(post("/v1/models/plain/score", "image/png", png), 400, "pixels");
  }

  @Test
  void unknownModelAndPathTricksInNames() throws Exception {
    assertRefused(post("/v1/models/nope/score", "image/png", f.pngs.get(0)), 404, "no model named 'nope'");
    for (String path : List.of("/v1/models/..%2F..%2Fetc%2Fpasswd/score", "/v1/models/a%00b/score",
        "/v1/models/%2e%2e/score", "/v1/models/a%20b/score", "/v1/models/" + "x".repeat(300) + "/score")) {
      // Jetty answers a malformed URI and closes the connection; on a loaded machine the shared client could
      // already have sent the next POST on it (a race a client retry cannot cover: POST is not idempotent), so
      // each trick gets its own connection. Seen once in a full build at load 12, never alone.
      HttpClient fresh = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
      HttpResponse<String> r = fresh.send(c.req(path).header("Authorization", "Bearer " + KEY)
          .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(f.pngs.get(0))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + " " + r.body()).isBetween(400, 404);
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(path).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  void wrongContentTypeWrongMethodUnknownRoute() throws Exception {
    assertRefused(post("/v1/models/plain/score", "text/plain", "x".getBytes()), 415, "Content-Type");
    assertRefused(post("/v2/models/plain/infer", "image/png", f.pngs.get(0)), 415, "application/json");
    assertRefused(send(c.req("/v1/models/plain").DELETE()), 405, "PUT");
    assertRefused(send(c.req("/v1/models/plain/score").GET()), 405, "POST");
    assertRefused(send(c.req("/admin").GET()), 404, "no such endpoint");
  }

  @Test
  void malformedInferenceRequests() throws Exception {
    String img = Base64.getEncoder().encodeToString(f.pngs.get(0));
    String[][] cases = {
        {"{\"inputs\": [", "malformed JSON"},
        {"[1,2]", "JSON object"},
        {"{\"inputs\": []}", "exactly one"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1.0]}]}", "BYTES"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"***\"]}]}", "base64"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"" + img + "\"]}]}", "shape"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[7]}]}", "base64 string"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"aGVsbG8=\"]}]}", "image"},
        {"{\"inputs\":[{\"name\":\"x\",\"shape\":[0],\"datatype\":\"BYTES\",\"data\":[]}]}", "no image"},
    };
    for (String[] t : cases) {
      assertRefused(post("/v2/models/plain/infer", "application/json", t[0].getBytes(StandardCharsets.UTF_8)), 400,
          t[1]);
    }
    String four = "{\"inputs\":[{\"name\":\"x\",\"shape\":[4],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\",\"c\",\"d\"]}]}";
    assertRefused(post("/v2/models/plain/infer", "application/json", four.getBytes()), 413, "limit of 3");
    String deep = "[".repeat(5000) + "]".repeat(5000);
    HttpResponse<String> r = post("/v2/models/plain/infer", "application/json", deep.getBytes());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
  }

  @Test
  void bodiesOverTheLimitAreRefusedDeclaredOrChunked() throws Exception {
    byte[] big = new byte[LIMITS.maxBodyBytes() + 1 > Integer.MAX_VALUE ? 0 : (int) LIMITS.maxBodyBytes() + 1];
    assertRefused(post("/v1/models/plain/score", "image/png", big), 413, "limit of 65536");
    HttpResponse<String> chunked = send(c.req("/v1/models/plain/score").header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[200_000]))));
    assertRefused(chunked, 413, "limit of 65536");
  }

  @Test
  void multipartWithTooManyPartsOrBroken() throws Exception {
    List<byte[]> four = List.of(f.pngs.get(0), f.pngs.get(1), f.pngs.get(2), f.pngs.get(3));
    assertRefused(post("/v1/models/plain/score", "multipart/form-data; boundary=B",
        Fixture.multipart("B", List.of("a", "b", "c", "d"), four)), 413, "more than 3 images");
    assertRefused(post("/v1/models/plain/score", "multipart/form-data; boundary=B", "garbage".getBytes()), 400,
        "multipart");
    assertRefused(post("/v1/models/plain/score", "multipart/form-data", "--x\r\n".getBytes()), 400, "multipart");
    assertRefused(post("/v1/models/plain/score", "multipart/form-data; boundary=B",
        Fixture.multipart("B", List.of("a"), List.of(new byte[0]))), 400, "empty");
  }

  @Test
  void apiKeysAreRequiredForEverythingButHealth() throws Exception {
    assertThat(c.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(c.get("/v2/health/ready").statusCode()).isEqualTo(200);
    for (String path : List.of("/v2/models/plain", "/metrics", "/openapi.json", "/v1/models", "/v2")) {
      assertRefused(c.get(path), 401, "API key is required");
    }
    HttpResponse<String> unread = c.post("/v1/models/plain/score", "image/png", f.pngs.get(0));
    assertRefused(unread, 401, "API key");
    // its body was never read, so the connection is closed: the answer must say so, or the client's next request
    // on the same socket meets a closed connection (CI saw "header parser received no bytes")
    assertThat(unread.headers().firstValue("Connection")).hasValue("close");
    assertRefused(c.put("/v1/models/plain", Files.readAllBytes(f.plain)), 401, "API key");
    assertRefused(c.http.send(c.req("/v2/models/plain").header("Authorization", "Bearer " + KEY + "x").build(),
        HttpResponse.BodyHandlers.ofString()), 401, "not valid");
    assertThat(c.http.send(c.req("/v2/models/plain").header("X-API-Key", KEY).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(send(c.req("/v1/models/plain/score").header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(f.pngs.get(0)))).statusCode()).isEqualTo(200);
  }

  @Test
  void headersTooLargeGetJsonNotAStack() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000)
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 431").contains("{\"error\":").doesNotContain("Exception", "\tat ");
    } catch (java.net.SocketException reset) {
      // Jetty may also answer and close before reading the rest: then no stack can have been sent either
    }
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write("BREW /pot HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400").contains("{\"error\":").doesNotContain("Exception", "\tat ");
    }
  }

  /** One request scoring, none allowed to wait: the next gets 503 with Retry-After at once, holding no body. */
  @Test
  void aFullQueueAnswers503WithRetryAfter() throws Exception {
    byte[] png = f.pngs.get(0);
    try (java.net.Socket sock = new java.net.Socket("127.0.0.1", server.port())) {
      var out = sock.getOutputStream();
      out.write(("POST /v1/models/plain/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
          + "Content-Type: image/png\r\nContent-Length: " + png.length + "\r\nConnection: close\r\n\r\n").getBytes());
      out.write(png, 0, 10);
      out.flush();
      Thread.sleep(300);
      HttpResponse<String> busy = post("/v1/models/plain/score", "image/png", png);
      assertRefused(busy, 503, "busy");
      assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
      out.write(png, 10, png.length - 10);
      out.flush();
      assertThat(new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
    }
    assertThat(post("/v1/models/plain/score", "image/png", png).statusCode()).isEqualTo(200);
  }

  @Test
  void noInternalErrorWasLogged() throws Exception {
    notAnImageTruncatedOrEmpty();
    synchronized (log) {
      assertThat(log).noneMatch(l -> l.startsWith("internal error"));
    }
  }
}
