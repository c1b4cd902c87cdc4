package org.maha.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted images of every format the decoder reads (seeded byte flips and truncations of PNG, JPEG, BMP and
 * TIFF files): each answer is a 200 or a 4xx JSON error, never a 5xx, and no internal error is logged.
 */
class MutatedImagesTest {
  @TempDir Path dir;

  @Test
  void corruptedImagesNeverGiveA5xx() throws Exception {
    Fixture f = new Fixture(dir);
    List<byte[]> originals = new ArrayList<>();
    for (String format : List.of("png", "jpeg", "bmp", "tiff")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ImageIO.write(Fixture.frame(7), format, out)).as(format).isTrue();
      originals.add(out.toByteArray());
    }
    List<String> log = new ArrayList<>();
    Random rnd = new Random(20261207);
    try (MahaServer s = MahaServer.start(f.config(Fixture.models("m", f.plain), Limits.DEFAULT,
        java.util.Optional.empty(), log))) {
      Fixture.Client c = new Fixture.Client(s);
      int tried = 0;
      for (int i = 0; i < 240; i++) {
        byte[] b = originals.get(i % originals.size()).clone();
        if (rnd.nextInt(4) == 0) {
          b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
        }
        int flips = 1 + rnd.nextInt(8);
        for (int k = 0; k < flips && b.length > 0; k++) {
          b[rnd.nextInt(Math.min(b.length, 200))] = (byte) rnd.nextInt(256); // headers live in the first bytes
        }
        HttpResponse<String> r = c.post("/v1/models/m/score", "application/octet-stream", b);
        assertThat(r.statusCode()).as("mutation " + i + ": " + r.body()).isIn(200, 400);
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
        tried++;
      }
      assertThat(tried).isEqualTo(240);
    }
    synchronized (log) {
      assertThat(log).noneMatch(l -> l.startsWith("internal error"));
    }
  }
}
