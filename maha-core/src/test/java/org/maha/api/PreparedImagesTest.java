package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Images prepared ahead ({@link Detector#prepare}, on other threads, gathered with {@link PreparedImages#concat})
 * score exactly as the same images given to {@link Detector#scoreAll(FittedModel, Images)}; an unreadable image is
 * named when preparing (or skipped when asked), and a detector with another input refuses them.
 */
class PreparedImagesTest {

  @Test
  void preparedOnManyThreadsAndGatheredTheyScoreBitForBitAsTheImagesThemselves() throws Exception {
    List<byte[]> pngs = ApiFixtures.pngs(700, 7);
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").batchSize(4)
        .build()) {
      FittedModel m = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)),
          FitOptions.defaults().withCalibration(Images.encoded(ApiFixtures.pngs(200, 6)), 0.2));
      Scores direct = d.scoreAll(m, Images.encoded(pngs));
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<PreparedImages>> parts = new ArrayList<>();
      try {
        parts.add(pool.submit(() -> d.prepare(Images.encoded(pngs.subList(0, 3)))));
        parts.add(pool.submit(() -> d.prepare(Images.encoded(pngs.subList(3, 4)))));
        parts.add(pool.submit(() -> d.prepare(Images.encoded(pngs.subList(4, 7)))));
        List<PreparedImages> done = new ArrayList<>();
        for (Future<PreparedImages> f : parts) {
          done.add(f.get());
        }
        PreparedImages all = PreparedImages.concat(done);
        assertThat(all.size()).isEqualTo(7);
        Scores gathered = d.scoreAll(m, all);
        assertThat(gathered).hasSize(7);
        for (int i = 0; i < 7; i++) {
          assertThat(gathered.get(i).score()).as("image %d", i).isEqualTo(direct.get(i).score());
          assertThat(gathered.get(i).levelDistances()).isEqualTo(direct.get(i).levelDistances());
          assertThat(gathered.get(i).pValue()).isEqualTo(direct.get(i).pValue());
          assertThat(gathered.get(i).verdict()).isEqualTo(direct.get(i).verdict());
        }
        assertThat(gathered.timings().backbone()).isPositive();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void anUnreadableImageIsNamedWhenPreparedOrSkippedWhenAskedAndAnotherInputIsRefused() throws Exception {
    List<byte[]> images = new ArrayList<>(ApiFixtures.pngs(700, 2));
    images.add(1, "not an image".getBytes());
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build();
        Detector other = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled")
            .normalization("minus1to1").build()) {
      assertThatThrownBy(() -> d.prepare(Images.encoded(images))).isInstanceOf(MahaException.class)
          .hasMessageContaining("frame-1");
      PreparedImages p = d.prepare(Images.encoded(images).skippingUnreadable());
      assertThat(p.size()).isEqualTo(2);
      assertThat(p.skipped()).extracting(Skipped::name).containsExactly("frame-1");
      FittedModel m = d.fit(Images.encoded(ApiFixtures.pngs(100, 8)));
      Scores s = d.scoreAll(m, p);
      assertThat(s).hasSize(2);
      assertThat(s.skipped()).extracting(Skipped::name).containsExactly("frame-1");
      assertThat(s.get(1).score()).isEqualTo(d.scoreAll(m, Images.encoded(images.get(2))).get(0).score());
      FittedModel om = other.fit(Images.encoded(ApiFixtures.pngs(100, 8)));
      assertThatThrownBy(() -> other.scoreAll(om, p)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("prepare them with this detector");
      assertThatThrownBy(() -> PreparedImages.concat(List.of(p, other.prepare(Images.encoded(images.get(0))))))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
