package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.augment.AugmentationRules;
import org.maha.backbone.BackboneSpec;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.eval.Auroc;
import org.maha.eval.ConformalThreshold;
import org.maha.eval.Rates;
import org.maha.eval.Thresholds;
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;

/**
 * {@code maha evaluate}: per category, extract the training and test features once, fit every requested
 * variant on the training features, score the test images, and compute image-level AUROC per level and for
 * the combined score (PAPER §1.8, quick protocol: the whole train/good folder, one fit).
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * How the training images are used (PAPER §1.2): the paper's protocol fits on 80 % of {@code train/good} for
   * each of 5 folds of scikit-learn's {@code KFold(5, shuffle=True, random_state=0)} and averages the AUROCs over
   * folds; the quick protocol fits once on all of {@code train/good}.
   */
  public record Protocol(int folds, long seed, double calibrationFpr, int augmentPasses, long augmentSeed) {
    /** Default target false-positive rate of the thresholds calibrated on held-out good images. */
    public static final double DEFAULT_CALIBRATION_FPR = 0.05;

    /**
     * @param augmentPasses 0: fit on the training images as they are; N &gt; 0: fit on N augmented copies of each
     *     (PAPER §1.9, the MVTec category's rules), seeded by {@code augmentSeed}
     */
    public Protocol {
      if (folds < 1) {
        throw new IllegalArgumentException("folds must be at least 1, got " + folds);
      }
      if (!(calibrationFpr > 0 && calibrationFpr < 1)) {
        throw new IllegalArgumentException("calibration FPR must be in (0, 1), got " + calibrationFpr);
      }
      if (augmentPasses < 0) {
        throw new IllegalArgumentException("augmentation passes must be >= 0, got " + augmentPasses);
      }
    }

    public Protocol(int folds, long seed, double calibrationFpr) {
      this(folds, seed, calibrationFpr, 0, 0);
    }

    public Protocol(int folds, long seed) {
      this(folds, seed, DEFAULT_CALIBRATION_FPR);
    }

    /** One fit on every training image. */
    public static Protocol fullTrain() {
      return new Protocol(1, 0);
    }

    /** The paper's 5 folds, seed 0. */
    public static Protocol paper() {
      return new Protocol(5, 0);
    }

    /** This protocol with each fit on {@code passes} augmented copies of its images (0: none). */
    public Protocol withAugmentation(int passes, long seed) {
      return new Protocol(folds, this.seed, calibrationFpr, passes, seed);
    }

    public boolean isFullTrain() {
      return folds == 1;
    }

    public boolean augmented() {
      return augmentPasses > 0;
    }

    /** The augmentation of one category's training images under this protocol, or null without. */
    public TrainAugmentation augmentation(String category) {
      return augmented()
          ? new TrainAugmentation(augmentPasses, augmentSeed, AugmentationRules.forMvtecCategory(category)) : null;
    }

    public String describe() {
      String fit = isFullTrain() ? "fit on all train/good images, one run"
          : "KFold(" + folds + ", shuffle=True, random_state=" + seed + ") on the name-sorted train/good images: "
              + "fit on the other folds, test on the whole test folder, AUROC averaged over folds";
      return augmented() ? fit + "; each fit on " + augmentPasses + " augmented copies of its training images "
          + "(PAPER §1.9 per-category rules, seed " + augmentSeed + ")" : fit;
    }
  }

  /**
   * A threshold on the combined score set from the fold's held-out good training images only (split-conformal
   * quantile at {@code targetFpr}), and the false- and true-positive rates it gives on the test images.
   */
  public record FoldCalibration(double threshold, double targetFpr, int n, boolean guaranteed, double testFpr,
      double testTpr) {}

  /**
   * One fold's AUROCs and scores. {@code heldOut} are the training-image indices left out of this fit;
   * {@code calibration} is null when nothing was held out; {@code levelDof} is each level model's
   * {@link org.maha.model.LevelModel#chiSquareDof()} (empty when not recorded).
   */
  public record FoldResult(int fold, int[] heldOut, double[] levelAuroc, double combinedAuroc,
      List<ImageResult> images, FoldCalibration calibration, int[] levelDof) {
    public FoldResult(int fold, int[] heldOut, double[] levelAuroc, double combinedAuroc, List<ImageResult> images) {
      this(fold, heldOut, levelAuroc, combinedAuroc, images, null, new int[0]);
    }

    public FoldResult(int fold, int[] heldOut, double[] levelAuroc, double combinedAuroc, List<ImageResult> images,
        FoldCalibration calibration) {
      this(fold, heldOut, levelAuroc, combinedAuroc, images, calibration, new int[0]);
    }

    public FoldResult {
      heldOut = heldOut.clone();
      levelAuroc = levelAuroc.clone();
      images = List.copyOf(images);
      levelDof = levelDof.clone();
    }

    @Override
    public int[] levelDof() {
      return levelDof.clone();
    }

    @Override
    public int[] heldOut() {
      return heldOut.clone();
    }

    @Override
    public double[] levelAuroc() {
      return levelAuroc.clone();
    }
  }

  /** One test image's result under one variant. */
  public record ImageResult(Path path, String defectType, boolean anomalous, double score, double[] levelDistances) {
    public ImageResult {
      levelDistances = levelDistances.clone();
    }

    @Override
    public double[] levelDistances() {
      return levelDistances.clone();
    }
  }

  /**
   * AUROC per level and combined (means over folds) for one variant on one category, with every fold's
   * results; {@code images} are the first fold's test scores.
   */
  public record VariantResult(String variant, double[] levelAuroc, double combinedAuroc, List<ImageResult> images,
      List<FoldResult> folds) {
    public VariantResult {
      levelAuroc = levelAuroc.clone();
      images = List.copyOf(images);
      folds = List.copyOf(folds);
    }

    /** A single-fit result (the quick protocol). */
    public VariantResult(String variant, double[] levelAuroc, double combinedAuroc, List<ImageResult> images) {
      this(variant, levelAuroc, combinedAuroc, images,
          List.of(new FoldResult(0, new int[0], levelAuroc, combinedAuroc, images)));
    }

    /** Averages fold results (PAPER §1.8: mean over folds per category). */
    static VariantResult ofFolds(String variant, List<FoldResult> folds) {
      int levels = folds.get(0).levelAuroc().length;
      double[] mean = new double[levels];
      double combined = 0;
      for (FoldResult f : folds) {
        for (int l = 0; l < levels; l++) {
          mean[l] += f.levelAuroc()[l] / folds.size();
        }
        combined += f.combinedAuroc() / folds.size();
      }
      return new VariantResult(variant, mean, combined, folds.get(0).images(), folds);
    }

    @Override
    public double[] levelAuroc() {
      return levelAuroc.clone();
    }
  }

  /** Everything measured on one category. */
  public record CategoryResult(String category, int nTrain, int nTest, List<VariantResult> variants,
      List<Skipped> skipped, List<String> warnings) {
    public CategoryResult {
      variants = List.copyOf(variants);
      skipped = List.copyOf(skipped);
      warnings = List.copyOf(warnings);
    }
  }

  /** The quick protocol: one fit on all training images per category. */
  public static EvaluationReport run(FeatureExtractor extractor, List<MvtecCategory> categories,
      List<Variant> variants, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    return run(extractor, categories, variants, Protocol.fullTrain(), backboneFile, skipUnreadable, progress);
  }

  public static EvaluationReport run(FeatureExtractor extractor, List<MvtecCategory> categories,
      List<Variant> variants, Protocol protocol, String backboneFile, boolean skipUnreadable,
      ProgressListener progress) throws Exception {
    BackboneSpec spec = extractor.backbone().spec();
    List<CategoryResult> results = new ArrayList<>();
    for (MvtecCategory c : categories) {
      CategoryFeatures f = CategoryFeatures.extract(extractor, c, skipUnreadable, progress, null, protocol);
      results.add(evaluate(spec, f, variants, protocol, backboneFile));
    }
    List<String> ids = new ArrayList<>();
    for (Variant v : variants) {
      ids.add(v.id());
    }
    return new EvaluationReport(spec, ids, results, protocol);
  }

  /** Fits and scores every variant on features already extracted (no backbone needed). */
  public static CategoryResult evaluate(BackboneSpec spec, CategoryFeatures f, List<Variant> variants,
      Protocol protocol, String backboneFile) throws Exception {
    int n = f.train().size();
    if (protocol.augmented() != (f.augmentation() != null)
        || protocol.augmented() && protocol.augmentPasses() != f.augmentation().passes()) {
      throw new IllegalArgumentException("features of " + f.category().name() + " were extracted "
          + (f.augmentation() == null ? "without augmentation" : "with " + f.augmentation().describe())
          + " but the protocol asks for " + protocol.augmentPasses() + " augmented passes");
    }
    if (n < 2 || (!protocol.isFullTrain() && n < protocol.folds())) {
      throw new InputException(f.category().root().resolve("train/good"), "need at least "
          + Math.max(2, protocol.isFullTrain() ? 2 : protocol.folds()) + " readable training images, found " + n);
    }
    boolean[] anomalous = new boolean[f.test().size()];
    int bad = 0;
    for (int i = 0; i < anomalous.length; i++) {
      anomalous[i] = f.testLabels().get(i).anomalous();
      bad += anomalous[i] ? 1 : 0;
    }
    if (bad == 0 || bad == anomalous.length) {
      throw new InputException(f.category().root().resolve("test"), "AUROC needs both good and defective test "
          + "images, found " + (anomalous.length - bad) + " good and " + bad + " defective");
    }
    int[][] heldOut = protocol.isFullTrain() ? new int[][] {new int[0]}
        : org.maha.data.KFold.heldOut(n, protocol.folds(), protocol.seed());
    List<String> warnings = new ArrayList<>();
    String source = f.category().root().resolve("train/good").toString();
    List<List<FoldResult>> folds = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      folds.add(new ArrayList<>());
    }
    for (int fold = 0; fold < heldOut.length; fold++) {
      int[] fit = complement(n, heldOut[fold]);
      if (fit.length < 2) {
        throw new InputException(f.category().root().resolve("train/good"),
            "fold " + fold + " leaves fewer than 2 images to fit on");
      }
      double[][][] levelRows = f.fitRows(fit);
      List<String> foldWarnings = fold == 0 ? warnings : new ArrayList<>();
      List<GaussianAdModel> models =
          GaussianAdFitter.fitRowsAll(spec, backboneFile, variants, levelRows, source, foldWarnings);
      for (int v = 0; v < variants.size(); v++) {
        folds.get(v).add(scoreFold(models.get(v), fold, heldOut[fold], f, anomalous, protocol.calibrationFpr()));
      }
    }
    List<VariantResult> out = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      out.add(VariantResult.ofFolds(variants.get(v).id(), folds.get(v)));
    }
    return new CategoryResult(f.category().name(), n, f.test().size(), out, f.skipped(), warnings);
  }

  private static FoldResult scoreFold(GaussianAdModel model, int fold, int[] heldOut, CategoryFeatures f,
      boolean[] anomalous, double calibrationFpr) {
    int levels = model.levels().size();
    int t = f.test().size();
    double[] combined = new double[t];
    double[][] perLevel = new double[levels][t];
    List<ImageResult> images = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      AnomalyScore s = model.score(f.test().get(i));
      combined[i] = s.score();
      for (int l = 0; l < levels; l++) {
        perLevel[l][i] = s.levelDistance(l);
      }
      LabeledImage li = f.testLabels().get(i);
      images.add(new ImageResult(li.path(), li.defectType(), li.anomalous(), s.score(), s.levelDistances()));
    }
    double[] levelAuroc = new double[levels];
    for (int l = 0; l < levels; l++) {
      levelAuroc[l] = Auroc.auroc(perLevel[l], anomalous);
    }
    FoldCalibration calibration = null;
    if (heldOut.length > 0) {
      double[] good = new double[heldOut.length];
      for (int i = 0; i < heldOut.length; i++) {
        good[i] = model.score(f.train().get(heldOut[i])).score();
      }
      ConformalThreshold ct = ConformalThreshold.of(good, calibrationFpr);
      Rates rates = Thresholds.ratesAbove(combined, anomalous, ct.threshold());
      calibration = new FoldCalibration(ct.threshold(), calibrationFpr, ct.n(), ct.guaranteed(), rates.fpr(),
          rates.tpr());
    }
    int[] dof = new int[levels];
    for (int l = 0; l < levels; l++) {
      dof[l] = model.levels().get(l).chiSquareDof();
    }
    return new FoldResult(fold, heldOut, levelAuroc, Auroc.auroc(combined, anomalous), images, calibration, dof);
  }

  static int[] complement(int n, int[] heldOut) {
    boolean[] out = new boolean[n];
    for (int i : heldOut) {
      out[i] = true;
    }
    int[] fit = new int[n - heldOut.length];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (!out[i]) {
        fit[k++] = i;
      }
    }
    return fit;
  }
}
