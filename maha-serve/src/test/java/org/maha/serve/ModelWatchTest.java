package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;

/**
 * Hot swap from disk: a model file replaced as maha fit writes it (temporary file, then rename) is served within
 * the polling interval, with the new model's numbers; a file that becomes garbage is refused in the log and the
 * model before it keeps serving; a file with anomaly maps is served with them.
 */
class ModelWatchTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aModelFileReplacedOnDiskIsServedAndABadOneIsRefusedWhileTheOldKeepsServing() throws Exception {
    Fixture f = new Fixture(dir);
    Path served = dir.resolve("served.maha");
    Files.copy(f.calibrated, served);
    List<String> log = new ArrayList<>();
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("line", served), Limits.DEFAULT, Optional.empty(),
        log))) {
      s.watchModelFiles(Duration.ofMillis(50));
      Fixture.Client c = new Fixture.Client(s);
      String before = ScoreEndpointsTest.sha256(f.calibrated);
      assertThat(sha(c)).isEqualTo(before);
      Path tmp = dir.resolve("served.maha.tmp");
      Files.copy(f.retrained, tmp);
      Files.move(tmp, served, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      String after = ScoreEndpointsTest.sha256(f.retrained);
      await(() -> after.equals(sha(c)), "the replaced file served");
      double expected;
      try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
        expected = d.score(FittedModel.load(f.retrained), Images.encoded(f.pngs.get(0))).score();
      }
      assertThat(JSON.readTree(c.post("/v1/models/line/score", "image/png", f.pngs.get(0)).body()).get("images")
          .get(0).get("score").asDouble()).isEqualTo(expected);
      synchronized (log) {
        assertThat(log).anyMatch(l -> l.contains("model 'line' reloaded from " + served) && l.contains(after));
      }

      Files.write(served, "not a model".getBytes(StandardCharsets.UTF_8));
      await(() -> {
        synchronized (log) {
          return log.stream().anyMatch(l -> l.contains("changed but is refused"));
        }
      }, "the refusal logged");
      assertThat(sha(c)).isEqualTo(after);
      assertThat(c.post("/v1/models/line/score", "image/png", f.pngs.get(0)).statusCode()).isEqualTo(200);

      // a file with anomaly maps is reloaded with them: the maps can be asked for at once
      Files.copy(f.mapsModel(), tmp);
      Files.move(tmp, served, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      String mapped = ScoreEndpointsTest.sha256(f.mapsModel());
      await(() -> mapped.equals(sha(c)), "the file with maps served");
      HttpResponse<String> withMaps = c.post("/v1/models/line/score?maps=true", "image/png", f.pngs.get(0));
      assertThat(withMaps.statusCode()).as(withMaps.body()).isEqualTo(200);
      assertThat(JSON.readTree(withMaps.body()).get("images").get(0).get("map").get("overlayPng").asText())
          .isNotEmpty();
    }
  }

  private static String sha(Fixture.Client c) {
    try {
      return JSON.readTree(c.get("/v2/models/line").body()).get("modelSha256").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
