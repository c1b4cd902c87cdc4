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
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;

/**
 * A model fitted on an ONNX file that is not a preset with {@code --normalization minus1to1} is served with that
 * normalisation (it was refused as "fitted at another normalisation" before), from the command line and uploaded,
 * with the library's scores.
 */
class NormalisationTest {
  @TempDir Path dir;

  @Test
  void aMinus1to1ModelIsServedAtItsNormalisationAndUploadedOverAnImagenetOne() throws Exception {
    Fixture f = new Fixture(dir);
    Path minus = dir.resolve("minus.maha");
    List<Score> expected;
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").normalization("minus1to1")
        .build()) {
      FittedModel m = d.fit(Images.folder(dir.resolve("good")));
      m.save(minus);
      expected = d.scoreAll(m, Images.encoded(f.pngs.subList(0, 1)));
    }
    ObjectMapper json = new ObjectMapper();
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("minus", minus, "plain", f.plain)))) {
      Fixture.Client c = new Fixture.Client(s);
      HttpResponse<String> r = c.post("/v1/models/minus/score", "image/png", f.pngs.get(0));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(json.readTree(r.body()).get("images").get(0).get("score").asDouble())
          .isEqualTo(expected.get(0).score());
      HttpResponse<String> put = c.put("/v1/models/plain", Files.readAllBytes(minus));
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      JsonNode after = json.readTree(c.post("/v1/models/plain/score", "image/png", f.pngs.get(0)).body());
      assertThat(after.get("images").get(0).get("score").asDouble()).isEqualTo(expected.get(0).score());
      assertThat(s.backboneSessions()).isEqualTo(2); // one per normalisation of the same file and levels
    }
  }
}
