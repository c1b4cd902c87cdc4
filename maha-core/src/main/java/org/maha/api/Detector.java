package org.maha.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.Int8Quantization;
import org.maha.backbone.OnnxBackbone;
import org.maha.catalog.Catalog;
import org.maha.catalog.CatalogEntry;
import org.maha.catalog.DownloadListener;
import org.maha.catalog.WeightCache;
import org.maha.eval.ConformalThreshold;
import org.maha.image.DecodeLimits;
import org.maha.image.Normalization;
import org.maha.model.Calibration;
import org.maha.model.FitException;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelCompatibility;
import org.maha.model.TrainingStatistics;
import org.maha.model.Variant;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.MapJobs;
import org.maha.pipeline.MapModel;
import org.maha.pipeline.MapScale;
import org.maha.pipeline.ProgressListener;
import org.maha.pipeline.ScoredImage;
import org.maha.pipeline.StageTimes;
import org.maha.pipeline.TrainAugmentation;
import org.maha.stats.CovarianceAccumulator;
import org.maha.stats.ScatterStatistics;
import org.maha.zoo.BackboneZoo;
import org.maha.zoo.BuiltGraph;

/**
 * Fits and scores with one CNN backbone: the entry point of the API. Built by {@link #builder()} with named options.
 *
 * <p>Resources (as ONNX Runtime's {@code OrtSession}): a detector owns one native inference session, opened by
 * {@link Builder#build()}, plus one per int8 calibration it meets ({@link FitOptions#withInt8}, or a model fitted
 * so: at most {@value #MAX_INT8_GRAPHS}, opened on first use), all released by {@link #close()}; use
 * try-with-resources, and build one detector per
 * backbone for the life of the application rather than one per image. After {@code close}, every method throws
 * {@link IllegalStateException}; {@code close} waits for calls in progress.
 *
 * <p>Threads: {@link #score} and {@link #scoreAll} may be called from many threads at once; they share the
 * session (ONNX Runtime's {@code run} is thread-safe) and give exactly the numbers serial calls give. Each call
 * decodes on its own small pool of {@link Builder#decodeThreads(int) decode threads}. The
 * {@link FittedModel}s it returns are immutable and may be shared freely.
 *
 * <p>Memory: scoring one image ({@code score(model, Images.of(frame))}, the camera loop) decodes it on the calling
 * thread, starts no thread, and allocates on the Java heap about {@code 6·W·H} bytes for a W×H frame (its RGB
 * bytes, decoded and copied once into an immutable image) {@code + 27·S²} (the S×S resize and its float input,
 * twice) {@code + 4·F} (the F values of the levels' feature maps, copied out of ONNX Runtime before pooling)
 * {@code + 128·ΣD} (pooled features and distance vectors, D features per level) {@code + 64 KiB} at most; ONNX
 * Runtime's own native buffers come on top. Measured for a 640×480 frame: 1.89 MB on the tiny test CNN (S = 32),
 * 6.68 MB on MobileNetV2 with nine levels (S = 224, F = 820 064), of which 1.84 MB is the frame. {@link #scoreAll}
 * holds at most a batch plus the decode-ahead window of images at once, for lists and streams alike.
 *
 * <p>This is the same pipeline as the command line: a file scored here and by {@code maha score} with the same
 * backbone and model gets the same score to the last bit.
 */
public final class Detector implements AutoCloseable {
  /**
   * Most int8 graphs one detector holds open (one per calibration among the models it scored or fitted): each is a
   * native session with its own weights, so a service cycling through many int8 models is told rather than left to
   * grow.
   */
  public static final int MAX_INT8_GRAPHS = 8;

  private final OnnxBackbone backbone;
  private final FeatureExtractor extractor;
  /** {@link #backbone} and {@link #extractor}: the graph of models fitted through the float32 graph. */
  private final Bound floatGraph;
  /** The float file and options the backbone was opened with: an int8 graph is rebuilt from them. */
  private final Path backbonePath;
  private final BackboneOptions backboneOptions;
  private final DecodeLimits limits;
  private final int decodeThreads;
  /** int8 graphs by their SHA-256, opened on first use; guarded by itself, closed by {@link #close()}. */
  private final Map<String, Bound> int8Graphs = new LinkedHashMap<>();
  /** The backbone file's absolute path, recorded in the models' provenance. */
  private final String backboneFile;
  /** The backbone file as given, for messages. */
  private final String backboneLabel;
  private final ProgressListener progress;
  private final List<String> notes;
  /** Held shared by every call for its whole length, exclusively by {@link #close()}: close waits for calls. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** A graph this detector runs, float32 or int8, with its feature extractor. */
  private record Bound(OnnxBackbone backbone, FeatureExtractor extractor) {}

  private Detector(OnnxBackbone backbone, BackboneOptions options, DecodeLimits limits, int decodeThreads,
      Path backboneFile, Progress progress, List<String> notes) {
    this.backbone = backbone;
    this.extractor = new FeatureExtractor(backbone, limits, decodeThreads);
    this.floatGraph = new Bound(backbone, extractor);
    this.backbonePath = backboneFile;
    this.backboneOptions = options;
    this.limits = limits;
    this.decodeThreads = decodeThreads;
    this.backboneFile = backboneFile.toAbsolutePath().toString();
    this.backboneLabel = backboneFile.toString();
    this.progress = progress::progress;
    this.notes = List.copyOf(notes);
  }

