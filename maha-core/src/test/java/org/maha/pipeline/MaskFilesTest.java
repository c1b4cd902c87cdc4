package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.data.MvtecLayout;
import org.maha.data.SyntheticInspectionSet;
import org.maha.image.DecodeLimits;

class MaskFilesTest {
  @TempDir Path tmp;

  @Test
  void readsTheSyntheticSetsMasksAndGivesGoodImagesNone() throws Exception {
    Path root = tmp.resolve("set");
    SyntheticInspectionSet.write(root, new SyntheticInspectionSet.Spec(List.of("weave"), 40, 2, 1, 1, 3L));
    MvtecCategory c = MvtecLayout.category(root, "weave");
    for (LabeledImage image : c.test()) {
      boolean[] mask = MaskFiles.read(c.root(), image, 40, 40, DecodeLimits.DEFAULT);
      assertThat(mask).hasSize(1600);
      int defects = 0;
      for (boolean b : mask) {
        defects += b ? 1 : 0;
      }
      if (image.anomalous()) {
        assertThat(defects).as(image.path().toString()).isPositive().isLessThan(1600 / 4);
      } else {
        assertThat(defects).isZero();
      }
    }
  }

  @Test
  void anyNonZeroSampleIsADefectPixel() throws Exception {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x000001); // blue 1
    img.setRGB(2, 1, 0xff0000);
    Path file = tmp.resolve("m_mask.png");
    ImageIO.write(img, "png", file.toFile());
    assertThat(MaskFiles.read(file, 3, 2, DecodeLimits.DEFAULT)).containsExactly(true, false, false, false, false, true);
  }

  @Test
  void aMissingMaskOfADefectiveImageIsNamed() {
    Path cat = tmp.resolve("cat");
    LabeledImage image = LabeledImage.of(cat.resolve("test/crack/007.png"), "crack");
    assertThatThrownBy(() -> MaskFiles.read(cat, image, 8, 8, DecodeLimits.DEFAULT))
        .isInstanceOf(InputException.class)
        .hasMessageStartingWith(cat.resolve("ground_truth/crack/007_mask.png").toString())
        .hasMessageContaining("no such file")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aMaskOfOtherDimensionsIsRefused() throws Exception {
    Path file = tmp.resolve("small_mask.png");
    ImageIO.write(new BufferedImage(4, 5, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
    assertThatThrownBy(() -> MaskFiles.read(file, 5, 4, DecodeLimits.DEFAULT))
        .isInstanceOf(InputException.class)
        .hasMessage(file + ": ground-truth mask is 4x5, its image is 5x4");
  }

  @Test
  void aSmallFileClaimingAHugeMaskIsRefusedFromItsHeader() throws Exception {
    // 33 bytes claiming 5000 x 5000 pixels (within the default limit of 1e8): refused from the header because a
    // mask may have no more pixels than its image
    Path file = tmp.resolve("bomb_mask.png");
    Files.write(file, pngHeaderOnly(5000, 5000));
    assertThatThrownBy(() -> MaskFiles.read(file, 64, 64, DecodeLimits.DEFAULT))
        .isInstanceOf(InputException.class)
        .hasMessageStartingWith(file + ": ground-truth mask for a 64x64 image: ")
        .hasMessageContaining("5000 x 5000").hasMessageContaining("over the limit")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aFileOverTheByteLimitOrNotAnImageIsRefused() throws Exception {
    Path text = tmp.resolve("text_mask.png");
    Files.writeString(text, "<html>not a mask</html>");
    assertThatThrownBy(() -> MaskFiles.read(text, 8, 8, DecodeLimits.DEFAULT))
        .isInstanceOf(InputException.class).hasMessageStartingWith(text + ": ground-truth mask for a 8x8 image: ");
    Path big = tmp.resolve("big_mask.png");
    Files.write(big, new byte[2000]);
    assertThatThrownBy(() -> MaskFiles.read(big, 8, 8, new DecodeLimits(64, 1000)))
        .isInstanceOf(InputException.class).hasMessageStartingWith(big + ": ");
  }

  /** A PNG signature and IHDR chunk only (8-bit gray), claiming {@code width × height}. */
  private static byte[] pngHeaderOnly(int width, int height) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    out.write(ByteBuffer.allocate(4).putInt(13).array());
    out.write(ihdr.array());
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }
}
