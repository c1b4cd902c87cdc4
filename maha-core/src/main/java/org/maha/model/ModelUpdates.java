package org.maha.model;

import java.util.ArrayList;
import java.util.List;
import org.maha.backbone.BackboneSpec;
import org.maha.stats.ScatterStatistics;

/**
 * Models that learn more good images without the old ones: {@code maha update} (a model plus new images) and
 * {@code maha merge} (models fitted apart on the same backbone). Both continue from the models' exact
 * {@link TrainingStatistics}, so the result is the model a single fit on the union of the images gives (equal up
 * to rounding, in any order and any split; see {@link ScatterStatistics#merge}).
 *
 * <p>Two things do not carry over. A calibrated threshold is dropped: it is a quantile of held-out images' scores
 * under the old Gaussians, and those scores change with the model, so its false-positive guarantee would no longer
 * hold (recalibrate with {@code maha fit --calibrate} on the union). And PCA/NPCA models cannot be updated: their
 * Ledoit–Wolf shrinkage is computed in the kept subspace W, which needs Σ‖W(x − μ)‖⁴ over the training rows; W
 * changes when images are added, and that fourth moment for a new W does not follow from any statistics of size
 * O(D²) (it needs the full D⁴ fourth-moment tensor), so an exact update would need the rows themselves.
 */
public final class ModelUpdates {
  private ModelUpdates() {}

  /** A model read from a file, with what its history records about that file. */
  public record Source(GaussianAdModel model, String file, String sha256) {}

  /**
   * Refuses, in one line naming the file, a model that cannot be updated or merged: one without training
   * statistics (format version 1, written before they were kept) or a PCA/NPCA model, or one whose statistics,
   * deferred when the model was read ({@link TrainingStatistics#load()}), are read now and found damaged.
   */
  public static void requireUpdatable(GaussianAdModel model, String file) throws ModelFileException {
    if (model.variant().needsRows()) {
      throw new ModelFileException(file + ": a " + model.variant().id() + " model cannot be updated or merged: its "
          + "subspace Gaussian needs the training images themselves; fit it again on all the images");
    }
    if (model.trainingStatistics().isEmpty()) {
      throw new ModelFileException(file + ": this model file keeps no training statistics (model format version 1, "
          + "written by an older maha), so it cannot be updated or merged; fit it again on its images");
    }
    model.statistics().load();
  }

  /**
   * The model {@code fitted} (from {@link GaussianAdFitter#resume} of {@code base}, with {@code added} new images
   * from {@code source}) with its provenance and history: training source "old + new", the update step recorded
   * with the base file's name and hash and the digest of the added images (null: unknown); no calibration (see
   * the class comment).
   */
  public static GaussianAdModel updated(GaussianAdModel fitted, Source base, String source, long added,
      ImageSetDigest images) {
    ModelInfo old = base.model().info();
    ModelInfo info = ModelInfo.now(old.backbone(), old.backboneFile(), fitted.variant(),
        TrainingStatistics.joinSources(old.trainSource(), source), fitted.info().nTrain());
    TrainingStatistics stats = fitted.statistics().withStep(
        TrainingStatistics.Step.now("update", source, added, base.file(), base.sha256(), images));
    return new GaussianAdModel(info, fitted.variant(), fitted.levels(), null, stats);
  }

  /**
   * The model of the union of the images behind {@code sources} (at least two), fitted from their merged
   * statistics; see {@link Merger}.
   *
   * @param warnings receives the fit's notes (e.g. constant features left out of SED)
   * @throws ModelFileException one line naming the first source that cannot be merged with the first, and why
   */
  public static GaussianAdModel merge(List<Source> sources, List<String> warnings) throws ModelFileException,
      FitException {
    if (sources.size() < 2) {
      throw new IllegalArgumentException("merge needs at least 2 models, got " + sources.size());
    }
    Merger merger = new Merger(sources.get(0));
    for (Source s : sources.subList(1, sources.size())) {
      merger.add(s);
    }
    return merger.result(warnings);
  }

  /**
   * Merges models one at a time, keeping only the running statistics and the first model's provenance, so that
   * memory does not grow with the number of models (a caller reads each file, adds it, and lets it go). The
   * history is each source's history, then one {@code merge} step per source (file, hash, count).
   */
  public static final class Merger {
    private final ModelInfo info;
    private final Variant variant;
    private final String firstFile;
    private final List<ScatterStatistics> merged;
    private final List<TrainingStatistics.Step> history;
    private final List<TrainingStatistics.Step> steps = new ArrayList<>();
    /** The sources' training sources joined ({@link TrainingStatistics#joinSources}: bounded). */
    private String trainSource;
    /** The fits and updates already in, by id, with the file that brought each. */
    private final java.util.Map<String, String> imageSteps = new java.util.HashMap<>();