  /**
   * A builder with the defaults: no backbone chosen yet (give {@link Builder#onnx} or {@link Builder#named}).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Fits the paper's model (a Gaussian per level, {@link FitOptions#defaults()}) on {@code goodImages}, all assumed
   * normal. Features stream into per-level sums, so memory does not grow with the number of images.
   *
   * @param goodImages normal images of the product, at least 2
   * @return the fitted model, not calibrated
   * @throws MahaException when an image cannot be read (naming it) or fewer than 2 images were given
   */
  public FittedModel fit(Images goodImages) throws MahaException {
    return fit(goodImages, FitOptions.defaults());
  }

  /**
   * Fits on {@code goodImages} as {@code options} say (variant, augmentation, calibration on other good images).
   *
   * @param goodImages normal images of the product, at least 2
   * @param options the variant and, optionally, augmentation, calibration images and rate
   * @return the fitted (and, if asked, calibrated) model
   * @throws MahaException when an image cannot be read (naming it), fewer than 2 images were given, or no
   *     calibration image was readable
   */
  public FittedModel fit(Images goodImages, FitOptions options) throws MahaException {
    return fitWithReport(goodImages, options).model();
  }

  /**
   * As {@link #fit(Images, FitOptions)}, and also says which images were skipped (see
   * {@link Images#skippingUnreadable()}) and what the application should warn its user about (too few training
   * images for some levels' statistics; too few calibration images for the asked rate).
   *
   * @param goodImages normal images of the product, at least 2
   * @param options the variant and, optionally, augmentation, calibration images and rate
   * @return the model, the skipped images and the warnings
   * @throws MahaException when an image cannot be read (naming it) and the images do not skip unreadable ones,
   *     fewer than 2 images were readable, or no calibration image was readable
   */
  public FitResult fitWithReport(Images goodImages, FitOptions options) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(goodImages, "goodImages");
    TrainAugmentation augmentation = options.augmentation();
    Jobs.FitOutcome fit;
    List<String> int8Warnings = new ArrayList<>();
    enter();
    try {
      Bound graph = options.int8CalibrationImages().isPresent()
          ? int8(options.int8CalibrationImages().get(), int8Warnings) : floatGraph;
      String source = goodImages.description() + (augmentation == null ? "" : ", " + augmentation.describe());
      fit = Jobs.fit(graph.extractor(), goodImages.source(graph.extractor()), options.variantModel(), source,
          backboneFile, goodImages.skipsUnreadable(), augmentation, progress);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    List<String> warnings = new ArrayList<>(int8Warnings);
    warnings.addAll(fit.warnings());
    FitResult fitted = new FitResult(new FittedModel(fit.model()), Skipped.of(fit.skipped()), warnings);
    return calibrated(fitted, options);
  }

  /**
   * The mergeable statistics of {@code goodImages}' features, the part of a fit that can be spread over machines:
   * each accumulates its share of the images, the parts {@link FitStatistics#merge}, and
   * {@link #fit(FitStatistics, FitOptions)} fits the model a single fit on all the images gives. Features stream
   * into the sums, so memory does not grow with the number of images.
   *
   * @param goodImages normal images of the product (possibly none)
   * @return their statistics
   * @throws MahaException when an image cannot be read (naming it) and the images do not skip unreadable ones
   */
  public FitStatistics accumulate(Images goodImages) throws MahaException {
    return accumulateWithReport(goodImages).statistics();
  }

  /**
   * As {@link #accumulate}, and also says which images were skipped (see {@link Images#skippingUnreadable()}).
   *
   * @param goodImages normal images of the product (possibly none)
   * @return their statistics and the skipped images
   * @throws MahaException when an image cannot be read (naming it) and the images do not skip unreadable ones
   */
  public Accumulated accumulateWithReport(Images goodImages) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(goodImages, "goodImages");
    List<Integer> dims = backbone.spec().levelDims();
    List<CovarianceAccumulator> sums = new ArrayList<>(dims.size());
    dims.forEach(d -> sums.add(new CovarianceAccumulator(d)));
    List<org.maha.pipeline.Skipped> skipped;
    org.maha.pipeline.ImageDigests digests = new org.maha.pipeline.ImageDigests();
    enter();
    try {
      skipped = extractor.extract(digests.wrap(goodImages.source(extractor)), goodImages.skipsUnreadable(),
          "accumulate: features", progress, (i, p, f) -> {
            for (int l = 0; l < f.length; l++) {
              sums.get(l).add(f[l]);
            }
            digests.accept(i);
          });
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    List<ScatterStatistics> levels = new ArrayList<>(sums.size());
    if (sums.get(0).count() > 0) {
      sums.forEach(a -> levels.add(a.statistics()));
    }
    return new Accumulated(FitStatistics.of(backbone.spec(), goodImages.description(), levels, digests.digest()),
        Skipped.of(skipped));
  }

