package org.maha.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.maha.backbone.BackboneSpec;
import org.maha.eval.Auroc;
import org.maha.eval.MeanSem;
import org.maha.eval.Summary;
import org.maha.model.FitException;
import org.maha.model.GaussianAdFitter;
import org.maha.model.LevelModel;
import org.maha.model.Variant;
import org.maha.stats.ChiSquare;
import org.maha.stats.Pca;
import org.maha.stats.PcaFit;

/**
 * The paper's experiments (PAPER.md §2.7) on features already extracted: each returns plain records that the
 * experiment report prints and plots. The variants and thresholds are the ones the official table scripts run.
 */
public final class Experiments {
  private Experiments() {}

  /** Table I: MVG, L2 and SED per level (table1.py). */
  public static final List<String> TABLE_I = List.of("mvg", "l2", "sed");
  /** The PCA / NPCA table (table3.py), maha's component rule (see {@link Variant.Pca}). */
  public static final List<String> PCA_TABLE = List.of("pca:0.95", "pca:0.99", "npca:0.99", "npca:0.999",
      "npca:0.9999");

  /** The PCA / NPCA table's variants under one rule: maha's, or the official slice ({@code npca-official:T}). */
  public static List<String> pcaTable(Variant.PcaRule rule) {
    List<String> out = new ArrayList<>();
    for (String v : PCA_TABLE) {
      Variant.Pca p = (Variant.Pca) Variant.parse(v);
      out.add(new Variant.Pca(p.threshold(), p.negated(), rule).id());
    }
    return List.copyOf(out);
  }
  /** Variance thresholds of the AUROC-versus-variance-retained sweep. */
  public static final double[] SWEEP = {0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999};
  /** σ values of the threshold table (table4.py). */
  public static final int[] SIGMAS = {1, 2, 3, 4, 5};

  /** Evaluates {@code variants} on every category's features. */
  public static EvaluationReport evaluate(BackboneSpec spec, List<CategoryFeatures> features, List<String> variants,
      Evaluation.Protocol protocol, String backboneFile) throws Exception {
    List<Variant> vs = new ArrayList<>();
    for (String v : variants) {
      vs.add(Variant.parse(v));
    }
    List<Evaluation.CategoryResult> results = new ArrayList<>();
    for (CategoryFeatures f : features) {
      results.add(Evaluation.evaluate(spec, f, vs, protocol, backboneFile));
    }
    return new EvaluationReport(spec, variants, results, protocol);
  }

  /**
   * One row of the σ table: rates over categories (mean ± SEM) at one σ; {@code threshold} is the mean over
   * categories and folds (constant for MVG, per-fold for PCA/NPCA whose kept components vary).
   */
  public record SigmaRow(int sigma, double threshold, double predictedFpr, MeanSem fpr, MeanSem tpr) {}

  /**
   * The counts behind one cell of the σ table: on one category and fold, how many good and defective test images
   * lie beyond the χ² threshold at {@code sigma} with {@code dof} degrees of freedom. {@code fpr = goodAbove /
   * good}, {@code tpr = defectiveAbove / defective}.
   */
  public record SigmaCount(String category, int fold, int sigma, int dof, double threshold, int good, int goodAbove,
      int defective, int defectiveAbove) {
    public double fpr() {
      return (double) goodAbove / good;
    }

    public double tpr() {
      return (double) defectiveAbove / defective;
    }
  }

