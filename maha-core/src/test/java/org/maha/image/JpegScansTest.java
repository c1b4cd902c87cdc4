package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import org.junit.jupiter.api.Test;

class JpegScansTest {
  static byte[] jpeg(boolean progressive) throws Exception {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(3, 3, 0xff8800);
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = w.getDefaultWriteParam();
    p.setProgressiveMode(progressive ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var ios = ImageIO.createImageOutputStream(out)) {
      w.setOutput(ios);
      w.write(null, new IIOImage(img, null, null), p);
    }
    w.dispose();
    return out.toByteArray();
  }

  @Test
  void countsTheScansOfBaselineAndProgressiveFiles() throws Exception {
    assertThat(JpegScans.count(jpeg(false))).isEqualTo(1);
    assertThat(JpegScans.count(jpeg(true))).isBetween(2, 20);
    assertThat(ImageDecoder.decode(jpeg(true), DecodeLimits.DEFAULT).width()).isEqualTo(64);
  }
}
