package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.image.TestFrames;

/** What the API tests share: the tiny test CNN (levels s1, s2, pooled) and seeded PNG frames to fit and score. */
final class ApiFixtures {
  private ApiFixtures() {}

  /** The tiny CNN shipped in the test resources (and the test-jar). */
  static Path tinyCnn() throws Exception {
    URL url = ApiFixtures.class.getResource("/org/maha/backbone/tiny_cnn.onnx");
    assertThat(url).isNotNull();
    return Path.of(url.toURI());
  }

  /** {@code n} encoded 40 × 30 RGB PNGs of seeded noise, seeds {@code seed}, {@code seed + 1}, ... */
  static List<byte[]> pngs(int seed, int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TestFrames.png(TestFrames.ofType(TestFrames.argb(seed + i, 40, 30, true), 40, 30,
          BufferedImage.TYPE_INT_RGB)));
    }
    return out;
  }
}