  /**
   * Per category, fold and σ: test images beyond the χ² threshold sqrt(χ²⁻¹_k(erf(σ/√2))) at one level (PAPER
   * §2.5), k = the fold's model's degrees of freedom at that level (the level's dimension for MVG, the components
   * kept for PCA/NPCA, so it may differ between folds). Only for Mahalanobis variants (mvg, pca, npca).
   */
  public static List<SigmaCount> sigmaCounts(EvaluationReport r, String variant, int level) {
    int v = r.variants().indexOf(variant);
    if (v < 0) {
      throw new IllegalArgumentException("variant " + variant + " is not in the report " + r.variants());
    }
    boolean projected = Variant.parse(variant) instanceof Variant.Pca;
    List<SigmaCount> out = new ArrayList<>();
    for (Evaluation.CategoryResult c : r.categories()) {
      Evaluation.VariantResult vr = c.variants().get(v);
      for (Evaluation.FoldResult f : vr.folds()) {
        // results that did not record it come from MVG fits: k = the level's dimension
        int k = f.levelDof().length > level ? f.levelDof()[level] : r.backbone().levelDims().get(level);
        if (k < 1 && !projected) {
          throw new IllegalArgumentException("χ² thresholds need a Mahalanobis variant (mvg, pca:t, npca:t), got "
              + variant);
        }
        for (int sigma : SIGMAS) {
          // k = 0: an official-slice level without variance (LevelModel.Zero) scores 0 and flags nothing
          double t = k < 1 ? Double.POSITIVE_INFINITY : ChiSquare.thresholdDistance(k, sigma);
          int good = 0;
          int bad = 0;
          int fp = 0;
          int tp = 0;
          for (Evaluation.ImageResult im : f.images()) {
            boolean flagged = im.levelDistances()[level] > t;
            if (im.anomalous()) {
              bad++;
              tp += flagged ? 1 : 0;
            } else {
              good++;
              fp += flagged ? 1 : 0;
            }
          }
          out.add(new SigmaCount(c.category(), f.fold(), sigma, k, t, good, fp, bad, tp));
        }
      }
    }
    return out;
  }

  /**
   * FPR and TPR of the χ² threshold sqrt(χ²⁻¹_k(erf(σ/√2))) at one level (PAPER §2.5), per category averaged
   * over folds, then mean ± SEM over categories. Only for Mahalanobis variants (mvg, pca, npca).
   */
  public static List<SigmaRow> sigmaTable(EvaluationReport r, String variant, int level) {
    List<SigmaCount> counts = sigmaCounts(r, variant, level);
    List<SigmaRow> rows = new ArrayList<>();
    for (int sigma : SIGMAS) {
      double threshold = 0;
      int n = 0;
      double[] fpr = new double[r.categories().size()];
      double[] tpr = new double[fpr.length];
      for (int c = 0; c < fpr.length; c++) {
        String name = r.categories().get(c).category();
        int folds = r.categories().get(c).variants().get(0).folds().size();
        for (SigmaCount sc : counts) {
          if (sc.sigma() == sigma && sc.category().equals(name)) {
            fpr[c] += sc.fpr() / folds;
            tpr[c] += sc.tpr() / folds;
            if (Double.isFinite(sc.threshold())) {
              threshold += sc.threshold();
              n++;
            }
          }
        }
      }
      rows.add(new SigmaRow(sigma, n == 0 ? Double.NaN : threshold / n, ChiSquare.predictedFalsePositiveRate(sigma),
          Summary.meanSem(fpr), Summary.meanSem(tpr)));
    }
    return rows;
  }

  /**
   * One point of the variance sweep: combined AUROC (mean ± SEM over categories) of PCA or NPCA at threshold t
   * under one component {@code rule} (see {@link Variant.Pca});
   * {@code categoryAuroc} are the per-category AUROCs it summarises (in the order of the categories). Of the
   * {@code levelFits} per-level subspaces (categories × folds × levels), {@code singleComponentFits} kept a single
   * component, {@code nullSingleFits} of them one with zero variance on the fit vectors (that level then adds
   * nothing, or only noise, to the combined score).
   */
  public record SweepPoint(double threshold, boolean negated, Variant.PcaRule rule, MeanSem auroc,
      double meanKeptFraction, List<Double> categoryAuroc, int levelFits, int singleComponentFits,
      int nullSingleFits) {
    public SweepPoint {
      categoryAuroc = List.copyOf(categoryAuroc);
    }

    /** The variant name without threshold: pca, npca, pca-official or npca-official. */
    public String method() {
      return (negated ? "npca" : "pca") + rule.suffix();
    }
  }

