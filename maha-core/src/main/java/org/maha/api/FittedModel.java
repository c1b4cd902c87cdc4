package org.maha.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.maha.api.internal.ApiInternals;
import org.maha.model.Calibration;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelInfo;

/**
 * What fitting learned (as Tribuo separates a model from its trainer): one Gaussian per backbone level, the
 * provenance needed to trust it later (backbone and its ONNX SHA-256, levels, variant, training source and count,
 * maha and Java versions), and the calibrated threshold if any. Immutable and safe to share between threads; score
 * with a {@link Detector} opened on the same backbone.
 */
public final class FittedModel {
  static {
    ApiInternals.register(new ApiInternals.Access() {
      @Override
      public GaussianAdModel model(FittedModel fitted) {
        return fitted.model;
      }

      @Override
      public FittedModel fitted(GaussianAdModel model, String name) {
        return new FittedModel(model, name);
      }
    });
  }

  private final GaussianAdModel model;
  /** How error messages name this model: its file when loaded, else "model". */
  private final String name;

  FittedModel(GaussianAdModel model) {
    this(model, "model");
  }

  private FittedModel(GaussianAdModel model, String name) {
    this.model = Objects.requireNonNull(model, "model");
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * Reads a model saved by {@link #save(Path)} (or by {@code maha fit}), verifying its format, checksums and sizes
   * before trusting it.
   *
   * @param file a model file
   * @return the model
   * @throws MahaException when the file cannot be read, is not a maha model, or is corrupt
   */
  public static FittedModel load(Path file) throws MahaException {
    try {
      return new FittedModel(ModelFile.read(file), file.toString());
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Reads a model file held in memory, e.g. one uploaded to a service, with the verification and bounds of
   * {@link #load(Path)} (format, checksums, the sizes its entries inflate to): the bytes are staged in a private
   * temporary file, deleted before this returns, so that exactly the file reader's checks apply.
   *
   * @param modelFile the file's bytes; the caller bounds how many it accepts
   * @param name how error messages name it, e.g. {@code "the uploaded model"}
   * @return the model
   * @throws MahaException when the bytes are not a maha model, or are corrupt, naming {@code name}
   */
  public static FittedModel load(byte[] modelFile, String name) throws MahaException {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(name, "name");
    try {
      return new FittedModel(ModelFile.read(modelFile, name), name);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Writes the model to {@code file} atomically (a reader never sees half a file); {@code maha score --model} reads
   * it too.
   *
   * @param file where to write it; replaced if it exists
   * @throws MahaException when the file cannot be written
   */
  public void save(Path file) throws MahaException {
    try {
      ModelFile.write(model, file);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * The backbone's level names, in order: the keys of {@link Score#levelDistances()}.
   *
   * @return the level names (unmodifiable)
   */
  public List<String> levels() {
    return info().levelNames();
  }

  /**
   * The name of the backbone the model was fitted with.
   *
   * @return the backbone's name
   */
  public String backboneName() {
    return info().backbone().name();
  }

  /**
   * The SHA-256 of the backbone's ONNX graph: scoring with any other graph is refused.
   *
   * @return 64 hex digits
   */
  public String backboneSha256() {
    return info().backbone().onnxSha256();
  }

  /**
   * The input normalisation the backbone was fitted with, as {@link Detector.Builder#normalization(String)} takes
   * it ({@code imagenet} or {@code minus1to1}): a detector for an ONNX file that is not a preset must be opened
   * with it, or the model is refused as fitted at another normalisation.
   *
   * @return the normalisation's name
   */
  public String normalization() {
    return info().backbone().normalization().id();
  }

  /**
   * The side in pixels of the square input the backbone was fitted at.
   *
   * @return the input size
   */
  public int inputSizePx() {
    return info().backbone().inputSizePx();
  }

  /**
   * The per-level model's id, e.g. {@code mvg}.
   *
   * @return the id
   */
  public String variant() {
    return model.variant().id();
  }

  /**
   * Where the training images came from (a folder path, or a description of images in memory).
   *
   * @return the training source
   */
  public String trainedOn() {
    return info().trainSource();
  }

  /**
   * How many images the model was fitted on.
   *
   * @return the number of training images
   */
  public long trainingImages() {
    return info().nTrain();
  }

  /**
   * When it was fitted, as an ISO-8601 instant.
   *
   * @return the creation time
   */
  public String createdAt() {
    return info().createdAt();
  }

  /**
   * The maha version that fitted it.
   *
   * @return the version
   */
  public String mahaVersion() {
    return info().mahaVersion();
  }

  /**
   * The calibrated decision threshold; empty when the model was fitted without calibration.
   *
   * @return the threshold, if calibrated
   */
  public Optional<Threshold> threshold() {
    return model.threshold().map(FittedModel::threshold);
  }

  /**
   * The split-conformal p-value of a combined score: (1 + number of calibration scores &ge; {@code score}) /
   * (n + 1). {@link Score#pValue()} carries it for each scored image; this is for scores computed elsewhere.
   *
   * @param score a combined score of this model
   * @return the p-value in (0, 1]; empty when the model was not calibrated, or was saved by a maha that did not
   *     keep calibration scores
   */
  public OptionalDouble pValue(double score) {
    return model.threshold().map(c -> c.pValue(score)).orElse(OptionalDouble.empty());
  }

  /**
   * Whether {@link #pValue} and {@link Score#pValue()} have values: the model was calibrated and kept its
   * calibration scores (files written before maha kept them have only the threshold). A service states it up front
   * instead of answering with empty p-values.
   *
   * @return true when p-values are available
   */
  public boolean hasCalibrationScores() {
    return model.threshold().map(Calibration::keepsScores).orElse(false);
  }

  static Threshold threshold(Calibration c) {
    return new Threshold(c.threshold(), c.targetFpr(), c.n(), c.guaranteed(), c.source());
  }

  GaussianAdModel internal() {
    return model;
  }

  String name() {
    return name;
  }

  private ModelInfo info() {
    return model.info();
  }

  /** The backbone, variant, levels and training source, for logs. */
  @Override
  public String toString() {
    return "FittedModel[" + variant() + " on " + backboneName() + ", levels " + levels() + ", "
        + trainingImages() + " images from " + trainedOn() + threshold().map(t -> ", threshold " + t.value())
        .orElse("") + "]";
  }
}