  /**
   * Fits from merged statistics ({@link #accumulate}, {@link FitStatistics#merge}) as {@code options} say: the model
   * {@link #fit(Images, FitOptions)} gives on all the images behind them, equal up to rounding. Its training source
   * is {@link FitStatistics#description()}.
   *
   * @param statistics statistics accumulated with this detector's backbone, of at least 2 images
   * @param options the variant (mvg, l2 or sed: a PCA subspace needs the images themselves) and, optionally,
   *     calibration images and rate; no augmentation (it applies when images are read)
   * @return the fitted (and, if asked, calibrated) model
   * @throws MahaException when the statistics come from another backbone, hold fewer than 2 images, or no calibration
   *     image was readable
   * @throws IllegalArgumentException when the options ask for a PCA/NPCA variant or augmentation
   */
  public FittedModel fit(FitStatistics statistics, FitOptions options) throws MahaException {
    return fitWithReport(statistics, options).model();
  }

  /**
   * As {@link #fit(FitStatistics, FitOptions)}, and also says what the application should warn its user about; the
   * skipped images are those of the calibration only (the statistics' images were read before).
   *
   * @param statistics statistics accumulated with this detector's backbone, of at least 2 images
   * @param options the variant (mvg, l2 or sed) and, optionally, calibration images and rate; no augmentation
   * @return the model, the skipped calibration images and the warnings
   * @throws MahaException as {@link #fit(FitStatistics, FitOptions)} says
   * @throws IllegalArgumentException when the options ask for a PCA/NPCA variant or augmentation
   */
  public FitResult fitWithReport(FitStatistics statistics, FitOptions options) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(statistics, "statistics");
    Variant variant = options.variantModel();
    if (variant.needsRows()) {
      throw new IllegalArgumentException("variant " + variant.id() + " needs the training images themselves (its "
          + "subspace); a fit from statistics supports mvg, l2 and sed");
    }
    if (options.augmentation() != null) {
      throw new IllegalArgumentException("augmentation applies when images are read, not to statistics: fit on the "
          + "images, or accumulate augmented copies");
    }
    if (options.int8CalibrationImages().isPresent()) {
      throw new IllegalArgumentException("int8 applies when images are read, not to statistics (accumulated through "
          + "the float32 graph): fit on the images");
    }
    statistics.requireBackbone(backbone.spec());
    FitResult fitted;
    try {
      String source = statistics.description();
      if (statistics.images() < 2) {
        throw new FitException(source + ": need at least 2 readable training images to fit a model, got "
            + statistics.images());
      }
      TrainingStatistics stats = new TrainingStatistics(statistics.levelStatistics(),
          List.of(TrainingStatistics.Step.now("fit", source, statistics.images(), null, null, statistics.digest())));
      GaussianAdFitter fitter = GaussianAdFitter.fromStatistics(backbone.spec(), backboneFile, variant, stats);
      fitted = new FitResult(new FittedModel(fitter.fit(source)), List.of(), fitter.warnings());
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
    return calibrated(fitted, options);
  }

  /** {@code fitted}, calibrated when {@code options} give calibration images, with both reports together. */
  private FitResult calibrated(FitResult fitted, FitOptions options) throws MahaException {
    Optional<Images> calibration = options.calibrationImages();
    if (calibration.isEmpty()) {
      return fitted;
    }
    FitResult calibrated = calibrateWithReport(fitted.model(), calibration.get(), options.targetFpr());
    List<Skipped> skipped = new ArrayList<>(fitted.skipped());
    skipped.addAll(calibrated.skipped());
    List<String> warnings = new ArrayList<>(fitted.warnings());
    warnings.addAll(calibrated.warnings());
    return new FitResult(calibrated.model(), skipped, warnings);
  }

  /**
   * Adds the good {@code newImages} to {@code model} without its old images: the result equals, up to rounding, the
   * model a fit on the old images and these together gives (any order, any split into updates), because a model
   * keeps the exact training statistics of its images. This is what {@code maha update} does. The update is
   * recorded in the model's history (with the file and SHA-256 of {@code model} when it was loaded from one).
   *
   * <p>A calibrated threshold does not carry over: it was a quantile of scores under the old model, so its
   * false-positive rate no longer holds; {@link #calibrate} the result on new held-out good images.
   *
   * @param model a model fitted with this detector's backbone, updatable (see {@link FittedModel#checkUpdatable()})
   * @param newImages normal images not already in the model
   * @return the updated model, not calibrated
   * @throws MahaException when the model cannot be updated ({@link FittedModel#checkUpdatable()}), was fitted with
   *     another backbone, an image cannot be read (naming it) and the images do not skip unreadable ones, or none of
   *     them could be read
   */
  public FittedModel update(FittedModel model, Images newImages) throws MahaException {
    return updateWithReport(model, newImages).model();
  }

  /**
   * As {@link #update}, and also says which images were skipped (see {@link Images#skippingUnreadable()}) and what
   * the application should warn its user about (too few training images for some levels' statistics).
   *
   * @param model a model fitted with this detector's backbone, updatable (see {@link FittedModel#checkUpdatable()})
   * @param newImages normal images not already in the model
   * @return the updated model, the skipped images and the warnings
   * @throws MahaException as {@link #update} says
   */
  public FitResult updateWithReport(FittedModel model, Images newImages) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(newImages, "newImages");
    model.checkUpdatable();
    Jobs.FitOutcome r;
    enter();
    try {
      Bound graph = bound(model);
      r = Jobs.update(graph.extractor(), model.source(), newImages.source(graph.extractor()),
          newImages.description(), newImages.skipsUnreadable(), progress);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    return new FitResult(new FittedModel(r.model()), Skipped.of(r.skipped()), r.warnings());
  }