  /** {@link #varianceSweep(List, Evaluation.Protocol, Variant.PcaRule)} with maha's component rule. */
  public static List<SweepPoint> varianceSweep(List<CategoryFeatures> features, Evaluation.Protocol protocol) {
    return varianceSweep(features, protocol, Variant.PcaRule.MAHA);
  }

  /**
   * AUROC of the combined score versus variance threshold for PCA and NPCA (the paper's PCA finding: the
   * low-variance components carry the signal). Per category and fold, each level's PCA is computed once on the
   * fold's fit vectors and reused for every threshold; the components are selected exactly as {@code fit} selects
   * them for {@code pca:T}/{@code npca:T} ({@code rule} MAHA) or {@code pca-official:T}/{@code
   * npca-official:T} (OFFICIAL), so a sweep point equals the PCA table's cell of the same variant. A category's AUROC
   * and kept share are averaged over its folds, like every other table.
   */
  public static List<SweepPoint> varianceSweep(List<CategoryFeatures> features, Evaluation.Protocol protocol,
      Variant.PcaRule rule) {
    List<SweepPoint> out = new ArrayList<>();
    int cats = features.size();
    double[][][] auroc = new double[2][SWEEP.length][cats];
    double[][][] kept = new double[2][SWEEP.length][cats];
    int[][][] counts = new int[2][SWEEP.length][3];
    for (int c = 0; c < cats; c++) {
      CategoryFeatures f = features.get(c);
      int n = f.train().size();
      int[][] heldOut = protocol.isFullTrain() ? new int[][] {new int[0]}
          : org.maha.data.KFold.heldOut(n, protocol.folds(), protocol.seed());
      boolean[] anomalous = new boolean[f.test().size()];
      for (int i = 0; i < anomalous.length; i++) {
        anomalous[i] = f.testLabels().get(i).anomalous();
      }
      for (int[] held : heldOut) {
        double[][][] fold = sweepFold(f, Evaluation.complement(n, held), anomalous, rule);
        for (int neg = 0; neg < 2; neg++) {
          for (int s = 0; s < SWEEP.length; s++) {
            auroc[neg][s][c] += fold[neg][s][0] / heldOut.length;
            kept[neg][s][c] += fold[neg][s][1] / heldOut.length;
            for (int k = 0; k < 3; k++) {
              counts[neg][s][k] += (int) fold[neg][s][2 + k];
            }
          }
        }
      }
    }
    for (int neg = 0; neg < 2; neg++) {
      for (int s = 0; s < SWEEP.length; s++) {
        double k = 0;
        for (double x : kept[neg][s]) {
          k += x / cats;
        }
        List<Double> per = new ArrayList<>();
        for (double a : auroc[neg][s]) {
          per.add(a);
        }
        int[] n = counts[neg][s];
        out.add(new SweepPoint(SWEEP[s], neg == 1, rule, Summary.meanSem(auroc[neg][s]), k, per, n[0], n[1],
            n[2]));
      }
    }
    return out;
  }

