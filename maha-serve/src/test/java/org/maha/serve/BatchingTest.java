package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;
import org.maha.image.TestFrames;

/**
 * Dynamic micro-batching: 16 concurrent clients (single images and a pair), gathered into shared backbone calls,
 * get the numbers serial one-image calls give (to 1e-12); a client's unreadable image fails only its own request; a
 * request larger than a batch is scored alone with the same numbers; a lone request does not wait for company.
 */
class BatchingTest {
  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void concurrentRequestsGatheredIntoBatchesScoreLikeSerialOnes() throws Exception {
    Fixture f = new Fixture(dir);
    List<byte[]> pngs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      pngs.add(TestFrames.png(Fixture.frame(500 + i)));
    }
    List<Score> serial = new ArrayList<>();
    try (Detector d = Detector.builder().onnx(f.onnx).levels("s1", "s2", "pooled").build()) {
      FittedModel m = FittedModel.load(f.calibrated);
      for (byte[] p : pngs) {
        serial.add(d.score(m, Images.encoded(p)));
      }
    }
    Limits limits = new Limits(Limits.DEFAULT.maxBodyBytes(), 64, Limits.DEFAULT.maxPixels(), 1 << 26, 4, 32);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("cal", f.calibrated), limits, Optional.empty(),
        new ArrayList<>(), 8, 200))) {
      Fixture.Client c = new Fixture.Client(s);
      ExecutorService pool = Executors.newFixedThreadPool(17);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<HttpResponse<String>>> singles = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
          byte[] p = pngs.get(i);
          singles.add(pool.submit(() -> {
            go.await();
            return c.post("/v1/models/cal/score", "image/png", p);
          }));
        }
        Future<HttpResponse<String>> pair = pool.submit(() -> {
          go.await();
          return c.post("/v1/models/cal/score", "multipart/form-data; boundary=q", Fixture.multipart("q",
              List.of("x", "y"), pngs.subList(14, 16)));
        });
        Future<HttpResponse<String>> junk = pool.submit(() -> {
          go.await();
          return c.post("/v1/models/cal/score", "image/png", "not an image".getBytes());
        });
        go.countDown();
        for (int i = 0; i < 14; i++) {
          HttpResponse<String> r = singles.get(i).get();
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          assertEqual(JSON.readTree(r.body()).get("images").get(0), serial.get(i));
          assertThat(JSON.readTree(r.body()).get("timingsMs").get("queue").asDouble()).isNotNegative();
          assertThat(JSON.readTree(r.body()).get("timingsMs").get("backbone").asDouble()).isPositive();
        }
        HttpResponse<String> r = pair.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertEqual(JSON.readTree(r.body()).get("images").get(0), serial.get(14));
        assertEqual(JSON.readTree(r.body()).get("images").get(1), serial.get(15));
        HttpResponse<String> bad = junk.get();
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
      } finally {
        pool.shutdownNow();
      }
      // a request of more images than a batch holds is scored alone, with the same numbers
      HttpResponse<String> big = c.post("/v1/models/cal/score", "multipart/form-data; boundary=q", Fixture.multipart(
          "q", java.util.stream.IntStream.range(0, 10).mapToObj(i -> "b" + i).toList(), pngs.subList(0, 10)));
      assertThat(big.statusCode()).as(big.body()).isEqualTo(200);
      for (int i = 0; i < 10; i++) {
        assertEqual(JSON.readTree(big.body()).get("images").get(i), serial.get(i));
      }
      // the gathering window is adaptive: a lone request (nobody else decoding) does not wait out the 200 ms delay
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> lone = c.post("/v1/models/cal/score", "image/png", pngs.get(i));
        assertThat(lone.statusCode()).as(lone.body()).isEqualTo(200);
        assertEqual(JSON.readTree(lone.body()).get("images").get(0), serial.get(i));
        assertThat(JSON.readTree(lone.body()).get("timingsMs").get("queue").asDouble()).as(lone.body())
            .isLessThan(100);
      }
      String metrics = c.get("/metrics").body();
      Matcher m = Pattern.compile("(?m)^maha_batch_images_max (\\S+)").matcher(metrics);
      assertThat(m.find()).as(metrics).isTrue();
      assertThat(Double.parseDouble(m.group(1))).as("requests were gathered into batches").isGreaterThan(1);
    }
  }

  static void assertEqual(JsonNode image, Score s) {
    assertThat(image.get("score").asDouble()).isCloseTo(s.score(), within(1e-12));
    s.levelDistances().forEach((l, d) -> assertThat(image.get("levelDistances").get(l).asDouble())
        .isCloseTo(d, within(1e-12)));
    assertThat(image.get("verdict").asText()).isEqualTo(s.verdict().orElseThrow().name()
        .toLowerCase(java.util.Locale.ROOT));
  }
}
