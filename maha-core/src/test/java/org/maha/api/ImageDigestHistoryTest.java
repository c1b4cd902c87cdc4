package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.model.ImageSetDigest;
import org.maha.model.TrainingStatistics;

/**
 * The image-set digest each history step records: the same images give the same digest whether fitted at once,
 * accumulated in parts merged in any order (also through {@link FitStatistics#toBytes()}), read from files or from
 * bytes; skipped images do not count; an update records its new images and a merge the merged model's. The expected
 * digests are computed here independently (ImageIO decode, SHA-256, sum modulo 2²⁵⁶).
 */
class ImageDigestHistoryTest {
  @TempDir Path dir;

  /** The documented definition, computed without maha: Σ SHA-256(width, height, RGB rows) mod 2²⁵⁶. */
  private static String expectedDigest(List<byte[]> pngs) throws Exception {
    BigInteger sum = BigInteger.ZERO;
    for (byte[] png : pngs) {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
      int w = img.getWidth();
      int h = img.getHeight();
      byte[] rgb = new byte[3 * w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = img.getRGB(x, y);
          int k = 3 * (y * w + x);
          rgb[k] = (byte) (p >> 16);
          rgb[k + 1] = (byte) (p >> 8);
          rgb[k + 2] = (byte) p;
        }
      }
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(ByteBuffer.allocate(8).putInt(w).putInt(h).array());
      md.update(rgb);
      sum = sum.add(new BigInteger(1, md.digest()));
    }
    return String.format("%064x", sum.mod(BigInteger.ONE.shiftLeft(256)));
  }

  /** {@code MAHAFST2} bytes with a digest as maha 0.1 wrote them: magic {@code MAHAFST1}, no digest flag or sum. */
  private static byte[] withoutDigest(byte[] v2) {
    ByteBuffer b = ByteBuffer.wrap(v2);
    b.position(8);
    for (int text = 0; text < 3; text++) { // backbone hash, normalisation, then (after the input size) description
      b.position(b.position() + 4 + b.getInt(b.position()));
      if (text == 1) {
        b.position(b.position() + 4);
      }
    }
    int flag = b.position();
    assertThat(v2[flag]).isEqualTo((byte) 1);
    ByteBuffer out = ByteBuffer.allocate(v2.length - 33);
    out.put("MAHAFST1".getBytes(StandardCharsets.US_ASCII)).put(v2, 8, flag - 8).put(v2, flag + 33,
        v2.length - flag - 33);
    return out.array();
  }

  private static TrainingStatistics.Step only(FittedModel m) {
    List<TrainingStatistics.Step> h = m.internal().statistics().history();
    assertThat(h).hasSize(1);
    return h.get(0);
  }

  @Test
  void fitAndMergedPartsRecordTheSameDigestAsComputedIndependently() throws Exception {
    List<byte[]> images = ApiFixtures.pngs(40, 11);
    String expected = expectedDigest(images);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      files.add(Files.write(dir.resolve("g" + i + ".png"), images.get(i)));
    }
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      TrainingStatistics.Step fromFiles = only(d.fit(Images.files(files)));
      assertThat(fromFiles.images()).isNotNull();
      assertThat(fromFiles.images().count()).isEqualTo(11);
      assertThat(fromFiles.images().hex()).isEqualTo(expected);

      // junk is skipped and not counted
      List<byte[]> withJunk = new ArrayList<>(images);
      withJunk.add(3, "not an image".getBytes(StandardCharsets.US_ASCII));
      TrainingStatistics.Step fromBytes = only(d.fit(Images.encoded(withJunk).skippingUnreadable()));
      assertThat(fromBytes.images()).isEqualTo(fromFiles.images());

      // parts accumulated in reverse order, one shipped as bytes, merged right to left
      FitStatistics a = d.accumulate(Images.encoded(images.subList(7, 11)));
      FitStatistics b = FitStatistics.fromBytes(d.accumulate(Images.encoded(images.subList(0, 3))).toBytes());
      FitStatistics c = d.accumulate(Images.encoded(images.subList(3, 7)));
      FitStatistics none = d.accumulate(Images.encoded(List.of()));
      FitStatistics merged = c.merge(none).merge(b.merge(a));
      assertThat(merged.imagesSha256()).contains(expected);
      assertThat(none.imagesSha256()).contains("0".repeat(64));
      TrainingStatistics.Step fromParts = only(d.fit(merged, FitOptions.defaults()));
      assertThat(fromParts.images()).isEqualTo(fromFiles.images());

      // the bytes of maha 0.1 (MAHAFST1: no digest) still read, their digest unknown, and so is any merge with them
      FitStatistics old = FitStatistics.fromBytes(withoutDigest(a.toBytes()));
      assertThat(old.images()).isEqualTo(4);
      assertThat(old.imagesSha256()).isEmpty();
      assertThat(old.merge(b).imagesSha256()).isEmpty();
      assertThat(only(d.fit(old.merge(b), FitOptions.defaults())).images()).isNull();
    }
  }

  @Test
  void updateRecordsItsNewImagesAndMergeTheMergedModelsImages() throws Exception {
    List<byte[]> a = ApiFixtures.pngs(100, 6);
    List<byte[]> b = ApiFixtures.pngs(200, 5);
    List<byte[]> c = ApiFixtures.pngs(300, 4);
    List<byte[]> ab = new ArrayList<>(a);
    ab.addAll(b);
    List<byte[]> all = new ArrayList<>(ab);
    all.addAll(c);
    try (Detector d = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").build()) {
      FittedModel updated = d.update(d.fit(Images.encoded(a)), Images.encoded(b));
      List<TrainingStatistics.Step> h = updated.internal().statistics().history();
      assertThat(h).extracting(TrainingStatistics.Step::action).containsExactly("fit", "update");
      assertThat(h.get(0).images().hex()).isEqualTo(expectedDigest(a));
      assertThat(h.get(1).images().hex()).isEqualTo(expectedDigest(b));
      assertThat(h.get(1).images().count()).isEqualTo(5);
      ImageSetDigest union = updated.internal().statistics().imagesDigest();
      assertThat(union.hex()).isEqualTo(expectedDigest(ab));
      assertThat(union).isEqualTo(only(d.fit(Images.encoded(ab))).images());

      FitResult merged = FittedModel.merge(List.of(d.fit(Images.encoded(c)), updated));
      TrainingStatistics st = merged.model().internal().statistics();
      assertThat(st.imagesDigest().hex()).isEqualTo(expectedDigest(all));
      assertThat(st.history().stream().filter(s -> s.action().equals("merge")).map(s -> s.images().hex()))
          .containsExactly(expectedDigest(c), expectedDigest(ab));
    }
  }
}
