package org.maha.model;

import java.util.ArrayList;
import java.util.List;
import org.maha.backbone.BackboneSpec;
import org.maha.stats.CovarianceAccumulator;

/**
 * Learns a {@link GaussianAdModel} from pooled features, one image at a time. For mvg, l2 and sed it keeps
 * only streaming sums per level (memory independent of the number of images); PCA variants keep the rows,
 * since the projected Ledoit-Wolf estimate needs them. The sums go into the model ({@link TrainingStatistics}),
 * and {@link #resume} continues from them. Mutable and single-threaded; {@link #fit} freezes.
 */
public final class GaussianAdFitter {
  private final BackboneSpec backbone;
  private final String backboneFile;
  private final Variant variant;
  private final List<CovarianceAccumulator> sums = new ArrayList<>();
  private final List<List<double[]>> rows = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private long count;
  /** The digest of the images a fresh fitter's fit step records (null: unknown); see {@link #recordImages}. */
  private ImageSetDigest images;
  /** The history of the statistics this fitter was resumed from; null for a fresh fitter. */
  private final List<TrainingStatistics.Step> resumedHistory;

  /** @param backboneFile the ONNX file path to record as a hint in the model (may be null) */
  public GaussianAdFitter(BackboneSpec backbone, String backboneFile, Variant variant) {
    this.backbone = backbone;
    this.backboneFile = backboneFile;
    this.variant = variant;
    this.resumedHistory = null;
    for (int d : backbone.levelDims()) {
      if (variant.needsRows()) {
        rows.add(new ArrayList<>());
      } else {
        sums.add(new CovarianceAccumulator(d));
      }
    }
  }

  /**
   * A fitter that continues from {@code model}'s training statistics, as if the images it was fitted on had been
   * added to it: adding more images and calling {@link #fit} gives the model of all of them.
   *
   * @throws IllegalArgumentException if the model keeps no statistics ({@link ModelUpdates#requireUpdatable})
   */
  public static GaussianAdFitter resume(GaussianAdModel model) {
    TrainingStatistics stats = model.trainingStatistics().orElseThrow(
        () -> new IllegalArgumentException("the model keeps no training statistics"));
    return new GaussianAdFitter(model.info().backbone(), model.info().backboneFile(), model.variant(), stats);
  }

  /**
   * A fitter holding {@code stats} (statistics merged from parts of the data fitted apart, e.g. the partitions of a
   * distributed fit) and their history: {@link #fit} then gives the model a fit on all those rows gives. For mvg,
   * l2 and sed; {@code stats} must have one entry per level of {@code backbone}, of its dimension.
   *
   * @throws IllegalArgumentException if the variant needs the rows, or the statistics do not fit the backbone
   */
  public static GaussianAdFitter fromStatistics(BackboneSpec backbone, String backboneFile, Variant variant,
      TrainingStatistics stats) {
    List<Integer> dims = backbone.levelDims();
    if (stats.levels().size() != dims.size()) {
      throw new IllegalArgumentException("expected statistics of " + dims.size() + " levels, got "
          + stats.levels().size());
    }
    for (int i = 0; i < dims.size(); i++) {
      if (stats.levels().get(i).dim() != dims.get(i)) {
        throw new IllegalArgumentException("level " + i + ": expected statistics of dimension " + dims.get(i)
            + ", got " + stats.levels().get(i).dim());
      }
    }
    return new GaussianAdFitter(backbone, backboneFile, variant, stats);
  }

  GaussianAdFitter(BackboneSpec backbone, String backboneFile, Variant variant, TrainingStatistics stats) {
    if (variant.needsRows()) {
      throw new IllegalArgumentException(variant.id() + " needs the training rows, not statistics");
    }
    this.backbone = backbone;
    this.backboneFile = backboneFile;
    this.variant = variant;
    this.resumedHistory = stats.history();
    for (org.maha.stats.ScatterStatistics s : stats.levels()) {
      sums.add(CovarianceAccumulator.of(s));
    }
    this.count = stats.n();
  }

  /**
   * Sets the digest of the images added, which a fresh fitter's model records in its {@code fit} history step
   * (a resumed fitter keeps the history it resumed; its caller records the new step).
   */
  public void recordImages(ImageSetDigest digest) {
    this.images = digest;
  }

  /** Adds one training image's features (one vector per level). Copied; not modified. */
  public void add(double[][] levelFeatures) {
    List<Integer> dims = backbone.levelDims();
    if (levelFeatures.length != dims.size()) {
      throw new IllegalArgumentException("expected " + dims.size() + " levels, got " + levelFeatures.length);
    }
    for (int i = 0; i < levelFeatures.length; i++) {
      if (levelFeatures[i].length != dims.get(i)) {
        throw new IllegalArgumentException(
            "level " + i + ": expected " + dims.get(i) + " features, got " + levelFeatures[i].length);
      }
      if (variant.needsRows()) {
        rows.get(i).add(levelFeatures[i].clone());
      } else {
        sums.get(i).add(levelFeatures[i]);
      }
    }
    count++;
  }

