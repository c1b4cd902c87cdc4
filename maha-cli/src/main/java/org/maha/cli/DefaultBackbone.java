package org.maha.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the genuine ImageNet MobileNetV2 shipped in the {@code shared/models} folder beside the repository
 * ({@code $MAHA_SHARED}, or {@code ../shared} from the working directory or from the jar's checkout), preferring
 * the nine-tap conversion (nine levels, like the paper's EfficientNet).
 */
final class DefaultBackbone {
  static final List<String> FILES = List.of("mobilenet_v2_imagenet_9taps.onnx", "mobilenet_v2_imagenet.onnx");

  private DefaultBackbone() {}

  static Optional<Path> find() {
    for (Path shared : candidates()) {
      for (String f : FILES) {
        Path p = shared.resolve("models").resolve(f);
        if (Files.isRegularFile(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The shared folder, if one exists. */
  static Optional<Path> sharedDir() {
    return candidates().stream().filter(Files::isDirectory).findFirst();
  }

  static String searched() {
    List<String> s = new ArrayList<>();
    for (Path p : candidates()) {
      s.add(p.resolve("models").toString());
    }
    return "looked in " + String.join(", ", s);
  }

  private static List<Path> candidates() {
    Set<Path> out = new LinkedHashSet<>();
    String env = System.getenv("MAHA_SHARED");
    if (env != null && !env.isBlank()) {
      out.add(Path.of(env).toAbsolutePath().normalize());
    }
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p = cwd; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve(".ci")) || p.equals(cwd)) {
        out.add(p.resolveSibling("shared").normalize());
      }
    }
    try {
      Path jar = Path.of(DefaultBackbone.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // <repo>/maha-cli/target/maha.jar → <repo>/../shared
      Path repo = jar.getParent() == null ? null : jar.getParent().getParent();
      if (repo != null && repo.getParent() != null) {
        out.add(repo.getParent().resolveSibling("shared").normalize());
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // no code source: nothing to add
    }
    return new ArrayList<>(out);
  }
}