  /**
   * A copy of {@code model} with a decision threshold calibrated on {@code goodImages} (normal, not used for
   * fitting), so that at most a fraction {@code targetFpr} of good images is flagged; for a model fitted earlier.
   * The calibration scores are kept in the model, so scores also carry a conformal {@link Score#pValue()}.
   *
   * @param model a model fitted with this detector's backbone
   * @param goodImages normal images not used for fitting
   * @param targetFpr the false-positive rate to aim for, in (0, 1)
   * @return the model with its threshold; {@code model} itself is unchanged
   * @throws MahaException when the model was fitted with another backbone, or no calibration image was readable
   * @throws IllegalArgumentException when {@code targetFpr} is outside (0, 1)
   */
  public FittedModel calibrate(FittedModel model, Images goodImages, double targetFpr) throws MahaException {
    return calibrateWithReport(model, goodImages, targetFpr).model();
  }

  /**
   * As {@link #calibrate}, and also says which calibration images were skipped (see
   * {@link Images#skippingUnreadable()}) and warns when they are too few for the guarantee at {@code targetFpr}
   * (the threshold is then the largest calibration score).
   *
   * @param model a model fitted with this detector's backbone
   * @param goodImages normal images not used for fitting
   * @param targetFpr the false-positive rate to aim for, in (0, 1)
   * @return the calibrated model, the skipped images and the warnings
   * @throws MahaException when the model was fitted with another backbone, or no calibration image was readable
   * @throws IllegalArgumentException when {@code targetFpr} is outside (0, 1)
   */
  public FitResult calibrateWithReport(FittedModel model, Images goodImages, double targetFpr)
      throws MahaException {
    ensureOpen();
    if (!(targetFpr > 0 && targetFpr < 1)) {
      throw new IllegalArgumentException("targetFpr: expected a rate in (0, 1), found " + targetFpr);
    }
    Jobs.CalibrationOutcome c;
    enter();
    try {
      Bound graph = bound(model);
      c = Jobs.calibrate(graph.extractor(), model.internal(), goodImages.source(graph.extractor()), targetFpr,
          goodImages.description(), goodImages.skipsUnreadable(), progress);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    Calibration cal = c.model().calibration();
    List<String> warnings = cal.guaranteed() ? List.of() : List.of(String.format(Locale.ROOT,
        "%d calibration images are too few for a false-positive rate of %s (need at least %d); the threshold is "
            + "the largest calibration score", cal.n(), targetFpr, ConformalThreshold.minimumImages(targetFpr)));
    return new FitResult(new FittedModel(c.model()), Skipped.of(c.skipped()), warnings);
  }

  /**
   * Scores exactly one image, e.g. {@code score(model, Images.of(frame))}: the call for a camera loop.
   *
   * @param model a model fitted with this detector's backbone
   * @param image one image, in any form
   * @return its score
   * @throws MahaException when the image cannot be read, or the model was fitted with another backbone
   * @throws IllegalArgumentException when {@code image} holds other than one image
   */
  public Score score(FittedModel model, Images image) throws MahaException {
    Scores scores = scoreAll(model, image, 1);
    if (scores.isEmpty()) { // skipped as unreadable: for one image that is the failure itself
      Skipped s = scores.skipped().get(0);
      throw new MahaException(s.name() + ": " + s.reason(), null);
    }
    return scores.get(0);
  }

  /**
   * Scores every image of {@code images}, in order: decoding overlaps inference, and images run in batches of
   * {@link Builder#batchSize(int)}, so this is faster than one {@link #score} per image.
   *
   * @param model a model fitted with this detector's backbone
   * @param images the images, in any form
   * @return one score per image read, in input order, and the images skipped as unreadable (unmodifiable)
   * @throws MahaException when an image cannot be read (naming it) and the images do not skip unreadable ones, or
   *     the model was fitted with another backbone; or when this heap cannot decode an image now
   *     ({@link MahaException#isInsufficientMemory()}: not the image's fault, never skipped as unreadable)
   */
  public Scores scoreAll(FittedModel model, Images images) throws MahaException {
    return scoreAll(model, images, -1);
  }

  private Scores scoreAll(FittedModel model, Images images, int expected) throws MahaException {
    return scoreSource(model, () -> {
      FeatureExtractor.ImageSource source = images.source(extractor);
      if (expected >= 0 && source.size() != expected) {
        throw new IllegalArgumentException("score: expected exactly " + expected + " image, got "
            + (source.size() == FeatureExtractor.ImageSource.UNKNOWN_SIZE ? "a stream" : source.size())
            + " (" + images.description() + "); use scoreAll for several");
      }
      return source;
    }, images.skipsUnreadable(), List.of());
  }

  /**
   * Decodes, resizes and normalises {@code images} for this detector's backbone on the calling thread, without
   * running the backbone: a service calls it on each request's own thread, so that decoding runs while the backbone
   * scores other requests, then scores the result with {@link #scoreAll(FittedModel, PreparedImages)} (alone, or
   * {@link PreparedImages#concat gathered} with other requests' into one batch). Uses no native session, so calls
   * from many threads run in parallel.
   *
   * @param images the images, in any form (all held once prepared: give a bounded number)
   * @return the images ready for the backbone, in order, and those skipped as unreadable
   * @throws MahaException when an image cannot be read (naming it) and the images do not skip unreadable ones; or
   *     when this heap cannot decode an image now ({@link MahaException#isInsufficientMemory()})
   * @throws IllegalStateException when the detector is closed
   */
  public PreparedImages prepare(Images images) throws MahaException {
    ensureOpen();
    List<org.maha.pipeline.Skipped> skipped = new ArrayList<>();
    try {
      List<FeatureExtractor.Named> out = extractor.prepare(images.source(extractor), images.skipsUnreadable(),
          skipped);
      return new PreparedImages(out, extractor.preprocessing(), Skipped.of(skipped));
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * Scores images {@link #prepare prepared} by this detector (or one with the same input size and normalisation),
   * in order, in batches of {@link Builder#batchSize(int)}: the scores of {@link #scoreAll(FittedModel, Images)} on
   * the same images, to the last bit, without decoding them again. The result's {@link Scores#skipped()} are the
   * images skipped while preparing; its decode time is only the hand-over of the prepared pixels (the decoding was
   * timed by whoever prepared them).
   *
   * @param model a model fitted with this detector's backbone
   * @param images images prepared for this detector's input
   * @return one score per prepared image, in order
   * @throws MahaException when the model was fitted with another backbone
   * @throws IllegalArgumentException when the images were prepared for another input size or normalisation
   */
  public Scores scoreAll(FittedModel model, PreparedImages images) throws MahaException {
    Objects.requireNonNull(images, "images");
    if (!images.preprocessing().equals(extractor.preprocessing())) {
      throw new IllegalArgumentException("scoreAll: images prepared for " + images.preprocessing() + ", but this "
          + "detector's input is " + extractor.preprocessing() + "; prepare them with this detector");
    }
    return scoreSource(model, () -> FeatureExtractor.prepared(images.images(), extractor.preprocessing()), false,
        images.skipped());
  }

  /** How a scoring call gets its source, inside the call (an {@link Images} resolves against the extractor). */
  @FunctionalInterface
  private interface SourceSupplier {
    FeatureExtractor.ImageSource get() throws Exception;
  }

  private Scores scoreSource(FittedModel model, SourceSupplier sourceOf, boolean skipUnreadable,
      List<Skipped> skippedBefore) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(model, "model");
    Jobs.ScoreOutcome scored;
    StageTimes times = new StageTimes();
    enter();
    try {
      Bound graph = bound(model);
      scored = Jobs.score(graph.extractor(), model.internal(), sourceOf.get(), skipUnreadable, progress, times);
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    List<Score> out = new ArrayList<>(scored.scores().size());
    for (ScoredImage s : scored.scores()) {
      out.add(score(model, s.path().toString(), s.score()));
    }
    List<Skipped> skipped = new ArrayList<>(skippedBefore);
    skipped.addAll(Skipped.of(scored.skipped()));
    return new Scores(out, skipped, new StageTimings(Duration.ofNanos(times.decodeNanos()),
        Duration.ofNanos(times.backboneNanos()), Duration.ofNanos(times.statisticsNanos())));
  }

  /** The public score of one image's internal one. */
  private static Score score(FittedModel model, String name, org.maha.model.AnomalyScore s) {
    List<String> levels = model.levels();
    Map<String, Double> distances = new LinkedHashMap<>();
    for (int l = 0; l < levels.size(); l++) {
      distances.put(levels.get(l), s.levelDistance(l));
    }
    double score = s.score();
    return new Score(name, score, distances, model.threshold(),
        model.internal().threshold().map(c -> c.pValue(score)).orElse(OptionalDouble.empty()));
  }

  /**
   * Scores every image of {@code images} and gives each its anomaly map: where in the image the model sees the
   * anomaly ({@link AnomalyMap}: one value per pixel of the image as decoded, on the model's fixed display scale).
   * Each image's {@link AnomalyMap#score()} equals its {@link #scoreAll} score. The model must have been read with
   * its maps ({@link FittedModel#loadWithMaps}). Costs the Mahalanobis distance at every grid position on top of
   * scoring, and 4 bytes per image pixel for each map returned.
   *
   * @param model a model with anomaly maps, fitted with this detector's backbone
   * @param images the images, in any form
   * @return one map per image read, in input order (unmodifiable); with {@link Images#skippingUnreadable()} the
   *     unreadable images are left out
   * @throws MahaException when the model has no maps loaded, was fitted with another backbone, or its maps need a
   *     level this detector's backbone does not give at their size; when an image cannot be read (naming it) and
   *     the images do not skip unreadable ones; or when this heap cannot decode an image now
   */
  public List<AnomalyMap> anomalyMaps(FittedModel model, Images images) throws MahaException {
    ensureOpen();
    Objects.requireNonNull(model, "model");
    MapModel maps = model.mapModel();
    if (maps == null) {
      throw new MahaException(model.name() + (model.hasMaps() ? ": its anomaly maps were not read; load it with "
          + "FittedModel.loadWithMaps" : ": has no anomaly maps; fit it with maha fit --maps"), null);
    }
    MapScale scale = model.mapScale();
    List<AnomalyMap> out = new ArrayList<>();
    enter();
    try {
      Bound graph = bound(model);
      try {
        maps.levelIndices(graph.backbone().spec(), graph.backbone().levelGrids());
      } catch (IllegalArgumentException e) {
        throw new MahaException(model.name() + ": " + e.getMessage(), null);
      }
      MapJobs.score(graph.extractor(), model.internal(), maps, images.source(graph.extractor()),
          images.skipsUnreadable(), progress,
          (i, m) -> {
            double[] d = m.map();
            float[] values = new float[d.length];
            for (int k = 0; k < d.length; k++) {
              values[k] = (float) d[k];
            }
            out.add(new AnomalyMap(score(model, m.path().toString(), m.score()), m.width(), m.height(), values,
                scale));
          });
    } catch (Exception e) {
      throw MahaException.wrap(e);
    } finally {
      leave();
    }
    return java.util.Collections.unmodifiableList(out);
  }

  /**
   * Checks, without scoring, that {@code model} can be scored with this detector: fitted with the same backbone
   * graph (SHA-256), levels, input size and normalisation. A service checks a model this way before it serves it.
   *
   * @param model a fitted model
   * @throws MahaException naming the model and what differs
   * @throws IllegalStateException when the detector is closed
   */
  public void checkCompatible(FittedModel model) throws MahaException {
    ensureOpen();
    enter();
    try {
      bound(model);
    } finally {
      leave();
    }
  }

  /**
   * The backbone's name, as recorded in the models this detector fits.
   *
   * @return the backbone's name
   */
  public String backboneName() {
    return backbone.spec().name();
  }

  /**
   * The backbone's level names, in order.
   *
   * @return the level names (unmodifiable)
   */
  public List<String> levels() {
    return backbone.spec().levelNames();
  }

  /**
   * Warnings from opening the backbone that an application should show or log (maha never prints), e.g. that a
   * weights file is not the official one and so is unverified. Usually empty.
   *
   * @return the warnings, usually none (unmodifiable)
   */
  public List<String> warnings() {
    return notes;
  }

  /**
   * Releases the native session, after waiting for the calls in progress, which finish normally; calls made once
   * it has begun throw {@link IllegalStateException}. Safe to call more than once. Not from a {@link Progress}
   * listener of this detector: that runs inside a call, which close would wait for.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        backbone.close();
        synchronized (int8Graphs) {
          int8Graphs.values().forEach(b -> b.backbone().close());
          int8Graphs.clear();
        }
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Fails fast, before any work, on a closed detector (the check that counts is {@link #enter()}'s). */
  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("this Detector is closed; build a new one to fit or score");
  }

  /** Enters a call that uses the session: {@link #close()} waits until it is {@link #leave() left}. */
  private void enter() {
    lifecycle.readLock().lock();
    if (closed) {
      lifecycle.readLock().unlock();
      throw closedException();
    }
  }

  private void leave() {
    lifecycle.readLock().unlock();
  }

  /**
   * The graph {@code model} was fitted through, checked against it: this detector's float32 graph, or the int8 graph
   * its calibration describes, rebuilt from this detector's file on first use and kept. Call inside
   * {@link #enter()}.
   */
  private Bound bound(FittedModel model) throws MahaException {
    Objects.requireNonNull(model, "model");
    try {
      org.maha.backbone.BackboneSpec fitted = model.internal().info().backbone();
      Bound graph = floatGraph;
      if (fitted.isInt8()) {
        ModelCompatibility.checkSha256(model.internal(), backbone.spec().onnxSha256(), model.name(), backboneLabel);
        String key = fitted.int8().graphSha256();
        synchronized (int8Graphs) {
          graph = int8Graphs.get(key);
          if (graph == null) {
            OnnxBackbone rebuilt;
            try {
              rebuilt = Int8Quantization.rebuild(backbonePath, backboneOptions, fitted.int8());
            } catch (org.maha.backbone.BackboneException e) {
              throw new org.maha.backbone.BackboneException(model.name() + ": its int8 graph: " + e.getMessage(), e);
            }
            graph = keep(key, rebuilt);
          }
        }
      }
      ModelCompatibility.check(model.internal(), graph.backbone().spec(), model.name(), backboneLabel);
      return graph;
    } catch (Exception e) {
      throw MahaException.wrap(e);
    }
  }

  /**
   * An int8 graph of this detector's file, calibrated on {@code calibrationImages} (see {@link FitOptions#withInt8}),
   * kept for the models fitted through it; a warning goes to {@code warnings} when its features are far from the
   * float graph's on those images. Call inside {@link #enter()}.
   */
  private Bound int8(Images calibrationImages, List<String> warnings) throws Exception {
    FeatureExtractor.ImageSource source = calibrationImages.source(extractor);
    int most = Int8Quantization.MAX_CALIBRATION_IMAGES;
    if (source.size() != FeatureExtractor.ImageSource.UNKNOWN_SIZE && source.size() > most) {
      throw new IllegalArgumentException("int8: " + source.size() + " calibration images (" + calibrationImages
          .description() + "), at most " + most + "; a few dozen suffice");
    }
    List<org.maha.pipeline.Skipped> skipped = new ArrayList<>();
    List<FeatureExtractor.Named> images = extractor.prepare(source.firstOf(most + 1),
        calibrationImages.skipsUnreadable(), skipped);
    if (images.isEmpty() || images.size() > most) {
      throw new FitException("int8: " + (images.isEmpty() ? "no readable calibration image"
          : "more than " + most + " calibration images; a few dozen suffice") + " (" + calibrationImages.description()
          + ")");
    }
    int per = extractor.preprocessing().floatsPerImage();
    float[] nchw = new float[Math.multiplyExact(images.size(), per)];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i).prepared().chw(), 0, nchw, i * per, per);
    }
    progress.progress("int8: calibrating on " + images.size() + " images", 0, 1);
    Int8Quantization.Quantized q = Int8Quantization.open(backbonePath, backboneOptions, nchw, images.size());
    progress.progress("int8: calibrating on " + images.size() + " images", 1, 1);
    String key = q.backbone().spec().int8().graphSha256();
    Bound graph;
    synchronized (int8Graphs) {
      graph = int8Graphs.get(key);
      if (graph == null) {
        graph = keep(key, q.backbone());
      } else {
        q.backbone().close(); // the same calibration again: the same graph
      }
    }
    if (q.summary().worstDifference() > INT8_WARN_DIFFERENCE) {
      warnings.add(String.format(Locale.ROOT, "int8: features differ from the float32 graph's by up to %.0f %% "
          + "of their range on the calibration images (%s); check the model's accuracy against a float32 fit",
          100 * q.summary().worstDifference(), q.summary()));
    }
    return graph;
  }

  /** Above this, int8 features are far enough from float32 ones that an application should say so. */
  static final double INT8_WARN_DIFFERENCE = 0.1;

  /** Keeps {@code opened} under {@code key}; closes it and refuses when {@link #MAX_INT8_GRAPHS} are held. */
  private Bound keep(String key, OnnxBackbone opened) throws MahaException {
    if (int8Graphs.size() >= MAX_INT8_GRAPHS) {
      opened.close();
      throw new MahaException("this detector already holds " + MAX_INT8_GRAPHS + " int8 graphs (one per "
          + "calibration); score models of other calibrations with another detector", null);
    }
    Bound b = new Bound(opened, new FeatureExtractor(opened, limits, decodeThreads));
    int8Graphs.put(key, b);
    return b;
  }

  /**
   * Named options for a {@link Detector} (as DJL's {@code Criteria}): set what differs from the defaults, then
   * {@link #build()}. Not thread-safe; each setter returns this builder.
   */
  public static final class Builder {
    private Path onnx;
    private String catalogName;
    private Path weights;
    private Path cacheFolder;
    private List<String> levels = List.of();
    private String normalization;
    private int threads;
    private int batchSize = BackboneOptions.DEFAULT_MAX_BATCH;
    private int parallelImages = 1;
    private int decodeThreads = 2;
    private long maxImagePixels = DecodeLimits.DEFAULT.maxPixels();
    private long maxEncodedBytes = -1;
    private Progress progress = Progress.NONE;

    private Builder() {}

    /**
     * The backbone as an ONNX file (a CNN whose graph outputs include the feature maps to pool). Known files
     * (maha's exported MobileNetV2) bring their levels and normalisation; for others give {@link #levels}.
     *
     * @param onnxFile the ONNX graph
     * @return this builder
     */
    public Builder onnx(Path onnxFile) {
      this.onnx = Objects.requireNonNull(onnxFile, "onnxFile");
      return this;
    }

    /**
     * A backbone from maha's catalog, e.g. {@code resnet18} or {@code efficientnet-b4} (the names
     * {@code maha backbones list} shows): its graph is built from the official weights, downloaded and verified on
     * first use and cached (see {@link #cacheFolder}), or from {@link #weights}. Levels and normalisation default
     * to the catalog's.
     *
     * @param catalogName a catalog name, e.g. {@code resnet18}
     * @return this builder
     */
    public Builder named(String catalogName) {
      this.catalogName = Objects.requireNonNull(catalogName, "catalogName");
      return this;
    }

    /**
     * With {@link #named}: build from this local weights file instead of downloading. The official file is
     * verified; any other is used and reported in {@link Detector#warnings()}.
     *
     * @param weightsFile a PyTorch, safetensors or TFLite weights file of that backbone
     * @return this builder
     */
    public Builder weights(Path weightsFile) {
      this.weights = Objects.requireNonNull(weightsFile, "weightsFile");
      return this;
    }

    /**
     * With {@link #named}: where weights and built graphs are cached. Default: $MAHA_HOME, else ~/.cache/maha.
     *
     * @param folder the cache folder
     * @return this builder
     */
    public Builder cacheFolder(Path folder) {
      this.cacheFolder = Objects.requireNonNull(folder, "folder");
      return this;
    }

    /**
     * The graph outputs to use as levels, e.g. {@code "s1", "s2", "pooled"}; default: the preset's or catalog's.
     *
     * @param outputNames graph output names, shallow to deep
     * @return this builder
     */
    public Builder levels(String... outputNames) {
      this.levels = List.copyOf(Arrays.asList(outputNames));
      return this;
    }

    /**
     * The input normalisation the backbone was trained with: {@code imagenet} (mean/std) or {@code minus1to1}
     * ({@code x/127.5 - 1}). Default: the preset's or catalog's, else {@code imagenet}.
     *
     * @param name {@code imagenet} or {@code minus1to1}
     * @return this builder
     * @throws IllegalArgumentException for another name
     */
    public Builder normalization(String name) {
      Normalization.parse(Objects.requireNonNull(name, "name"));
      this.normalization = name;
      return this;
    }

    /**
     * ONNX Runtime's threads for one inference; 0 (default) lets it use one per physical core, or one when
     * {@link #parallelImages} is above 1.
     *
     * @param threads 0 to {@value BackboneOptions#MAX_THREADS}
     * @return this builder
     */
    public Builder threads(int threads) {
      this.threads = BackboneOptions.requireThreads("threads", threads, 0);
      return this;
    }

    /**
     * Most images per inference call (default {@value BackboneOptions#DEFAULT_MAX_BATCH}): larger is faster per
     * image, up to a point, and uses more memory.
     *
     * @param images 1 to {@value BackboneOptions#MAX_BATCH}
     * @return this builder
     */
    public Builder batchSize(int images) {
      this.batchSize = BackboneOptions.requireMaxBatch("batchSize", images);
      return this;
    }

    /**
     * Inference calls run at once, each on its own batch of {@link #batchSize} images with one ONNX Runtime thread
     * (unless {@link #threads} says otherwise), instead of one call at a time with its operators split over the
     * cores (default 1). For throughput on many images: on 2 cores, 2 parallel images of batch 1 ran EfficientNet-B0
     * at 1.7-1.9 times, MobileNetV2 1.3 times and ResNet-18 1.05-1.2 times the images per second of the default
     * (README "Benchmarks"). Costs latency for a single image (it runs on one thread), so keep 1 for a camera loop
     * scoring one frame at a time. Calls with at most one batch of images run as one call.
     *
     * @param images 1 to {@value BackboneOptions#MAX_THREADS}, e.g. the number of cores
     * @return this builder
     */
    public Builder parallelImages(int images) {
      this.parallelImages = BackboneOptions.requireThreads("parallelImages", images, 1);
      return this;
    }

    /**
     * Threads that decode and resize images ahead of inference, per call (default 2).
     *
     * @param threads 1 to {@value BackboneOptions#MAX_THREADS}
     * @return this builder
     */
    public Builder decodeThreads(int threads) {
      this.decodeThreads = BackboneOptions.requireThreads("decodeThreads", threads, 1);
      return this;
    }

    /**
     * The largest image accepted, in pixels (default 100 million): an image claiming more is refused before any
     * pixel memory is allocated, so a hostile file cannot exhaust the heap.
     *
     * @param pixels width × height, at least 1
     * @return this builder
     */
    public Builder maxImagePixels(long pixels) {
      new DecodeLimits(pixels); // validates
      this.maxImagePixels = pixels;
      return this;
    }

    /**
     * The largest encoded file or byte array accepted (default: derived from {@link #maxImagePixels}).
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder maxEncodedBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxEncodedBytes: expected >= 1, found " + bytes);
      }
      this.maxEncodedBytes = bytes;
      return this;
    }

    /**
     * Receives progress of fitting and scoring (default: ignored).
     *
     * @param listener called as work proceeds
     * @return this builder
     */
    public Builder progress(Progress listener) {
      this.progress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Opens the backbone (building a named one first, which may download its weights once) and returns the
     * detector that owns it.
     *
     * @return an open detector; close it
     * @throws MahaException when the backbone cannot be opened or built (naming the file or name and the problem)
     * @throws IllegalStateException when no backbone, or both an ONNX file and a name, were given, or
     *     {@link #weights}/{@link #cacheFolder} without {@link #named}
     */
    public Detector build() throws MahaException {
      if ((onnx == null) == (catalogName == null)) {
        throw new IllegalStateException("give one backbone: onnx(file) or named(catalogName)"
            + (onnx == null ? "" : ", not both"));
      }
      if (catalogName == null && (weights != null || cacheFolder != null)) {
        throw new IllegalStateException("weights(...) and cacheFolder(...) need named(catalogName)");
      }
      DecodeLimits limits = maxEncodedBytes < 0 ? new DecodeLimits(maxImagePixels)
          : new DecodeLimits(maxImagePixels, maxEncodedBytes);
      try {
        Path file = onnx;
        List<String> lv = levels;
        Normalization norm = normalization == null ? null : Normalization.parse(normalization);
        List<String> notes = new ArrayList<>();
        if (catalogName != null) {
          BuiltGraph g = buildNamed();
          g.note().ifPresent(notes::add);
          file = g.onnx();
          lv = lv.isEmpty() ? g.levelNames() : lv;
          norm = norm == null ? g.entry().normalization() : norm;
        }
        BackboneOptions options = new BackboneOptions(lv, norm, threads, batchSize, parallelImages);
        OnnxBackbone backbone = OnnxBackbone.open(file, options);
        return new Detector(backbone, options, limits, decodeThreads, file, progress, notes);
      } catch (Exception e) {
        throw MahaException.wrap(e);
      }
    }

    private BuiltGraph buildNamed() throws Exception {
      Catalog catalog = Catalog.official();
      CatalogEntry entry = catalog.find(catalogName).orElseThrow(() -> new IllegalArgumentException(
          "unknown backbone '" + catalogName + "' (known: " + String.join(", ", catalog.names()) + ")"));
      WeightCache cache = new WeightCache(cacheFolder != null ? cacheFolder : WeightCache.defaultRoot());
      BackboneZoo zoo = new BackboneZoo(cache);
      DownloadListener download = (done, total) -> progress.progress("download " + catalogName, done, total);
      return weights != null ? zoo.fromFile(entry, weights, Map.of()) : zoo.official(entry, Map.of(), download);
    }
  }
}