  public long count() {
    return count;
  }

  /**
   * Notes from the last {@link #fit} (e.g. constant features left out of SED, or too few images for the χ²
   * thresholds: {@link ThresholdReliability}).
   */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Fits every level. The fitter stays usable (more images may be added and fit called again). */
  public GaussianAdModel fit(String trainSource) throws FitException {
    warnings.clear();
    if (count < 2) {
      throw new FitException("need at least 2 training images to fit a model, got " + count);
    }
    List<LevelModel> levels = new ArrayList<>();
    List<String> names = backbone.levelNames();
    for (int i = 0; i < names.size(); i++) {
      if (variant.needsRows()) {
        levels.add(LevelFitter.fitRows(variant, rows.get(i).toArray(new double[0][]), names.get(i), warnings));
      } else {
        levels.add(LevelFitter.fit(variant, sums.get(i), names.get(i), warnings));
      }
    }
    TrainingStatistics statistics = null;
    if (!variant.needsRows()) { // the statistics a later update or merge continues from
      List<org.maha.stats.ScatterStatistics> perLevel = new ArrayList<>();
      sums.forEach(acc -> perLevel.add(acc.statistics()));
      statistics = new TrainingStatistics(perLevel, resumedHistory != null ? resumedHistory
          : List.of(TrainingStatistics.Step.now("fit", trainSource, count, null, null, images)));
    }
    GaussianAdModel model = new GaussianAdModel(ModelInfo.now(backbone, backboneFile, variant, trainSource, count),
        variant, levels, null, statistics);
    ThresholdReliability.fitWarning(model).ifPresent(warnings::add);
    return model;
  }

  /**
   * A Gaussian on components [range[0], range[1]) of an existing PCA of {@code rows} (n × d, not modified): lets a
   * sweep over variance thresholds compute the PCA once.
   */
  public static LevelModel.Projected fitSubspace(org.maha.stats.PcaFit pca, int[] range, double[][] rows,
      String level) throws FitException {
    return LevelFitter.fitSubspace(pca, range, rows, level);
  }

  /**
   * The components [from, to) a PCA/NPCA variant keeps of {@code pca}, fitted on {@code n} rows, under the
   * variant's rule (maha's or the official slice; see {@link Variant.Pca}); degenerate cases are added to
   * {@code warnings}. Lets a sweep over thresholds select exactly as {@code fit} does.
   */
  public static int[] keptComponents(org.maha.stats.PcaFit pca, Variant.Pca variant, int n, String level,
      List<String> warnings) {
    return LevelFitter.keptComponents(pca, variant, n, level, warnings);
  }

  /** Whether component {@code k} of {@code pca} is numerically null (no variance on the rows it was fitted on). */
  public static boolean isNullComponent(org.maha.stats.PcaFit pca, int k) {
    return LevelFitter.isNull(pca.explainedVariance(), k);
  }

  /**
   * Fits several variants on the same rows ({@code levelRows[level][image]}), accumulating each level's sums once
   * for all of mvg, l2 and sed. Models come back in the order of {@code variants}.
   */
  public static List<GaussianAdModel> fitRowsAll(BackboneSpec backbone, String backboneFile, List<Variant> variants,
      double[][][] levelRows, String trainSource, List<String> warningsOut) throws FitException {
    List<String> names = backbone.levelNames();
    List<List<LevelModel>> perVariant = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      perVariant.add(new ArrayList<>());
    }
    for (int l = 0; l < names.size(); l++) {
      CovarianceAccumulator acc = null;
      for (int v = 0; v < variants.size(); v++) {
        Variant variant = variants.get(v);
        if (variant.needsRows()) {
          perVariant.get(v).add(LevelFitter.fitRows(variant, levelRows[l], names.get(l), warningsOut));
          continue;
        }
        if (acc == null) {
          acc = new CovarianceAccumulator(backbone.levelDims().get(l));
          for (double[] r : levelRows[l]) {
            acc.add(r);
          }
        }
        perVariant.get(v).add(LevelFitter.fit(variant, acc, names.get(l), warningsOut));
      }
    }
    List<GaussianAdModel> out = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      out.add(new GaussianAdModel(ModelInfo.now(backbone, backboneFile, variants.get(v), trainSource,
          levelRows[0].length), variants.get(v), perVariant.get(v)));
    }
    return out;
  }

  /**
   * Fits a model from rows already in memory: {@code levelRows[level][image]}. Used by evaluation, which
   * extracts features once and fits several variants on them.
   */
  public static GaussianAdModel fitRows(BackboneSpec backbone, String backboneFile, Variant variant,
      double[][][] levelRows, String trainSource, List<String> warningsOut) throws FitException {
    List<LevelModel> levels = new ArrayList<>();
    List<String> names = backbone.levelNames();
    for (int i = 0; i < names.size(); i++) {
      levels.add(LevelFitter.fitRows(variant, levelRows[i], names.get(i), warningsOut));
    }
    return new GaussianAdModel(
        ModelInfo.now(backbone, backboneFile, variant, trainSource, levelRows[0].length), variant, levels);
  }
}
