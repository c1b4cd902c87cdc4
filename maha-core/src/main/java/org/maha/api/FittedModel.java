package org.maha.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.maha.api.internal.ApiInternals;
import org.maha.files.Sha256;
import org.maha.model.Calibration;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelFileException;
import org.maha.model.ModelInfo;
import org.maha.model.ModelUpdates;
import org.maha.pipeline.MapModel;
import org.maha.pipeline.MapModelFile;
import org.maha.pipeline.MapScale;

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

      @Override
      public FittedModel loaded(GaussianAdModel model, Path file) {
        return new FittedModel(model, file.toString(), file, null, false);
      }
    });
  }

  private final GaussianAdModel model;
  /** How error messages name this model: its file when loaded, else "model". */
  private final String name;
  /** The file it was loaded from, else null: {@link #merge} records its hash in the merged model's history. */
  private final Path file;
  /** The SHA-256 of the bytes it was loaded from, else null (then {@link #file} or nothing names its origin). */
  private final String bytesSha256;
  /**
   * Whether the file or bytes it was loaded from hold anomaly maps (the {@code maps} section of {@code maha fit
   * --maps}), which this model does not carry: {@link #checkUpdatable()} refuses it until {@link #withoutMaps()}.
   */
  private final boolean hasMaps;
  /** The anomaly maps and their display scale (may be null) when loaded by {@link #loadWithMaps}, else null. */
  private final MapModel maps;
  private final MapScale mapScale;

  FittedModel(GaussianAdModel model) {
    this(model, "model");
  }

  private FittedModel(GaussianAdModel model, String name) {
    this(model, name, null, null, false);
  }

  private FittedModel(GaussianAdModel model, String name, Path file, String bytesSha256, boolean hasMaps) {
    this(model, name, file, bytesSha256, hasMaps, null, null);
  }

  private FittedModel(GaussianAdModel model, String name, Path file, String bytesSha256, boolean hasMaps,
      MapModel maps, MapScale mapScale) {
    this.model = Objects.requireNonNull(model, "model");
    this.name = Objects.requireNonNull(name, "name");
    this.file = file;
    this.bytesSha256 = bytesSha256;
    this.hasMaps = hasMaps;
    this.maps = maps;
    this.mapScale = mapScale;
  }

  /** Notes a file's map section without reading its arrays: only whether it is there matters here. */
  private static final ModelFile.SectionReader<Boolean> NOTE_MAPS = (m, node, entries) -> Boolean.TRUE;

  /**
   * Reads a model saved by {@link #save(Path)} (or by {@code maha fit}), verifying its format, checksums and sizes
   * before trusting it. What scoring never reads (the training statistics that {@link Detector#update} and
   * {@link #merge} continue from, most of a large file) is read and verified with the same checks when first
   * needed ({@link #checkUpdatable()}, {@link #save(Path)}), and refused then if the file changed in between.
   *
   * @param file a model file
   * @return the model
   * @throws MahaException when the file cannot be read, is not a maha model, or is corrupt
   */
  public static FittedModel load(Path file) throws MahaException {
    try {
      ModelFile.Loaded<Boolean> loaded = ModelFile.read(file, MapModelFile.KEY, NOTE_MAPS);
      return new FittedModel(loaded.model(), file.toString(), file, null, loaded.section() != null);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Reads a model file written by {@code maha fit --maps} with its anomaly maps, for
   * {@link Detector#anomalyMaps}: as {@link #load(Path)}, and also the per-position Gaussians (the file's largest
   * part: about 8·P·D²/2 bytes for P grid positions and D channels, 130 MB at the default 56 × 56 × 100) and their
   * display scale, each verified (shapes, bounds checked before inflating, finite values, positive Cholesky
   * diagonals).
   *
   * @param file a model file with anomaly maps
   * @return the model with its maps ({@link #hasMaps()} is true)
   * @throws MahaException when the file cannot be read, is corrupt, or has no anomaly maps
   */
  public static FittedModel loadWithMaps(Path file) throws MahaException {
    MapModelFile.Stored stored;
    try {
      stored = MapModelFile.read(file);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
    if (stored.maps() == null) {
      throw MahaException.wrap(new ModelFileException(file + ": has no anomaly maps; fit the model with "
          + "maha fit --maps, or read it with FittedModel.load"));
    }
    return new FittedModel(stored.model(), file.toString(), file, null, true, stored.maps(), stored.scale());
  }

  /**
   * Reads a model file held in memory with its anomaly maps, e.g. a model a service serves with maps or one uploaded
   * to it: as {@link #loadWithMaps(Path)} (the same verification and bounds), the bytes staged in a private
   * temporary file as {@link #load(byte[], String)} stages them. The maps stay in memory with the model: about
   * 8·P·D²/2 bytes (130 MB at the default 56 × 56 grid and 100 channels), where {@link #load(byte[], String)}
   * keeps only the image model.
   *
   * @param modelFile the file's bytes; the caller bounds how many it accepts
   * @param name how error messages name it, e.g. {@code "the uploaded model"}
   * @return the model with its maps ({@link #hasMaps()} is true)
   * @throws MahaException when the bytes are not a maha model, are corrupt, or hold no anomaly maps, naming
   *     {@code name}
   */
  public static FittedModel loadWithMaps(byte[] modelFile, String name) throws MahaException {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(name, "name");
    MapModelFile.Stored stored;
    try {
      stored = MapModelFile.read(modelFile, name);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
    if (stored.maps() == null) {
      throw MahaException.wrap(new ModelFileException(name + ": has no anomaly maps; fit the model with "
          + "maha fit --maps, or read it with FittedModel.load"));
    }
    return new FittedModel(stored.model(), name, null, Sha256.of(modelFile), true, stored.maps(), stored.scale());
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
      ModelFile.Loaded<Boolean> loaded = ModelFile.read(modelFile, name, MapModelFile.KEY, NOTE_MAPS);
      return new FittedModel(loaded.model(), name, null, Sha256.of(modelFile), loaded.section() != null);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Whether the model was loaded from a file (or bytes) that also holds anomaly maps ({@code maha fit --maps}).
   * {@link #load(Path)} notes them without reading them ({@link #save(Path)} then writes no maps);
   * {@link #loadWithMaps(Path)} reads them, for {@link Detector#anomalyMaps}, and {@link #save(Path)} writes them
   * again. {@link Detector#update}
   * and {@link #merge} refuse such a model, because a map model keeps only its fitted per-position Gaussians, not
   * the training statistics that adding images needs (an updated image model beside the old maps would describe
   * two different sets of images). {@link #withoutMaps()} states that the maps may go.
   *
   * @return true when the source held anomaly maps and {@link #withoutMaps()} was not called
   */
  public boolean hasMaps() {
    return hasMaps;
  }

  /**
   * This model with the note that its source held anomaly maps removed, so that {@link Detector#update} and
   * {@link #merge} accept it: their result is the image model alone, without maps ({@code maha update
   * --drop-maps}, {@code maha merge --drop-maps}). The image model, its name and the hash of its source are kept.
   *
   * @return this model when {@link #hasMaps()} is false, else a copy without the note (and without the maps
   *     {@link #loadWithMaps(Path)} read)
   */
  public FittedModel withoutMaps() {
    return hasMaps ? new FittedModel(model, name, file, bytesSha256, false) : this;
  }

  /**
   * Writes the model to {@code file} atomically (a reader never sees half a file); {@code maha score --model} reads
   * it too.
   *
   * @param file where to write it; replaced if it exists
   * @throws MahaException when the file cannot be written, or (a model loaded from a file) its training statistics,
   *     read now, are damaged or the file it was loaded from changed since
   */
  public void save(Path file) throws MahaException {
    try {
      if (maps != null) {
        MapModelFile.write(model, maps, mapScale, file);
        return;
      }
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
   * The SHA-256 of the backbone's ONNX file: scoring with any other file is refused. For a model fitted through the
   * int8 graph ({@link #int8()}) this is still the float32 file's, which the int8 graph is rebuilt from.
   *
   * @return 64 hex digits
   */
  public String backboneSha256() {
    return info().backbone().onnxSha256();
  }

  /**
   * How the int8 graph the model was fitted through was made (see {@link FitOptions#withInt8}), e.g. {@code "int8,
   * 128 activations calibrated on 32 images"}; empty for a model of the float32 graph. A {@link Detector} of the
   * backbone file scores it through that int8 graph.
   *
   * @return the int8 calibration, described, or empty
   */
  public Optional<String> int8() {
    return info().backbone().isInt8() ? Optional.of(info().backbone().int8().describe()) : Optional.empty();
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

  /**
   * One model from models fitted apart on the same backbone (same ONNX graph, levels, variant, normalisation and
   * input), equal up to rounding to the model a single fit on all their images gives, in any order: it continues
   * from the exact training statistics each model keeps. This is what {@code maha merge} does. The merged model's
   * history records each model (its file and SHA-256 when it was loaded from one) and its training count.
   *
   * <p>A calibrated threshold does not carry over (it held for the old model's scores only): the result has none,
   * and {@link FitResult#warnings()} says which models had one, then any notes of the fit (e.g. constant features
   * left out). {@link FitResult#skipped()} is empty.
   *
   * @param models at least two models; each is read once, the first gives the provenance
   * @return the merged model and the warnings
   * @throws MahaException in one line naming the model, when one cannot be merged: it keeps no training statistics
   *     (model format version 1), it is a PCA/NPCA model (its subspace needs the training images themselves), it
   *     has anomaly maps ({@link #hasMaps()}; merge {@link #withoutMaps()} to drop them), it differs from the first in backbone, levels, variant, normalisation or input, or it holds images another
   *     model also holds (they would count twice)
   * @throws IllegalArgumentException when fewer than two models are given
   */
  public static FitResult merge(List<FittedModel> models) throws MahaException {
    Objects.requireNonNull(models, "models");
    if (models.size() < 2) {
      throw new IllegalArgumentException("merge needs at least 2 models, got " + models.size());
    }
    try {
      List<String> warnings = new ArrayList<>();
      ModelUpdates.Merger merger = null;
      for (FittedModel m : models) {
        m.refuseMaps();
        ModelUpdates.Source s = m.source();
        if (merger == null) {
          merger = new ModelUpdates.Merger(s);
        } else {
          merger.add(s);
        }
        if (m.model.threshold().isPresent()) {
          warnings.add(m.name + "'s calibrated threshold was dropped: it held for that model's scores only; "
              + "a threshold for the merged model needs a new fit --calibrate");
        }
      }
      GaussianAdModel merged = merger.result(warnings);
      return new FitResult(new FittedModel(merged), List.of(), warnings);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Refuses, in one line naming the model, a model that {@link Detector#update} and {@link #merge} cannot continue
   * from: one that keeps no training statistics (model format version 1, written by an older maha), a PCA/NPCA
   * model (its subspace Gaussian needs the training images themselves), or one with anomaly maps
   * ({@link #hasMaps()}: they keep no training statistics; {@link #withoutMaps()} drops them), or one whose
   * training statistics are damaged. A model loaded from a file reads and verifies its training statistics here, on
   * first use (loading defers them, since scoring never needs them: about a third of a large model file), so that
   * an application refuses a damaged file before opening a backbone or reading images.
   *
   * @throws MahaException when the model cannot be updated or merged, saying why
   */
  public void checkUpdatable() throws MahaException {
    try {
      ModelUpdates.requireUpdatable(model, name);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
    refuseMaps();
  }

  private void refuseMaps() throws MahaException {
    if (hasMaps) {
      throw MahaException.wrap(new ModelFileException(name + ": has anomaly maps, which keep only their fitted "
          + "per-position Gaussians, not the training statistics that adding images needs; update or merge "
          + "model.withoutMaps() for the image model alone, or fit the maps again on all the images"));
    }
  }

  /** This model as a merge or update source: its name, and the hash of the file or bytes it came from. */
  ModelUpdates.Source source() throws java.io.IOException {
    String sha = file != null ? Sha256.of(file) : bytesSha256;
    return new ModelUpdates.Source(model, name, sha);
  }

  GaussianAdModel internal() {
    return model;
  }

  /** The anomaly maps read by {@link #loadWithMaps}, else null. */
  MapModel mapModel() {
    return maps;
  }

  /** Their display scale, or null (none read, or the file keeps none). */
  MapScale mapScale() {
    return mapScale;
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
