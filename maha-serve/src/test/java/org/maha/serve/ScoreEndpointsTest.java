package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;

/**
 * The scoring routes over real HTTP give the numbers of the library (the API's own tests tie those to
 * {@code maha score} bit for bit; maha-cli's ServeCommandTest compares with the command itself): raw bytes,
 * multipart with several images, and the Open Inference Protocol's infer call; metadata and health.
 */
class ScoreEndpointsTest {
  @TempDir static Path dir;
  static Fixture f;
  static MahaServer server;
  static Fixture.Client client;
  static final ObjectMapper JSON = new ObjectMapper();
  static List<Score> expected;
  static List<Score> expectedCalibrated;

  @BeforeAll
  static void start() throws Exception {
    f = new Fixture(dir);
    server = MahaServer.start(f.config(Fixture.models("plain", f.plain, "cal", f.calibrated)));
    client = new Fixture.Client(server);
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
      expected = d.scoreAll(FittedModel.load(f.plain), Images.encoded(f.pngs));
      expectedCalibrated = d.scoreAll(FittedModel.load(f.calibrated), Images.encoded(f.pngs));
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String sha256(Path p) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  static void assertSame(JsonNode image, Score s) {
    assertThat(image.get("score").asDouble()).isEqualTo(s.score());
    s.levelDistances().forEach((l, d) -> assertThat(image.get("levelDistances").get(l).asDouble()).isEqualTo(d));
    assertThat(image.get("levelDistances").size()).isEqualTo(s.levelDistances().size());
  }

  @Test
  void rawBytesScoreLikeTheLibraryAndSayTheModelIsUncalibrated() throws Exception {
    HttpResponse<String> r = client.post("/v1/models/plain/score", "image/png", f.pngs.get(0));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("modelSha256").asText()).isEqualTo(sha256(f.plain));
    assertThat(j.get("calibrated").asBoolean()).isFalse();
    assertThat(j.get("note").asText()).contains("not calibrated");
    assertThat(j.get("images")).hasSize(1);
    assertSame(j.get("images").get(0), expected.get(0));
    assertThat(j.get("images").get(0).get("verdict").isNull()).isTrue();
    assertThat(j.get("images").get(0).get("pValue").isNull()).isTrue();
    assertThat(j.get("pValues").asBoolean()).isFalse();
    assertThat(j.get("threshold").isNull()).isTrue();
    assertThat(j.get("timingsMs").get("total").asDouble()).isPositive();
    assertThat(j.get("timingsMs").get("backbone").asDouble()).isPositive();
    assertThat(j.get("timingsMs").get("decode").asDouble()).isPositive();
    assertThat(j.get("timingsMs").get("statistics").asDouble()).isNotNegative();
    assertThat(j.get("timingsMs").has("queue")).isFalse(); // no micro-batching here
  }

