package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.maha.npy.NpyArray;
import org.maha.testing.SharedData;

class PreprocessingTest {

  /** File bytes to float32 CHW, end to end, equals the reference pipeline's tensors (images_b0.npy) exactly. */
  @Test
  void photoFilesBecomeTheReferenceTensorsBitForBit() throws Exception {
    NpyArray tensors = Fixtures.npy(Files.readAllBytes(SharedData.require("fixtures/effnet063/images_b0.npy")));
    String[] photos = {"images/cat.bmp", "images/owl.jpg"};
    Preprocessing pre = new Preprocessing(224, Normalization.IMAGENET);
    float[] batch = new float[2 * pre.floatsPerImage()];
    for (int k = 0; k < photos.length; k++) {
      RgbImage img = ImageDecoder.decode(Files.readAllBytes(SharedData.require(photos[k])), DecodeLimits.DEFAULT);
      float[] one = pre.apply(img);
      pre.applyInto(img, batch, k * pre.floatsPerImage());
      double[] want = Fixtures.slice(tensors, k);
      int mismatches = 0;
      for (int i = 0; i < one.length; i++) {
        if (Float.floatToIntBits(one[i]) != Float.floatToIntBits((float) want[i])
            || one[i] != batch[k * pre.floatsPerImage() + i]) {
          mismatches++;
        }
      }
      assertThat(mismatches).as("%s: values differing from images_b0.npy", photos[k]).isZero();
    }
  }

  @Test
  void skipsTheResizeWhenAlreadyAtInputSize() {
    byte[] px = new byte[4 * 4 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 7);
    }
    RgbImage img = new RgbImage(4, 4, px);
    float[] direct = new float[48];
    Normalization.MINUS1_TO_1.toChw(img, direct, 0);
    assertThat(new Preprocessing(4, Normalization.MINUS1_TO_1).apply(img)).containsExactly(direct);
  }

  @Test
  void validatesItsArguments() {
    assertThatThrownBy(() -> new Preprocessing(0, Normalization.IMAGENET))
        .hasMessage("inputSizePx must be >= 1, got 0");
    assertThatThrownBy(() -> new Preprocessing(224, null)).hasMessage("normalization must not be null");
  }
}
