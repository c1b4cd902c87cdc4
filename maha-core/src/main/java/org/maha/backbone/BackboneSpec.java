package org.maha.backbone;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.maha.image.Normalization;

/**
 * What a backbone is, as recorded in a model file's provenance: which network (name and ONNX SHA-256), how its
 * input must be prepared (input name, square size in pixels, normalisation) and which level taps it gives, with the
 * length of each level's pooled feature vector. Lists are immutable copies.
 *
 * @param name        preset name (e.g. {@code mobilenet_v2}) or, for an unknown file, its file name without
 *                    {@code .onnx}
 * @param onnxSha256  SHA-256 of the ONNX file's bytes, 64 lowercase hex digits
 * @param inputName   the graph's single input
 * @param inputSizePx S of the input [N, 3, S, S]
 * @param levelNames  graph outputs used as levels, in level order (levelIndex 0, 1, ...)
 * @param levelDims   features per level (C of each output), same order
 * @param int8        null for the float32 graph of the file; else how the int8 graph that runs was made from it
 *                    (the file's SHA-256 stays {@code onnxSha256}: a model names the file a user passes)
 */
public record BackboneSpec(
    String name,
    String onnxSha256,
    String inputName,
    int inputSizePx,
    Normalization normalization,
    List<String> levelNames,
    List<Integer> levelDims,
    Int8Calibration int8) {

  /** The float32 graph of the file. */
  public BackboneSpec(String name, String onnxSha256, String inputName, int inputSizePx, Normalization normalization,
      List<String> levelNames, List<Integer> levelDims) {
    this(name, onnxSha256, inputName, inputSizePx, normalization, levelNames, levelDims, null);
  }

  public BackboneSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(onnxSha256, "onnxSha256");
    Objects.requireNonNull(inputName, "inputName");
    Objects.requireNonNull(normalization, "normalization");
    levelNames = List.copyOf(levelNames);
    levelDims = List.copyOf(levelDims);
    if (!onnxSha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("onnxSha256: expected 64 lowercase hex digits, found '" + onnxSha256 + "'");
    }
    if (inputSizePx <= 0) {
      throw new IllegalArgumentException("inputSizePx: expected > 0, found " + inputSizePx);
    }
    if (levelNames.isEmpty() || levelNames.size() != levelDims.size()) {
      throw new IllegalArgumentException("levelNames and levelDims: expected the same non-zero length, found "
          + levelNames.size() + " and " + levelDims.size());
    }
    if (new HashSet<>(levelNames).size() != levelNames.size()) {
      throw new IllegalArgumentException("levelNames: expected distinct names, found " + levelNames);
    }
    for (int d : levelDims) {
      if (d <= 0) {
        throw new IllegalArgumentException("levelDims: expected all > 0, found " + levelDims);
      }
    }
  }

  /** This spec, run as the int8 graph {@code calibration} describes (null: as the float32 graph). */
  public BackboneSpec withInt8(Int8Calibration calibration) {
    return new BackboneSpec(name, onnxSha256, inputName, inputSizePx, normalization, levelNames, levelDims,
        calibration);
  }

  /** The name for reports: {@link #name}, and for an int8 graph what made it. */
  public String label() {
    return int8 == null ? name : name + " (" + int8.describe() + ")";
  }

  /** Whether the graph that runs is the int8 rewrite of the file. */
  public boolean isInt8() {
    return int8 != null;
  }

  /** Number of levels. */
  public int levelCount() {
    return levelNames.size();
  }

  /** Floats in one CHW image: 3 × S × S. */
  public int floatsPerImage() {
    return 3 * inputSizePx * inputSizePx;
  }
}
