package org.maha.backbone;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.maha.image.Normalization;

/**
 * Backbones maha knows by the SHA-256 of their ONNX file, so a user who gives such a file need not name its levels
 * or normalisation. Matching by content, not by file name, means a renamed copy is still recognised and an edited
 * file is not mistaken for the original.
 */
public final class Presets {

  /** {@code mobilenet_v2_imagenet.onnx}: ImageNet MobileNetV2 (TFLite conversion), taps feat_s8, feat_s16, embedding. */
  public static final String MOBILENET_V2_SHA256 =
      "cbf326bf9e76deeeafecaa9c807a88a1c61505db86d09c433259f1da10bb750b";

  /** {@code mobilenet_v2_imagenet_9taps.onnx}: the same network with the nine stage taps L0..L8. */
  public static final String MOBILENET_V2_9TAPS_SHA256 =
      "12dda771845b550b212efc4cff69fd9324161b08ed4572edbb4fedaf9482ea9b";

  /**
   * A known backbone file.
   *
   * @param name          the name recorded in {@link BackboneSpec#name()}
   * @param onnxSha256    SHA-256 of the file, lowercase hex
   * @param normalization the input normalisation the network was trained with
   * @param levels        graph outputs used as levels by default
   */
  public record Preset(String name, String onnxSha256, Normalization normalization, List<String> levels) {
    public Preset {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(onnxSha256, "onnxSha256");
      Objects.requireNonNull(normalization, "normalization");
      levels = List.copyOf(levels);
    }
  }

  private static final List<Preset> ALL = List.of(
      new Preset("mobilenet_v2", MOBILENET_V2_SHA256, Normalization.MINUS1_TO_1,
          List.of("feat_s8", "feat_s16", "embedding")),
      new Preset("mobilenet_v2", MOBILENET_V2_9TAPS_SHA256, Normalization.MINUS1_TO_1,
          List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8")));

  private static final Map<String, Preset> BY_SHA256 =
      ALL.stream().collect(Collectors.toUnmodifiableMap(Preset::onnxSha256, Function.identity()));

  private Presets() {}

  /** The preset whose file has this SHA-256 (lowercase hex), if any. */
  public static Optional<Preset> bySha256(String sha256) {
    return Optional.ofNullable(BY_SHA256.get(sha256));
  }

  /** Every known preset. */
  public static List<Preset> all() {
    return ALL;
  }
}
