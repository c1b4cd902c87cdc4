package org.maha.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.maha.eval.MeanSem;
import org.maha.eval.Roc;
import org.maha.eval.RocCurve;
import org.maha.eval.Thresholds;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.FoldCalibration;
import org.maha.pipeline.Evaluation.ImageResult;
import org.maha.pipeline.Evaluation.VariantResult;
import org.maha.pipeline.EvaluationReport;
import org.maha.stats.ChiSquare;

/**
 * The report's content, computed once from an {@link EvaluationReport}: summaries, figures and σ tables. The HTML
 * and Markdown pages only lay it out, so both show the same numbers.
 *
 * @param histogramVariant  index into {@code report.variants()} of the variant the histograms and grid show
 * @param requestedVariantFound whether that is the variant the options asked for (else it is the first one)
 * @param histogramLevel    level index of the per-level histograms and σ tables
 * @param levelSummary      [variant][level] mean ± SEM of the AUROC over categories
 * @param combinedSummary   [variant] mean ± SEM of the combined score's AUROC
 * @param maps              with {@code evaluate --maps}: per category with masks, its pixel metrics and the overlays
 *                          of its highest-scoring test images; else empty
 */
record ReportContent(EvaluationReport report, ReportOptions options, int histogramVariant,
    boolean requestedVariantFound, int histogramLevel, MeanSem[][] levelSummary, MeanSem[] combinedSummary,
    Figure byLevel, List<CategorySection> categories, List<MapFigures.Category> maps) {

  /** The σ values of the threshold table and histogram markers (PAPER.md §2.5 reports σ = 1..5). */
  static final int MAX_SIGMA = 5;
  /** The variant whose level distances are Mahalanobis distances, for which the χ² thresholds hold. */
  static final String GAUSSIAN_VARIANT = "mvg";

  static ReportContent build(EvaluationReport r, ReportOptions o) {
    return build(r, o, List.of());
  }

  static ReportContent build(EvaluationReport r, ReportOptions o, List<org.maha.pipeline.MapEvaluation.CategoryPixels>
      pixels) {
    List<String> variants = r.variants();
    List<String> levels = r.backbone().levelNames();
    if (r.categories().isEmpty()) {
      throw new IllegalArgumentException("the evaluation report has no categories");
    }
    for (CategoryResult c : r.categories()) {
      if (c.variants().size() != variants.size()) {
        throw new IllegalArgumentException("category " + c.category() + " has " + c.variants().size()
            + " variant results, the report lists " + variants.size() + " variants " + variants);
      }
      for (int v = 0; v < variants.size(); v++) {
        if (!c.variants().get(v).variant().equals(variants.get(v))) {
          throw new IllegalArgumentException("category " + c.category() + ": variant " + v + " is "
              + c.variants().get(v).variant() + ", the report lists " + variants.get(v));
        }
      }
    }
    MeanSem[][] levelSummary = new MeanSem[variants.size()][levels.size()];
    MeanSem[] combinedSummary = new MeanSem[variants.size()];
    for (int v = 0; v < variants.size(); v++) {
      for (int l = 0; l < levels.size(); l++) {
        levelSummary[v][l] = r.summary(v, l);
      }
      combinedSummary[v] = r.summary(v, -1);
    }
    int hv = variants.indexOf(o.histogramVariant());
    boolean found = hv >= 0;
    hv = Math.max(0, hv);
    int hl = level(o.histogramLevel(), levels, levelSummary[hv]);
    int n = r.categories().size();
    Figure byLevel = new Figure("auroc_by_level.png", "AUROC by level for each variant",
        "Image-level AUROC (%) of each level's distance on its own, one line per variant"
            + (n > 1 ? "; the band is ± 1 SEM over the " + n + " categories." : " (one category, so no SEM band)."),
        Charts.png(Charts.aurocByLevel("AUROC by level" + (n > 1 ? " (mean ± SEM over " + n + " categories)" : ""),
            levels, variants, levelSummary), 900, 420));
    List<CategorySection> sections = new ArrayList<>();
    Set<String> anchors = new HashSet<>();
    anchors.add("summary");
    anchors.add("by-level");
    for (CategoryResult c : r.categories()) {
      sections.add(section(r, o, c, uniqueSlug(c.category(), anchors), hv, hl));
    }
    List<MapFigures.Category> maps = MapFigures.build(pixels, o.thumbnailLimits(), anchors);
    return new ReportContent(r, o, hv, found, hl, levelSummary, combinedSummary, byLevel, sections, maps);
  }

  /** Whether the histogram variant's level distances follow the χ² model, so thresholds can be drawn. */
  boolean hasSigmaThresholds() {
    return report.variants().get(histogramVariant).equals(GAUSSIAN_VARIANT);
  }

  List<Figure> figures() {
    List<Figure> all = new ArrayList<>();
    all.add(byLevel);
    for (CategorySection s : categories) {
      all.addAll(s.figures());
    }
    for (MapFigures.Category m : maps) {
      all.addAll(m.figures());
    }
    return all;
  }

  private static int level(String name, List<String> levels, MeanSem[] aurocs) {
    if (name.equals(ReportOptions.AUTO_LEVEL)) {
      int best = 0;
      for (int l = 1; l < aurocs.length; l++) {
        if (aurocs[l].mean() > aurocs[best].mean()) {
          best = l;
        }
      }
      return best;
    }
    int l = levels.indexOf(name);
    if (l < 0) {
      throw new IllegalArgumentException("histogram level '" + name + "' is not a level of this backbone; "
          + "expected one of " + levels + " or " + ReportOptions.AUTO_LEVEL);
    }
    return l;
  }

  private static CategorySection section(EvaluationReport r, ReportOptions o, CategoryResult c, String anchor,
      int hv, int hl) {
    List<String> variants = r.variants();
    String levelName = r.backbone().levelNames().get(hl);
    List<List<RocCurve>> curves = rocCurves(c);
    double[] aurocs = new double[variants.size()];
    for (int v = 0; v < variants.size(); v++) {
      aurocs[v] = c.variants().get(v).combinedAuroc();
    }
    String fold = Explanations.foldNote(r);
    String foldCaption = fold.isEmpty() ? "" : " Scores of fold 0's model (fold numbers as in scores.csv); the "
        + "tables average all folds.";
    Figure roc = new Figure("roc_" + anchor + ".png", "ROC curves, " + c.category(),
        "ROC of the combined score for each variant; the dashed diagonal is chance."
            + (fold.isEmpty() ? " The legend gives the AUROC (%)."
                : " Thick: fold 0; thin: folds 1–" + (r.protocol().folds() - 1) + ", each fitted on its own "
                    + "training folds and scored on the whole test set. The legend gives the AUROC (%) averaged over "
                    + "the folds, as in the tables."),
        Charts.png(Charts.roc(c.category() + ": ROC, combined score" + (fold.isEmpty() ? "" : ", every fold"),
            variants, curves, aurocs), 460, 460));

    VariantResult hr = c.variants().get(hv);
    String variant = hr.variant();
    boolean[] anomalous = labels(hr.images());
    double[] levelDist = new double[hr.images().size()];
    for (int i = 0; i < levelDist.length; i++) {
      levelDist[i] = hr.images().get(i).levelDistances()[hl];
    }
    List<SigmaRow> sigma = new ArrayList<>();
    double[] markers = new double[0];
    List<String> markerLabels = new ArrayList<>();
    if (variant.equals(GAUSSIAN_VARIANT)) {
      int k = r.backbone().levelDims().get(hl);
      markers = new double[MAX_SIGMA];
      for (int s = 1; s <= MAX_SIGMA; s++) {
        double t = ChiSquare.thresholdDistance(k, s);
        markers[s - 1] = t;
        markerLabels.add(s + "σ");
        sigma.add(sigmaRow(s, t, levelDist, anomalous));
      }
    }
    String levelCaption = "Distribution of the " + variant + " distance at level " + levelName
        + " for good and defective test images"
        + (markers.length > 0 ? "; dashed lines: χ² thresholds at 1σ…5σ (k = "
            + r.backbone().levelDims().get(hl) + " degrees of freedom), which the Gaussian model predicts "
            + "31.7 %, 4.55 %, 0.27 %, 0.0063 % and 0.000057 % of good images to exceed." : ".") + foldCaption;
    Figure levelHist = new Figure("hist_" + anchor + "_level" + hl + ".png",
        "Histogram of " + variant + " distances at level " + levelName + ", " + c.category(), levelCaption,
        Charts.png(Charts.histogram(c.category() + ": " + variant + " distance at " + levelName + fold,
            variant + " distance at level " + levelName, split(levelDist, anomalous, false),
            split(levelDist, anomalous, true), markers, markerLabels), 550, 340));
    double[] comb = combined(hr.images());
    FoldCalibration cal = hr.folds().isEmpty() ? null : hr.folds().get(0).calibration();
    double[] calMarker = cal == null ? new double[0] : new double[] {cal.threshold()};
    List<String> calLabel = cal == null ? List.of() : List.of("FPR " + Formats.pct(cal.targetFpr()) + " %");
    Figure combinedHist = new Figure("hist_" + anchor + "_combined.png",
        "Histogram of combined " + variant + " scores, " + c.category(),
        "Distribution of the combined score (mean of the " + r.backbone().levelCount()
            + " level distances) for good and defective test images; it has no χ² threshold of its own"
            + (cal == null ? "." : "; the dashed line is the threshold set on held-out good images.") + foldCaption,
        Charts.png(Charts.histogram(c.category() + ": combined " + variant + " score" + fold,
            "combined " + variant + " score (mean over levels)", split(comb, anomalous, false),
            split(comb, anomalous, true), calMarker, calLabel), 550, 340));
    ExtremesGrid.Selection sel = ExtremesGrid.select(hr.images(), o.extremesPerSide());
    Figure extremes = new Figure("extremes_" + anchor + ".png",
        "Highest- and lowest-scoring test images, " + c.category(),
        "Test images with the highest (top row) and lowest (bottom row) combined " + variant
            + " score; frames: red = defective, green = good. Under each: rank, score, defect type." + foldCaption,
        ExtremesGrid.png(sel, variant, o.thumbnailPx(), o.thumbnailLimits()));
    return new CategorySection(c, anchor, roc, levelHist, combinedHist, extremes, sel, sigma, cal);
  }

  private static SigmaRow sigmaRow(int s, double t, double[] dist, boolean[] anomalous) {
    int good = 0;
    int bad = 0;
    for (boolean a : anomalous) {
      bad += a ? 1 : 0;
      good += a ? 0 : 1;
    }
    org.maha.eval.Rates rates = Thresholds.ratesAbove(dist, anomalous, t);
    return new SigmaRow(s, t, ChiSquare.predictedFalsePositiveRate(s), (int) Math.round(rates.fpr() * good), good,
        (int) Math.round(rates.tpr() * bad), bad);
  }

  /** Per variant, the ROC of the combined score of every fold (fold 0 first). */
  static List<List<RocCurve>> rocCurves(CategoryResult c) {
    List<List<RocCurve>> out = new ArrayList<>();
    for (VariantResult vr : c.variants()) {
      List<RocCurve> folds = new ArrayList<>();
      for (org.maha.pipeline.Evaluation.FoldResult f : vr.folds()) {
        folds.add(Roc.curve(combined(f.images()), labels(f.images())));
      }
      out.add(folds);
    }
    return out;
  }

  static double[] combined(List<ImageResult> images) {
    double[] s = new double[images.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = images.get(i).score();
    }
    return s;
  }

  static boolean[] labels(List<ImageResult> images) {
    boolean[] a = new boolean[images.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = images.get(i).anomalous();
    }
    return a;
  }

  private static double[] split(double[] values, boolean[] anomalous, boolean wanted) {
    int n = 0;
    for (boolean a : anomalous) {
      n += a == wanted ? 1 : 0;
    }
    double[] out = new double[n];
    int j = 0;
    for (int i = 0; i < values.length; i++) {
      if (anomalous[i] == wanted) {
        out[j++] = values[i];
      }
    }
    return out;
  }

  /** A lower-case [a-z0-9-] form of {@code name}, made unique against {@code taken} (which it is added to). */
  static String uniqueSlug(String name, Set<String> taken) {
    String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (base.isEmpty()) {
      base = "category";
    }
    String slug = base;
    for (int i = 2; !taken.add(slug); i++) {
      slug = base + "-" + i;
    }
    return slug;
  }
}