    /** Starts from {@code first}, which must be updatable. */
    public Merger(Source first) throws ModelFileException {
      requireUpdatable(first.model(), first.file());
      info = first.model().info();
      variant = first.model().variant();
      firstFile = first.file();
      merged = new ArrayList<>(first.model().statistics().levels());
      history = new ArrayList<>(first.model().statistics().history());
      note(first);
    }

    /** Adds {@code s}: updatable, and of the first model's backbone, levels, variant and normalisation. */
    public void add(Source s) throws ModelFileException {
      requireUpdatable(s.model(), s.file());
      requireSameKind(info, variant, firstFile, s);
      TrainingStatistics st = s.model().statistics();
      for (TrainingStatistics.Step step : st.history()) {
        String other = step.addsImages() ? imageSteps.get(step.id()) : null;
        if (other != null) {
          throw new ModelFileException(s.file() + ": cannot be merged with " + other + ": both hold the images of the "
              + step.action() + " of " + step.source() + " (" + step.n() + " images, " + step.at() + "), which "
              + "would count twice");
        }
      }
      for (int l = 0; l < merged.size(); l++) {
        merged.set(l, merged.get(l).merge(st.levels().get(l)));
      }
      history.addAll(st.history());
      note(s);
    }

    private void note(Source s) {
      for (TrainingStatistics.Step step : s.model().statistics().history()) {
        if (step.addsImages()) {
          imageSteps.putIfAbsent(step.id(), s.file());
        }
      }
      steps.add(TrainingStatistics.Step.now("merge", s.model().info().trainSource(), s.model().statistics().n(),
          s.file(), s.sha256(), s.model().statistics().imagesDigest()));
      String t = s.model().info().trainSource();
      trainSource = trainSource == null ? t : TrainingStatistics.joinSources(trainSource, t);
    }

    /** The model of every image added so far, fitted from the merged statistics. */
    public GaussianAdModel result(List<String> warnings) throws FitException {
      List<TrainingStatistics.Step> all = new ArrayList<>(history);
      all.addAll(steps);
      GaussianAdFitter fitter = new GaussianAdFitter(info.backbone(), info.backboneFile(), variant,
          new TrainingStatistics(merged, all));
      GaussianAdModel model = fitter.fit(trainSource);
      warnings.addAll(fitter.warnings());
      return model;
    }
  }

  /** Same backbone (file hash, levels, sizes, input, normalisation) and the same variant, or one line why not. */
  private static void requireSameKind(ModelInfo a, Variant variant, String aFile, Source b)
      throws ModelFileException {
    BackboneSpec x = a.backbone();
    BackboneSpec y = b.model().info().backbone();
    String why = null;
    if (!x.onnxSha256().equals(y.onnxSha256())) {
      why = "its backbone " + y.name() + " (sha256 " + abbrev(y.onnxSha256()) + ") differs from " + x.name()
          + " (sha256 " + abbrev(x.onnxSha256()) + ")";
    } else if (!x.levelNames().equals(y.levelNames()) || !x.levelDims().equals(y.levelDims())) {
      why = "its levels " + y.levelNames() + " " + y.levelDims() + " differ from " + x.levelNames() + " "
          + x.levelDims();
    } else if (!variant.id().equals(b.model().variant().id())) {
      why = "its variant " + b.model().variant().id() + " differs from " + variant.id();
    } else if (x.normalization() != y.normalization()) {
      why = "its normalisation " + y.normalization().id() + " differs from " + x.normalization().id();
    } else if (x.inputSizePx() != y.inputSizePx() || !x.inputName().equals(y.inputName())) {
      why = "its input (" + y.inputName() + ", " + y.inputSizePx() + " px) differs from (" + x.inputName() + ", "
          + x.inputSizePx() + " px)";
    } else if (!java.util.Objects.equals(x.int8(), y.int8())) {
      why = "it was fitted through " + (y.isInt8() ? "the int8 graph " + abbrev(y.int8().graphSha256()) : "the "
          + "float32 graph") + ", " + aFile + " through " + (x.isInt8() ? "the int8 graph "
          + abbrev(x.int8().graphSha256()) : "the float32 graph") + " (features of different graphs do not add up)";
    }
    if (why != null) {
      throw new ModelFileException(b.file() + ": cannot be merged with " + aFile + ": " + why);
    }
  }

  private static String abbrev(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
