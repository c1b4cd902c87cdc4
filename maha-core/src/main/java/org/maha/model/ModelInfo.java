package org.maha.model;

import java.util.List;
import org.maha.backbone.BackboneSpec;

/**
 * Provenance saved with every model (STYLE habit 3): what produced it, on what, and when. The JVM and
 * architecture are kept because {@code Math} results may differ across platforms in the last bit.
 *
 * @param backboneFile the ONNX file the model was fitted with, as a hint for scoring (may be null)
 * @param trainSource where the training images came from (a folder path, as given by the user)
 * @param nTrain images the model was fitted on
 * @param createdAt ISO-8601 instant
 */
public record ModelInfo(
    String mahaVersion,
    BackboneSpec backbone,
    String backboneFile,
    String variant,
    String trainSource,
    long nTrain,
    String createdAt,
    String javaVersion,
    String osArch) {

  /** Provenance for a model fitted now, on this JVM. */
  public static ModelInfo now(
      BackboneSpec backbone, String backboneFile, Variant variant, String trainSource, long nTrain) {
    return new ModelInfo(
        MahaVersion.get(),
        backbone,
        backboneFile,
        variant.id(),
        trainSource,
        nTrain,
        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
        System.getProperty("java.version"),
        System.getProperty("os.arch"));
  }

  /** Level names in order, as the backbone names them. */
  public List<String> levelNames() {
    return backbone.levelNames();
  }
}