  @Test
  void multipartScoresEveryImageInOrderWithVerdictsOfTheCalibratedModel() throws Exception {
    List<String> names = List.of("a.png", "b.png", "c.png", "d.png", "e.png");
    HttpResponse<String> r = client.post("/v1/models/cal/score", "multipart/form-data; boundary=XyZ",
        Fixture.multipart("XyZ", names, f.pngs));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("calibrated").asBoolean()).isTrue();
    assertThat(j.get("threshold").get("value").asDouble()).isEqualTo(expectedCalibrated.get(0).threshold()
        .orElseThrow().value());
    for (int i = 0; i < names.size(); i++) {
      JsonNode im = j.get("images").get(i);
      assertThat(im.get("name").asText()).isEqualTo(names.get(i));
      assertSame(im, expectedCalibrated.get(i));
      assertThat(im.get("verdict").asText()).isEqualTo(expectedCalibrated.get(i).verdict().orElseThrow().name()
          .toLowerCase(java.util.Locale.ROOT));
      assertThat(im.get("pValue").asDouble()).isEqualTo(expectedCalibrated.get(i).pValue().orElseThrow());
    }
    assertThat(j.get("pValues").asBoolean()).isTrue();
    assertThat(j.has("note")).isFalse();
  }

  @Test
  void openInferenceProtocolInferWithBase64Bytes() throws Exception {
    StringBuilder data = new StringBuilder();
    for (byte[] p : f.pngs) {
      data.append(data.length() == 0 ? "" : ",").append('"').append(Base64.getEncoder().encodeToString(p)).append('"');
    }
    String body = "{\"id\":\"req-1\",\"inputs\":[{\"name\":\"images\",\"shape\":[" + f.pngs.size()
        + "],\"datatype\":\"BYTES\",\"data\":[" + data + "]}]}";
    HttpResponse<String> r = client.post("/v2/models/cal/infer", "application/json", body.getBytes());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("model_name").asText()).isEqualTo("cal");
    assertThat(j.get("id").asText()).isEqualTo("req-1");
    JsonNode outs = j.get("outputs");
    assertThat(outs.get(0).get("name").asText()).isEqualTo("score");
    assertThat(outs.get(1).get("shape").get(1).asInt()).isEqualTo(3);
    List<String> levels = List.of("s1", "s2", "pooled");
    for (int i = 0; i < f.pngs.size(); i++) {
      Score s = expectedCalibrated.get(i);
      assertThat(outs.get(0).get("data").get(i).asDouble()).isEqualTo(s.score());
      for (int l = 0; l < 3; l++) {
        assertThat(outs.get(1).get("data").get(i * 3 + l).asDouble()).isEqualTo(s.levelDistances().get(levels.get(l)));
      }
      assertThat(outs.get(2).get("data").get(i).asText())
          .isEqualTo(s.verdict().orElseThrow().name().toLowerCase(java.util.Locale.ROOT));
      assertThat(outs.get(3).get("name").asText()).isEqualTo("p_value");
      assertThat(outs.get(3).get("data").get(i).asDouble()).isEqualTo(s.pValue().orElseThrow());
    }
    assertThat(j.get("parameters").get("pValues").asBoolean()).isTrue();
    assertThat(j.get("parameters").get("timings_ms").get("backbone").asDouble()).isPositive();
  }

  @Test
  void theUncalibratedModelsInferenceHasNoVerdictOrPValueAndSaysWhy() throws Exception {
    String body = "{\"inputs\":[{\"name\":\"images\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\""
        + Base64.getEncoder().encodeToString(f.pngs.get(0)) + "\"]}]}";
    HttpResponse<String> r = client.post("/v2/models/plain/infer", "application/json", body.getBytes());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("outputs")).hasSize(2);
    assertThat(j.get("parameters").get("calibrated").asBoolean()).isFalse();
    assertThat(j.get("parameters").get("note").asText()).contains("not calibrated", "no p-value");
  }

  @Test
  void everyFieldOfTheScoreAndMetadataResponsesIsInTheOpenApiDocument() throws Exception {
    JsonNode schemas = JSON.readTree(Endpoints.openApi()).get("components").get("schemas");
    for (String model : List.of("plain", "cal")) {
      JsonNode score = JSON.readTree(client.post("/v1/models/" + model + "/score", "image/png", f.pngs.get(0)).body());
      assertDocumented(score, schemas.get("ScoreResponse"), model + " score");
      assertDocumented(score.get("images").get(0), schemas.get("ScoreResponse").get("properties").get("images")
          .get("items"), model + " image");
      assertDocumented(score.get("timingsMs"), schemas.get("ScoreResponse").get("properties").get("timingsMs"),
          model + " timings");
      JsonNode meta = JSON.readTree(client.get("/v2/models/" + model).body());
      assertDocumented(meta, schemas.get("ModelMetadata"), model + " metadata");
      if (meta.get("threshold").isObject()) {
        assertDocumented(meta.get("threshold"), schemas.get("Threshold"), model + " threshold");
      }
    }
  }

  private static void assertDocumented(JsonNode response, JsonNode schema, String what) {
    response.fieldNames().forEachRemaining(k -> assertThat(schema.get("properties").has(k))
        .as(what + " field '" + k + "' documented").isTrue());
  }

  @Test
  void metadataAndHealth() throws Exception {
    assertThat(client.get("/v2/health/live").statusCode()).isEqualTo(200);
    assertThat(client.get("/v2/health/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> r = client.get("/v2/models/cal");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode j = JSON.readTree(r.body());
    assertThat(j.get("modelSha256").asText()).isEqualTo(sha256(f.calibrated));
    assertThat(j.get("backbone").asText()).isNotEmpty();
    assertThat(j.get("levels").toString()).isEqualTo("[\"s1\",\"s2\",\"pooled\"]");
    assertThat(j.get("variant").asText()).isEqualTo("mvg");
    assertThat(j.get("trainingImages").asLong()).isEqualTo(8);
    assertThat(j.get("threshold").get("calibrationImages").asInt()).isEqualTo(6);
    assertThat(j.get("threshold").get("meaning").asText()).contains("6 held-out good images", "at most 0.2");
    assertThat(j.get("threshold").get("pValueMeaning").asText()).contains("6 calibration scores", "/ 7");
    assertThat(j.get("pValues").asBoolean()).isTrue();
    assertThat(j.get("outputs").get(3).get("name").asText()).isEqualTo("p_value");
    JsonNode plain = JSON.readTree(client.get("/v2/models/plain").body());
    assertThat(plain.get("calibrated").asBoolean()).isFalse();
    assertThat(plain.get("threshold").isNull()).isTrue();
    assertThat(plain.get("pValues").asBoolean()).isFalse();
    assertThat(plain.get("note").asText()).contains("not calibrated", "no threshold");
  }

  @Test
  void modelsOnTheSameBackboneFileAndLevelsShareOneSession() {
    assertThat(server.backboneSessions()).isEqualTo(1);
  }
}
