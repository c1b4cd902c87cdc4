package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngChunksTest {
  static byte[] png(int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 1, 0x123456);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  @Test
  void ancillaryChunksAreDroppedAndThePixelsAreUnchanged() throws Exception {
    byte[] plain = png(5, 4);
    ByteArrayOutputStream withText = new ByteArrayOutputStream();
    withText.write(plain, 0, 33); // signature + IHDR
    withText.write(PngBytes.chunk("tEXt", "Comment\0hello".getBytes(StandardCharsets.ISO_8859_1)));
    withText.write(PngBytes.chunk("zTXt", new byte[] {'k', 0, 0, 1, 2, 3}));
    withText.write(plain, 33, plain.length - 33);
    PngChunks c = PngChunks.walk(withText.toByteArray());
    assertThat(c.width).isEqualTo(5);
    assertThat(c.height).isEqualTo(4);
    assertThat(PngChunks.walk(plain).critical).isSameAs(plain).isNotNull();
    RgbImage a = ImageDecoder.decode(plain, DecodeLimits.DEFAULT);
    RgbImage b = ImageDecoder.decode(withText.toByteArray(), DecodeLimits.DEFAULT);
    assertThat(b.rgb()).isEqualTo(a.rgb());
  }

  @Test
  void theLeastCompressedSizeFollowsDeflatesBestRatio() throws Exception {
    PngChunks c = PngChunks.walk(png(5, 4));
    assertThat(c.bitsPerPixel).isIn(24, 32);
    assertThat(c.compressedBytes).isGreaterThanOrEqualTo(c.minCompressedBytes());
  }
}
