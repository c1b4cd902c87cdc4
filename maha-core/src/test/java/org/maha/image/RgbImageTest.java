package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RgbImageTest {
  @Test
  void fromGrayPutsEachValueInAllThreeChannels() {
    byte[] gray = {0, 7, (byte) 200, (byte) 255, 1, 2};
    RgbImage img = RgbImage.fromGray(3, 2, gray);
    assertThat(img.width()).isEqualTo(3);
    assertThat(img.height()).isEqualTo(2);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        for (int c = 0; c < 3; c++) {
          assertThat(img.sample(x, y, c)).isEqualTo(gray[y * 3 + x] & 0xff);
        }
      }
    }
  }

  @Test
  void fromGrayRefusesAWrongLength() {
    assertThatThrownBy(() -> RgbImage.fromGray(3, 2, new byte[5])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 x 2");
  }
}
