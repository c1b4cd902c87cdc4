package org.maha.model;

import org.maha.backbone.BackboneSpec;

/** Refuses to score with a backbone other than the one a model was fitted with. */
public final class ModelCompatibility {
  private ModelCompatibility() {}

  /**
   * @param modelFile and {@code onnxFile} are only used in the message
   * @throws ModelFileException naming both files and the first difference found
   */
  public static void check(GaussianAdModel model, BackboneSpec given, String modelFile, String onnxFile)
      throws ModelFileException {
    checkSha256(model, given.onnxSha256(), modelFile, onnxFile);
    BackboneSpec fitted = model.info().backbone();
    String prefix = prefix(fitted, modelFile);
    if (!fitted.levelNames().equals(given.levelNames()) || !fitted.levelDims().equals(given.levelDims())) {
      throw new ModelFileException(prefix + " with levels " + fitted.levelNames() + " " + fitted.levelDims()
          + ", but the backbone was opened with " + given.levelNames() + " " + given.levelDims());
    }
    if (fitted.inputSizePx() != given.inputSizePx() || fitted.normalization() != given.normalization()) {
      throw new ModelFileException(prefix + " at " + fitted.inputSizePx() + " px, " + fitted.normalization().id()
          + ", but the backbone was opened at " + given.inputSizePx() + " px, " + given.normalization().id());
    }
    String fittedGraph = fitted.isInt8() ? fitted.int8().graphSha256() : null;
    String givenGraph = given.isInt8() ? given.int8().graphSha256() : null;
    if (!java.util.Objects.equals(fittedGraph, givenGraph)) {
      throw new ModelFileException(prefix + " run as " + graph(fitted) + ", but the backbone was opened as "
          + graph(given) + "; its features differ: score through the graph the model was fitted with");
    }
  }

  private static String graph(BackboneSpec spec) {
    return spec.isInt8() ? "its int8 graph (sha256 " + abbrev(spec.int8().graphSha256()) + ", "
        + spec.int8().describe() + ")" : "its float32 graph";
  }

  /** The cheap first check, before a backbone is even opened: is it the same ONNX file? */
  public static void checkSha256(GaussianAdModel model, String givenSha256, String modelFile, String onnxFile)
      throws ModelFileException {
    BackboneSpec fitted = model.info().backbone();
    if (!fitted.onnxSha256().equals(givenSha256)) {
      throw new ModelFileException(prefix(fitted, modelFile) + ", but " + onnxFile + " has sha256 "
          + abbrev(givenSha256) + "; use the same ONNX file as for fitting");
    }
  }

  private static String prefix(BackboneSpec fitted, String modelFile) {
    return modelFile + ": fitted with backbone " + fitted.name() + " (sha256 " + abbrev(fitted.onnxSha256()) + ")";
  }

  private static String abbrev(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