  /**
   * One fold of the sweep: {@code [neg][threshold] = {combined AUROC, mean share of components kept, level fits,
   * single-component fits, null single-component fits}} with each level's PCA fitted on the fold's fit vectors.
   */
  private static double[][][] sweepFold(CategoryFeatures f, int[] fit, boolean[] anomalous, Variant.PcaRule rule) {
    int levels = f.train().get(0).length;
    double[][][] out = new double[2][SWEEP.length][5];
    double[][][] combined = new double[2][SWEEP.length][anomalous.length];
    double[][][] fitRows = f.fitRows(fit); // with augmentation: every augmented copy of the fit images
    List<String> ignored = new ArrayList<>(); // the sweep reports single components in its own counts
    for (int l = 0; l < levels; l++) {
      double[][] rows = fitRows[l];
      PcaFit pca = Pca.fit(rows);
      for (int neg = 0; neg < 2; neg++) {
        for (int s = 0; s < SWEEP.length; s++) {
          int[] range = GaussianAdFitter.keptComponents(pca, new Variant.Pca(SWEEP[s], neg == 1, rule),
              rows.length, "L" + l, ignored);
          double[] d = levelDistances(pca, range, rows, f.test(), l);
          out[neg][s][1] += (double) (range[1] - range[0]) / pca.explainedVarianceRatio().length / levels;
          out[neg][s][2]++;
          if (range[1] - range[0] == 1) {
            out[neg][s][3]++;
            out[neg][s][4] += GaussianAdFitter.isNullComponent(pca, range[0]) ? 1 : 0;
          }
          for (int i = 0; i < d.length; i++) {
            combined[neg][s][i] += d[i] / levels;
          }
        }
      }
    }
    for (int neg = 0; neg < 2; neg++) {
      for (int s = 0; s < SWEEP.length; s++) {
        out[neg][s][0] = Auroc.auroc(combined[neg][s], anomalous);
      }
    }
    return out;
  }

  /** Distances of the test images under the Gaussian fitted in the PCA subspace [range) (the model's own code). */
  private static double[] levelDistances(PcaFit pca, int[] range, double[][] rows, List<double[][]> test, int level) {
    double[] d = new double[test.size()];
    try {
      LevelModel.Projected m = GaussianAdFitter.fitSubspace(pca, range, rows, "L" + level);
      for (int i = 0; i < d.length; i++) {
        d[i] = m.distance(test.get(i)[level]);
      }
    } catch (FitException e) {
      // the kept components have no variance on the training images (e.g. NPCA left with a null component):
      // the level carries no information at this threshold, so it adds the same 0 to every image
      java.util.Arrays.fill(d, 0);
    }
    return d;
  }

  /** Markdown of the σ table. */
  public static String sigmaMarkdown(List<SigmaRow> rows, String variant, String level, int dim) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "| σ | threshold (k = %d) | predicted FPR | FPR (mean ± SEM) | TPR (mean ± SEM) |%n|---:|---:|---:|---:|---:|%n",
        dim));
    for (SigmaRow r : rows) {
      s.append(String.format(Locale.ROOT, "| %d | %.4f | %s | %s | %s |%n", r.sigma(), r.threshold(),
          pct(r.predictedFpr()), pctSem(r.fpr()), pctSem(r.tpr())));
    }
    return "χ² thresholds on " + variant + " distances at level " + level + "\n\n" + s;
  }

  /** Markdown of the sweep. */
  public static String sweepMarkdown(List<SweepPoint> points) {
    StringBuilder s = new StringBuilder("| variance threshold t | PCA AUROC (%) | PCA kept | NPCA AUROC (%) | NPCA kept |\n"
        + "|---:|---:|---:|---:|---:|\n");
    int half = points.size() / 2;
    for (int i = 0; i < half; i++) {
      SweepPoint p = points.get(i);
      SweepPoint q = points.get(i + half);
      s.append(String.format(Locale.ROOT, "| %s | %.1f ± %.1f | %.0f %% | %.1f ± %.1f | %.0f %% |%n",
          trim(p.threshold()), 100 * p.auroc().mean(), 100 * sem(p.auroc()), 100 * p.meanKeptFraction(),
          100 * q.auroc().mean(), 100 * sem(q.auroc()), 100 * q.meanKeptFraction()));
    }
    return s.toString();
  }

  private static double sem(MeanSem m) {
    return Double.isNaN(m.sem()) ? 0 : m.sem();
  }

  private static String trim(double t) {
    String s = Double.toString(t);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  private static String pct(double x) {
    return x >= 0.001 ? String.format(Locale.ROOT, "%.2f %%", 100 * x) : String.format(Locale.ROOT, "%.2g %%", 100 * x);
  }

  private static String pctSem(MeanSem m) {
    return Double.isNaN(m.sem()) ? pct(m.mean()) : pct(m.mean()) + " ± " + pct(m.sem());
  }
}
