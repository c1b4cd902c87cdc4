package org.maha.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The fixtures written by {@code org/maha/zoo/make_fixtures.py}. */
public final class ZooFixtures {
  /** SHA-256 of tiny_resnet.pth, as make_fixtures.py recorded it. */
  public static final String TINY_SHA256 = "8bdf969e05f80ca5414ef9b2c58eaefbf1724ee6b3e03dc8d489db61d50f7789";
  /** Level dims of the tiny ResNet: stem 8, BasicBlock planes 4, 8, 16, 32. */
  public static final List<Integer> TINY_DIMS = List.of(8, 4, 8, 16, 32);

  private ZooFixtures() {}

  /** tiny_resnet.pth copied to {@code dir/name}. */
  public static Path tinyResNet(Path dir, String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = ZooFixtures.class.getResourceAsStream("/org/maha/zoo/tiny_resnet.pth")) {
      if (in == null) {
        throw new IllegalStateException("test resource org/maha/zoo/tiny_resnet.pth missing");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /** tiny_resnet_expected.json. */
  static JsonNode expected() throws IOException {
    try (InputStream in = ZooFixtures.class.getResourceAsStream("/org/maha/zoo/tiny_resnet_expected.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** The fixture's input, x[c, h, w] = ((7 h + 3 w + 11 c) mod 17) / 8 − 1, as one NCHW image. */
  static float[] formulaInput(int size) {
    float[] x = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      for (int h = 0; h < size; h++) {
        for (int w = 0; w < size; w++) {
          x[(c * size + h) * size + w] = ((7 * h + 3 * w + 11 * c) % 17) / 8f - 1f;
        }
      }
    }
    return x;
  }
}
