package org.maha.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.maha.backbone.OnnxBackbone;
import org.maha.files.Sha256;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelCompatibility;

/**
 * Opens the backbone a saved model was fitted with, for the commands that extract more features for it
 * ({@code score}, {@code update}): the model decides the levels and normalisation; the ONNX file comes from
 * --onnx / --backbone or the model's own hint, and must be the file it was fitted with (same SHA-256).
 */
final class FittedBackbone {
  private FittedBackbone() {}

  /** Before the model is read: options the model decides are refused ({@code command} names who refuses). */
  static void refuseModelOptions(BackboneOptions backbone, String command) throws MahaCommand.UsageException {
    backbone.checkCombination(false);
    if (!backbone.levels.isEmpty()) {
      throw new MahaCommand.UsageException("--levels: " + command + " uses the levels the model was fitted with; "
          + "drop it");
    }
    if (backbone.normalization != null) {
      throw new MahaCommand.UsageException("--normalization: " + command + " uses the normalisation the model was "
          + "fitted with; drop it");
    }
  }

  /**
   * The model's backbone, opened and checked against it: its float32 graph, or the int8 graph it was fitted through,
   * rebuilt from the file; the caller closes it.
   */
  static OnnxBackbone open(BackboneOptions backbone, GaussianAdModel model, Path modelFile) throws Exception {
    Path onnx = onnxFile(backbone, model, modelFile);
    var fitted = model.info().backbone();
    OnnxBackbone b;
    try {
      b = fitted.isInt8()
          ? backbone.openInt8(onnx, fitted.levelNames(), fitted.normalization().id(), fitted.int8())
          : backbone.open(onnx, fitted.levelNames(), fitted.normalization().id());
    } catch (org.maha.backbone.BackboneException e) {
      throw fitted.isInt8() ? new org.maha.backbone.BackboneException(modelFile + ": its int8 graph: "
          + e.getMessage(), e) : e;
    }
    try {
      ModelCompatibility.check(model, b.spec(), modelFile.toString(), onnx.toString());
      return b;
    } catch (Exception e) {
      b.close();
      throw e;
    }
  }

  /** The model's ONNX file, from the options or the model's own hint, checked to be the one it was fitted with. */
  static Path onnxFile(BackboneOptions backbone, GaussianAdModel model, Path modelFile) throws Exception {
    Path onnx = backbone.onnx != null || backbone.backboneName == null ? backbone.onnx : backbone.resolveOnnx();
    if (onnx == null) {
      String hint = model.info().backboneFile();
      if (hint == null || !Files.isRegularFile(Path.of(hint))) {
        throw new MahaCommand.UsageException(modelFile + ": the backbone it was fitted with ("
            + (hint == null ? model.info().backbone().name() : hint) + ") was not found; pass it with --onnx FILE "
            + "or --backbone NAME [--weights FILE]");
      }
      onnx = Path.of(hint);
    }
    try {
      ModelCompatibility.checkSha256(model, Sha256.of(onnx), modelFile.toString(), onnx.toString());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new MahaCommand.UsageException(onnx + ": no such file");
    } catch (org.maha.files.InputFiles.RefusedException e) {
      throw new MahaCommand.UsageException(onnx + ": " + e.getMessage());
    }
    return onnx;
  }
}
