package org.maha.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.image.DecodeLimits;
import org.maha.image.RgbImage;

class ThumbnailFilesTest {
  @TempDir
  Path dir;

  @Test
  void shrinkAveragesEachBoxRoundingHalfUp() {
    // 4 x 2 image; each 2 x 2 block becomes one pixel
    byte[] rgb = new byte[4 * 2 * 3];
    int[][] red = {{10, 20, 100, 100}, {30, 41, 100, 101}};
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        rgb[(y * 4 + x) * 3] = (byte) red[y][x];
        rgb[(y * 4 + x) * 3 + 1] = (byte) 255;
        rgb[(y * 4 + x) * 3 + 2] = 0;
      }
    }
    BufferedImage t = ThumbnailFiles.shrink(new RgbImage(4, 2, rgb), 2);
    assertThat(t.getWidth()).isEqualTo(2);
    assertThat(t.getHeight()).isEqualTo(1);
    // (10 + 20 + 30 + 41) / 4 = 25.25 -> 25; (100 + 100 + 100 + 101) / 4 = 100.25 -> 100
    assertThat(t.getRGB(0, 0) & 0xffffff).isEqualTo(25 << 16 | 255 << 8);
    assertThat(t.getRGB(1, 0) & 0xffffff).isEqualTo(100 << 16 | 255 << 8);
  }

  @Test
  void shrinkKeepsAspectRatioAndNeverEnlarges() {
    assertThat(size(ThumbnailFiles.shrink(new RgbImage(300, 150, new byte[300 * 150 * 3]), 96))).isEqualTo("96x48");
    assertThat(size(ThumbnailFiles.shrink(new RgbImage(50, 200, new byte[50 * 200 * 3]), 96))).isEqualTo("24x96");
    assertThat(size(ThumbnailFiles.shrink(new RgbImage(40, 30, new byte[40 * 30 * 3]), 96))).isEqualTo("40x30");
  }

  @Test
  void readsAnImageFileAsTheModelSawIt() throws IOException {
    BufferedImage gray = new BufferedImage(200, 100, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 200; x++) {
        gray.getRaster().setSample(x, y, 0, 77);
      }
    }
    Path p = dir.resolve("g.png");
    ImageIO.write(gray, "png", p.toFile());
    ThumbnailFiles.Thumbnail t = ThumbnailFiles.read(p, 96, DecodeLimits.DEFAULT);
    assertThat(t.problem()).isNull();
    assertThat(size(t.image())).isEqualTo("96x48");
    // raw gray sample 77 -> R = G = B = 77, as OpenCV reads it (no linear-gray to sRGB curve)
    assertThat(t.image().getRGB(10, 10) & 0xffffff).isEqualTo(77 << 16 | 77 << 8 | 77);
  }

  @Test
  void missingUnreadableAndOversizedFilesGiveAReasonInsteadOfAnImage() throws IOException {
    assertThat(ThumbnailFiles.read(dir.resolve("nope.png"), 96, DecodeLimits.DEFAULT))
        .isEqualTo(new ThumbnailFiles.Thumbnail(null, "missing"));
    Path junk = Files.writeString(dir.resolve("junk.png"), "<html>not an image</html>");
    assertThat(ThumbnailFiles.read(junk, 96, DecodeLimits.DEFAULT).problem()).isEqualTo("not decodable");
    Path big = dir.resolve("big.png");
    ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), "png", big.toFile());
    assertThat(ThumbnailFiles.read(big, 96, new DecodeLimits(99 * 100)).problem()).isEqualTo("not decodable");
    assertThat(ThumbnailFiles.read(dir, 96, DecodeLimits.DEFAULT).problem()).isEqualTo("unreadable");
  }

  private static String size(BufferedImage b) {
    return b.getWidth() + "x" + b.getHeight();
  }
}
