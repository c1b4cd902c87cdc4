package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.maha.npy.NpyArray;
import org.maha.testing.SharedData;

class NormalizationTest {

  /** normalization.npy [2, 3, 256]: numpy float32 values from albumentations 0.4.3 and Keras "tf" mode. */
  @ParameterizedTest
  @EnumSource(Normalization.class)
  void matchesNumpyFloat32Bitwise(Normalization n) {
    NpyArray ref = Fixtures.npy(Fixtures.bytes("normalization.npy"));
    assertThat(ref.shape()).containsExactly(2, 3, 256);
    double[] want = Fixtures.slice(ref, n.ordinal());
    // one image holding every value 0..255 in every channel, through toChw
    byte[] px = new byte[256 * 3];
    for (int p = 0; p < 256; p++) {
      px[3 * p] = (byte) p;
      px[3 * p + 1] = (byte) p;
      px[3 * p + 2] = (byte) p;
    }
    float[] chw = new float[3 * 256];
    n.toChw(new RgbImage(256, 1, px), chw, 0);
    for (int i = 0; i < chw.length; i++) {
      assertThat(Float.floatToIntBits(chw[i]))
          .as("%s channel %d value %d: %s vs numpy %s", n, i / 256, i % 256, chw[i], (float) want[i])
          .isEqualTo(Float.floatToIntBits((float) want[i]));
      assertThat(n.apply(i / 256, i % 256)).isEqualTo(chw[i]);
    }
  }

  @Test
  void writesChannelMajorPlanesAtTheOffset() {
    // 2 x 1 image: pixel 0 = (0, 127.5-ish, 255), pixel 1 = (255, 0, 0)
    RgbImage img = new RgbImage(2, 1, new byte[] {0, (byte) 128, (byte) 255, (byte) 255, 0, 0});
    float[] dst = new float[1 + 6 + 1];
    dst[0] = 42f;
    dst[7] = 43f;
    Normalization.MINUS1_TO_1.toChw(img, dst, 1);
    assertThat(dst).containsExactly(42f, -1f, 1f, 128 / 127.5f - 1f, -1f, 1f, -1f, 43f);
  }

  @Test
  void rejectsTooSmallDestination() {
    RgbImage img = new RgbImage(2, 2, new byte[12]);
    assertThatThrownBy(() -> Normalization.IMAGENET.toChw(img, new float[12], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dst needs 12 floats from offset 1 for a 2 x 2 image, has length 12");
  }

  @Test
  void parsesIdsAndListsThemOnError() {
    assertThat(Normalization.parse("imagenet")).isEqualTo(Normalization.IMAGENET);
    assertThat(Normalization.parse("minus1to1")).isEqualTo(Normalization.MINUS1_TO_1);
    for (Normalization n : Normalization.values()) {
      assertThat(Normalization.parse(n.id())).isEqualTo(n);
    }
    assertThatThrownBy(() -> Normalization.parse("ImageNet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown normalization 'ImageNet', expected one of imagenet, minus1to1");
  }

  /** The reference's own float32 input tensors (images_b0.npy) from its uint8 resized photos, bit for bit. */
  @Test
  void reproducesTheReferenceInputTensorsFromResizedPhotos() throws Exception {
    NpyArray resized = Fixtures.npy(Files.readAllBytes(
        SharedData.require("fixtures/effnet063/images_b0_resized_uint8.npy")));
    NpyArray tensors = Fixtures.npy(Files.readAllBytes(SharedData.require("fixtures/effnet063/images_b0.npy")));
    for (int k = 0; k < 2; k++) {
      double[] hwc = Fixtures.slice(resized, k);
      byte[] px = new byte[hwc.length];
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) (int) hwc[i];
      }
      float[] chw = new float[px.length];
      Normalization.IMAGENET.toChw(new RgbImage(224, 224, px), chw, 0);
      double[] want = Fixtures.slice(tensors, k);
      for (int i = 0; i < chw.length; i++) {
        assertThat(chw[i]).as("image %d value %d", k, i).isEqualTo((float) want[i]);
      }
    }
  }
}
