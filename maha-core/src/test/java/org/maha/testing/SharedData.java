package org.maha.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the read-only {@code ../shared} folder beside the repository (models, photos, fixtures). Tests that
 * need it call {@link #require(String)}, which skips the test with a message when the file is absent.
 */
public final class SharedData {
  private SharedData() {}

  /** The repository root: the {@code maha.repo.root} property Maven sets, else the nearest folder with a .ci dir. */
  public static Path repoRoot() {
    String prop = System.getProperty("maha.repo.root");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve(".ci"))) {
      p = p.getParent();
    }
    return p == null ? Path.of("").toAbsolutePath() : p;
  }

  /** {@code ../shared} (or {@code $MAHA_SHARED}); may not exist. */
  public static Path dir() {
    String env = System.getenv("MAHA_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return repoRoot().resolveSibling("shared");
  }

  /** A file under shared/, or the test is skipped with a message saying what is missing. */
  public static Path require(String relative) {
    Path p = dir().resolve(relative);
    assumeTrue(Files.exists(p), () -> "shared data not found at " + p + ", skipping");
    return p;
  }

  /** The genuine ImageNet MobileNetV2 ONNX (batch 1) from shared/models, or skip. */
  public static Path mobileNetV2() {
    return require("models/mobilenet_v2_imagenet.onnx");
  }
}
