package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FitOptions;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;

/**
 * A model fitted through the int8 graph ({@code maha fit --int8}) is served through that graph, rebuilt from the
 * float32 file the service was given, with the library's scores to the last bit, from the command line and uploaded;
 * its description says it is int8.
 */
class Int8ServeTest {
  @TempDir Path dir;

  @Test
  void anInt8ModelIsServedThroughItsOwnGraphBesideTheFloatOne() throws Exception {
    Fixture f = new Fixture(dir);
    Path int8 = dir.resolve("int8.maha");
    List<Score> expected;
    List<Score> expectedFloat;
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
      FittedModel m = d.fit(Images.folder(dir.resolve("good")),
          FitOptions.defaults().withInt8(Images.encoded(f.pngs.subList(0, 3))));
      m.save(int8);
      expected = d.scoreAll(m, Images.encoded(f.pngs.subList(0, 1)));
      expectedFloat = d.scoreAll(FittedModel.load(f.plain), Images.encoded(f.pngs.subList(0, 1)));
    }
    assertThat(expected.get(0).score()).isNotEqualTo(expectedFloat.get(0).score());
    ObjectMapper json = new ObjectMapper();
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("q", int8, "plain", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      HttpResponse<String> r = c.post("/v1/models/q/score", "image/png", f.pngs.get(0));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(json.readTree(r.body()).get("images").get(0).get("score").asDouble())
          .isEqualTo(expected.get(0).score());
      JsonNode plain = json.readTree(c.post("/v1/models/plain/score", "image/png", f.pngs.get(0)).body());
      assertThat(plain.get("images").get(0).get("score").asDouble()).isEqualTo(expectedFloat.get(0).score());
      JsonNode described = json.readTree(c.get("/v2/models/q").body());
      assertThat(described.path("int8").asText()).startsWith("int8, ").endsWith("calibrated on 3 images");
      assertThat(json.readTree(c.get("/v2/models/plain").body()).has("int8")).isFalse();

      HttpResponse<String> put = c.put("/v1/models/plain", Files.readAllBytes(int8));
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      JsonNode after = json.readTree(c.post("/v1/models/plain/score", "image/png", f.pngs.get(0)).body());
      assertThat(after.get("images").get(0).get("score").asDouble()).isEqualTo(expected.get(0).score());
    }
  }
}
