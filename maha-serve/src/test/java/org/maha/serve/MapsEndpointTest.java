package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.AnomalyMap;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;

/**
 * {@code POST /v1/models/{name}/score?maps=true}: a model fitted with anomaly maps (the tiny test CNN, as
 * {@code maha fit --maps --calibrate} fits it) answers each image with its map's summary and the overlay PNG that
 * {@code Detector.anomalyMaps} and {@code AnomalyMap.overlayPng} give for the same bytes (byte for byte: the same
 * map on the same fixed scale), with the scores of plain scoring; a model without maps asked for them is a 400 naming
 * the problem; a hot swap by {@code PUT} brings or takes the maps with the model.
 */
class MapsEndpointTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMapsModelAnswersWithTheOverlayTheLibraryDrawsAndAPlainModelRefusesClearly() throws Exception {
    Fixture f = new Fixture(dir);
    Path mapsFile = f.mapsModel();
    byte[] png = f.pngs.get(0);
    AnomalyMap expected;
    byte[] expectedPng;
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
      expected = d.anomalyMaps(FittedModel.loadWithMaps(mapsFile), Images.encoded(png)).get(0);
      expectedPng = expected.overlayPng(png);
    }
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("maps", mapsFile, "plain", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      assertThat(JSON.readTree(c.get("/v2/models/maps").body()).get("anomalyMaps").asBoolean()).isTrue();
      assertThat(JSON.readTree(c.get("/v2/models/plain").body()).get("anomalyMaps").asBoolean()).isFalse();

      HttpResponse<String> r = c.post("/v1/models/maps/score?maps=true", "image/png", png);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("mapLegend").asText()).contains("fixed scale learnt from good images", "calmLevel",
          "contourLevel");
      JsonNode im = body.get("images").get(0);
      JsonNode map = im.get("map");
      assertThat(map.get("width").asInt()).isEqualTo(expected.width()).isEqualTo(40);
      assertThat(map.get("height").asInt()).isEqualTo(expected.height()).isEqualTo(30);
      assertThat((float) map.get("maxValue").asDouble()).isEqualTo(expected.maxValue());
      assertThat(map.get("calmLevel").asDouble()).isEqualTo(expected.calmLevel().orElseThrow());
      assertThat(map.get("contourLevel").asDouble()).isEqualTo(expected.contourLevel().orElseThrow());
      assertThat(map.get("exceedsContour").asBoolean()).isEqualTo(expected.exceedsContour());
      byte[] overlay = Base64.getDecoder().decode(map.get("overlayPng").asText());
      assertThat(overlay).isEqualTo(expectedPng);
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(overlay));
      assertThat(decoded.getHeight()).as("the image plus the legend strip").isGreaterThan(30);
      assertThat(decoded.getWidth()).isGreaterThanOrEqualTo(40);

      // the same score as without maps (one pass gives both), and as the library's map
      JsonNode plainScore = JSON.readTree(c.post("/v1/models/maps/score", "image/png", png).body())
          .get("images").get(0);
      assertThat(plainScore.has("map")).isFalse();
      assertThat(im.get("score").asDouble()).isEqualTo(plainScore.get("score").asDouble())
          .isEqualTo(expected.score().score());

      // several images: one map each, in order, named as sent
      String boundary = "b0undary";
      HttpResponse<String> multi = c.post("/v1/models/maps/score?maps=1", "multipart/form-data; boundary="
          + boundary, Fixture.multipart(boundary, List.of("a.png", "b.png"), List.of(png, f.pngs.get(1))));
      assertThat(multi.statusCode()).as(multi.body()).isEqualTo(200);
      JsonNode images = JSON.readTree(multi.body()).get("images");
      assertThat(images).hasSize(2);
      assertThat(images.get(0).get("name").asText()).isEqualTo("a.png");
      assertThat(Base64.getDecoder().decode(images.get(0).get("map").get("overlayPng").asText()))
          .isEqualTo(expectedPng);
      assertThat(images.get(1).get("map").get("overlayPng").asText()).isNotEmpty();

      // a model without maps, and a bad value: one clear 4xx line, never a 5xx
      HttpResponse<String> none = c.post("/v1/models/plain/score?maps=true", "image/png", png);
      assertThat(none.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(none.body()).get("error").asText()).contains("'plain'", "no anomaly maps",
          "maha fit --maps");
      HttpResponse<String> bad = c.post("/v1/models/maps/score?maps=yes", "image/png", png);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("maps=yes", "maps=true");
      HttpResponse<String> encoded = c.post("/v1/models/maps/score?maps=%E2%9C%93", "image/png", png);
      assertThat(encoded.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(encoded.body()).get("error").asText()).contains("maps=\u2713", "maps=true");
      HttpResponse<String> off = c.post("/v1/models/plain/score?maps=false", "image/png", png);
      assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
      HttpResponse<String> unreadable = c.post("/v1/models/maps/score?maps=true", "image/png", new byte[] {1, 2, 3});
      assertThat(unreadable.statusCode()).isEqualTo(400);

      // hot swap: the maps come with the uploaded model, and go with it
      HttpResponse<String> put = c.put("/v1/models/plain", Files.readAllBytes(mapsFile));
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      assertThat(JSON.readTree(put.body()).get("anomalyMaps").asBoolean()).isTrue();
      HttpResponse<String> swapped = c.post("/v1/models/plain/score?maps=true", "image/png", png);
      assertThat(swapped.statusCode()).as(swapped.body()).isEqualTo(200);
      assertThat(Base64.getDecoder().decode(JSON.readTree(swapped.body()).get("images").get(0).get("map")
          .get("overlayPng").asText())).isEqualTo(expectedPng);
      assertThat(c.put("/v1/models/plain", Files.readAllBytes(f.plain)).statusCode()).isEqualTo(200);
      assertThat(c.post("/v1/models/plain/score?maps=true", "image/png", png).statusCode()).isEqualTo(400);
    }
  }

  @Test
  void theMapsParameterIsReadStrictly() throws Exception {
    assertThat(Endpoints.mapsRequested(null)).isFalse();
    assertThat(Endpoints.mapsRequested("")).isFalse();
    assertThat(Endpoints.mapsRequested("other=1")).isFalse();
    assertThat(Endpoints.mapsRequested("maps")).isTrue();
    assertThat(Endpoints.mapsRequested("x=1&maps=TRUE")).isTrue();
    assertThat(Endpoints.mapsRequested("maps=true&maps=0")).isFalse(); // the last one counts
    for (String bad : List.of("maps=yes", "maps=%zz", "maps=%2", "%zz=1")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Endpoints.mapsRequested(bad)).as(bad)
          .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(400));
    }
  }
}
