package org.maha.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maha.backbone.BackboneSpec;
import org.maha.eval.MeanSem;
import org.maha.model.MahaVersion;
import org.maha.pipeline.Evaluation;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.ExperimentResults;
import org.maha.pipeline.Experiments;

/**
 * The page of {@code maha experiment} ({@code experiments.html} and {@code experiments.md}): one section per
 * experiment, named after the table of the paper it mirrors (PAPER.md §2.7), each with a "how to read this"
 * paragraph, its table (mean ± SEM over categories, best value of each row in bold) beside its figure, and — where
 * the paper published numbers (§3.1, §3.2) — those numbers in a separate table labelled as the paper's. Self-contained:
 * figures are PNG {@code data:} URIs, no script, no external resource.
 */
public final class ExperimentReport {
  private ExperimentReport() {}

  /**
   * File name → content: {@code experiments.html}, {@code experiments.md}, then the figures as
   * {@code figures/*.png}. Byte-identical for equal inputs (the date comes from the results).
   */
  public static Map<String, byte[]> render(ExperimentResults r) {
    List<Section> sections = sections(r);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("experiments.html", html(r, sections).getBytes(StandardCharsets.UTF_8));
    files.put("experiments.md", markdown(r, sections).getBytes(StandardCharsets.UTF_8));
    for (Section s : sections) {
      for (Figure f : s.figures()) {
        files.put("figures/" + f.fileName(), f.png().bytes().clone());
      }
    }
    return files;
  }

  /** A table of plain-text cells; {@code best[row]} are the columns shown in bold (the row's best value). */
  record Table(String id, String caption, List<String> header, List<List<String>> rows, List<Set<Integer>> best,
      int totalRow) {}

  /** One experiment: prose, tables and figures. */
  record Section(String id, String title, List<String> howTo, List<Table> tables, List<Figure> figures,
      List<String> notes) {}

  // ---------------------------------------------------------------------------------------------- content

  private static List<Section> sections(ExperimentResults r) {
    List<Section> out = new ArrayList<>();
    EvaluationReport levels = r.levels();
    int n = levels.categories().size();
    String over = n > 1 ? "mean ± SEM over " + n + " categories" : "one category, so no SEM";
    if (r.experiments().contains("levels")) {
      Figure fig = new Figure("table1_auroc_by_level.png", "AUROC by level, MVG, L2 and SED",
          "AUROC (%) of each level's distance on its own, one line per variant; band: ± 1 SEM over categories.",
          Charts.png(Charts.aurocByLevel("Table I: AUROC by level (" + over + ")", levels.backbone().levelNames(),
              levels.variants(), summaries(levels)), 600, 380));
      List<Table> tables = new ArrayList<>();
      tables.add(levelTable("table-i", "Table I (ours): image-level AUROC (%) per level, " + over, levels,
          List.of()));
      tables.add(categoryTable(levels));
      tables.add(publishedTableI());
      out.add(new Section("table-i", "Table I — per-level AUROC: MVG vs L2 vs SED (table1.py)", List.of(
          "Each row is one level (a stage of the backbone, L0 nearest the input) scored on its own; the last row "
              + "is the combined score, the mean of all level distances (the paper's \"sum\", same AUROC). "
              + "Columns: mvg is the paper's Gaussian (Mahalanobis distance), l2 the distance to the mean, sed a "
              + "diagonal Gaussian. A cell is the AUROC averaged over the folds of each category, then " + over
              + " (SEM with ddof = 1). Bold: the best variant of the row. The paper finds that deeper levels are "
              + "better and that the full Gaussian beats L2 and SED."),
          tables, List.of(fig), List.of("The paper's L2 and SED columns are not published (PAPER.md §3.5); the "
              + "published MVG column is EfficientNet-B4 on MVTec AD, so it matches ours only when this run is B4 "
              + "on MVTec AD.")));
    }
    if (!r.backbones().isEmpty()) {
      List<EvaluationReport> reps = new ArrayList<>();
      for (ExperimentResults.BackboneRun b : r.backbones()) {
        reps.add(b.mvg());
      }
      List<String> names = backboneNames(r.backbones());
      Figure fig = new Figure("levels_across_backbones.png", "AUROC by level, MVG, per backbone",
          "MVG AUROC (%) of each level on its own, one line per backbone; band: ± 1 SEM over categories.",
          new Png(ExperimentFigures.levelsAcrossBackbones("mvg", reps, names), 900, 420));
      List<String> notes = new ArrayList<>();
      for (ExperimentResults.BackboneRun b : r.backbones()) {
        notes.add(b.mvg().backbone().name() + " (" + b.label() + "): " + b.weights() + "; input "
            + b.mvg().backbone().inputSizePx() + " px, normalisation " + b.mvg().backbone().normalization().id()
            + ", " + b.mvg().backbone().levelCount() + " levels");
      }
      out.add(new Section("table-ii", "Table II — per-level MVG AUROC across backbones (table2.py, table7.py)",
          List.of("One column per backbone, each run at its own input size and normalisation on the same images "
              + "and folds; rows are levels by index (L0 = first tap). Each cell is the MVG AUROC (%) " + over
              + ". Bold: the best backbone of the row. The paper compares EfficientNet-B0…B7 (Table II) and "
              + "ResNet-18/34/50 (table7.py; not published)."),
          List.of(backbonesTable(reps, names, over), publishedTableII()), List.of(fig), notes));
    }
    if (r.pca().isPresent()) {
      EvaluationReport pca = r.pca().get();
      Figure fig = new Figure("pca_auroc_by_level.png", "AUROC by level, PCA and NPCA",
          "AUROC (%) of each level for each PCA/NPCA setting; band: ± 1 SEM over categories.",
          Charts.png(Charts.aurocByLevel("PCA / NPCA: AUROC by level (" + over + ")", pca.backbone().levelNames(),
              pca.variants(), summaries(pca)), 600, 380));
      out.add(new Section("pca-table", "PCA and NPCA per level (table3.py)", List.of(
          "Before the Gaussian, each level's features are projected on principal components of the training "
              + "features: pca:t keeps the high-variance components up to a share t of the variance, npca:t the "
              + "low-variance ones beyond t (plus the two boundary components, as the official code). The paper's "
              + "finding: NPCA, the components with little variance on good images, keeps the performance of the "
              + "full Gaussian while PCA loses it. The mvg column (no reduction) repeats Table I for reference. "
              + "Cells: AUROC (%) " + over + "; bold: best of the row.",
              VariantNames.pcaRule(pca.variants().stream().anyMatch(VariantNames::official)
                  ? org.maha.model.Variant.PcaRule.OFFICIAL : org.maha.model.Variant.PcaRule.MAHA)),
          List.of(levelTable("pca-npca", "PCA/NPCA (ours): image-level AUROC (%) per level, " + over, pca,
              mvgColumn(levels))),
          List.of(fig), List.of(PublishedResults.HEADLINE)));
    }
    if (!r.sweep().isEmpty()) {
      Figure fig = new Figure("variance_sweep.png", "AUROC versus variance threshold, PCA and NPCA",
          "Combined-score AUROC (%) against the variance threshold t; band: ± 1 SEM over categories.",
          new Png(ExperimentFigures.varianceSweep(r.sweep()), 900, 420));
      out.add(new Section("variance-sweep", "AUROC versus variance retained (the paper's PCA finding)", List.of(
          "For each variance threshold t, the combined-score AUROC when every level keeps only the components "
              + "up to t (PCA, high variance) or only those beyond t (NPCA, low variance); \"kept\" is the mean "
              + "share of components kept. If the low-variance components carry the signal, NPCA stays high "
              + "while PCA drops as t falls. One PCA per category, fold and level on the fold's fit vectors, "
              + "reused for every t; AUROC averaged over each category's folds, then " + over + ". Bold: the better of PCA and NPCA.",
              VariantNames.pcaRule(r.sweep().get(0).rule())),
          List.of(sweepTable(r.sweep())), List.of(fig), sweepNotes(r.sweep())));
    }
    if (r.sigma().isPresent()) {
      ExperimentResults.SigmaTable t = r.sigma().get();
      out.add(new Section("sigma-table", "χ² thresholds: false- and true-positive rates (table4.py)", List.of(
          "If a level's features of good images were Gaussian, the squared Mahalanobis distance would follow a "
              + "χ² distribution with k degrees of freedom (" + t.dofDescription() + "), and the threshold "
              + "sqrt(χ²⁻¹_k(erf(σ/"
              + "√2))) would flag the predicted share of good images. Measured FPR: good test images flagged; TPR: "
              + "defective test images flagged; per category averaged over folds, then " + over + ". Level "
              + t.levelName() + ", variant " + t.variant() + " (the paper uses level 7 = our L6, with augmentation)."),
          List.of(sigmaTable(t)), List.of(), List.of(Explanations.SIGMA_NOTE,
              "The paper's σ table is not published (PAPER.md §3.5).")));
    }
    if (!r.pixels().isEmpty()) {
      out.add(pixelSection(r.pixels()));
    }
    out.add(rocSection(levels));
    return out;
  }

  /** {@code --maps}: pixel AUROC and AU-PRO per category with masks (the table of {@code evaluate --maps}). */
  private static Section pixelSection(List<org.maha.pipeline.MapEvaluation.CategoryPixels> pixels) {
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (org.maha.pipeline.MapEvaluation.CategoryPixels c : pixels) {
      var p = c.result();
      rows.add(List.of(c.category(), Integer.toString(c.testImages()), Formats.pixelPct(p.auroc()),
          Formats.pixelPct(p.aupro()),
          Long.toString(p.defectPixels()), Long.toString(p.regions())));
      best.add(Set.of());
    }
    Table t = new Table("pixel-metrics-table", "Anomaly maps: pixel AUROC (%) and AU-PRO (%, FPR ≤ 0.3) per "
        + "category with ground-truth masks", List.of("category", "test images", "pixel AUROC", "AU-PRO (FPR ≤ 0.3)",
            "defect pixels", "regions"), rows, best, -1);
    return new Section("pixel-metrics", "Anomaly maps: where is the defect? (pixel AUROC, AU-PRO)", List.of(
        "Not in the paper: a Gaussian per position of a feature grid (PaDiM with Ledoit–Wolf shrinkage), fitted "
            + "on all of train/good, gives every test image a map of Mahalanobis distances at its own size. Pixel "
            + "AUROC ranks every test pixel (good images' pixels count as good); AU-PRO is the area under the "
            + "per-region overlap curve up to a pixel false-positive rate of 0.3, divided by 0.3 (Bergmann et "
            + "al. 2021), so large and small defects count alike. Only categories with masks "
            + "(ground_truth/<defect>/<name>_mask.png) are listed; pixel_metrics.csv has the same numbers."),
        List.of(t), List.of(), List.of());
  }


  /**
   * Per method, the sweep points that kept a single (often null) component at some level fit, in one sentence;
   * then the "not published" note.
   */
  private static List<String> sweepNotes(List<Experiments.SweepPoint> points) {
    List<String> notes = new ArrayList<>();
    for (boolean negated : new boolean[] {false, true}) {
      List<String> parts = new ArrayList<>();
      String method = null;
      int fits = 0;
      boolean anyNull = false;
      for (Experiments.SweepPoint p : points) {
        if (p.negated() == negated && p.singleComponentFits() > 0) {
          method = p.method();
          fits = p.levelFits();
          anyNull |= p.nullSingleFits() > 0;
          parts.add("t = " + trim(p.threshold()) + ": " + p.singleComponentFits()
              + (p.nullSingleFits() > 0 ? " (" + p.nullSingleFits() + " with zero variance)" : ""));
        }
      }
      if (method != null) {
        notes.add(method + " kept a single component in some of the " + fits + " level fits (categories × folds × "
            + "levels) — " + String.join(", ", parts) + "." + (anyNull ? " A component with zero variance on the "
                + "fit vectors makes its level add nothing, or only noise, to the combined score." : ""));
      }
    }
    notes.add("The paper's PCA figure is not published (PAPER.md §3.5): no published numbers to compare.");
    return notes;
  }

  private static Section rocSection(EvaluationReport r) {
    List<Figure> figs = new ArrayList<>();
    Set<String> slugs = new HashSet<>();
    boolean folds = !r.protocol().isFullTrain();
    double[] aurocs = new double[r.variants().size()];
    for (Evaluation.CategoryResult c : r.categories()) {
      for (int v = 0; v < aurocs.length; v++) {
        aurocs[v] = c.variants().get(v).combinedAuroc();
      }
      String slug = ReportContent.uniqueSlug(c.category(), slugs);
      figs.add(new Figure("roc_folds_" + slug + ".png", (folds ? "ROC curves of every fold, " : "ROC curves, ")
          + c.category(), c.category() + (folds ? ": thick fold 0, thin the other folds; legend: AUROC (%) averaged "
              + "over folds." : ": one model fitted on all training images; legend: AUROC (%)."),
          Charts.png(Charts.roc(c.category(), r.variants(), ReportContent.rocCurves(c), aurocs), 380, 380)));
    }
    return new Section("roc", "ROC curves per category" + (folds ? ", every fold" : ""), List.of(
        "ROC of the combined score of each Table I variant: the share of defects found (TPR) against the share of "
            + "good images flagged (FPR) for every threshold; the dashed diagonal is chance."
            + (folds ? " Each fold's model (fitted on its own training folds, scored on the whole test set) gives "
                + "one curve: thick for fold 0, thin for folds 1–" + (r.protocol().folds() - 1) + "; the spread "
                + "of the thin lines shows how much the result depends on the split." : "")
            + " Score histograms, χ² and held-out thresholds and the highest- and lowest-scoring images are in "
            + "report.html."), List.of(), figs, List.of());
  }

  private static MeanSem[][] summaries(EvaluationReport r) {
    MeanSem[][] s = new MeanSem[r.variants().size()][r.backbone().levelCount()];
    for (int v = 0; v < s.length; v++) {
      for (int l = 0; l < s[v].length; l++) {
        s[v][l] = r.summary(v, l);
      }
    }
    return s;
  }

  /** The levels report's mvg column, to repeat beside another table; empty when there is none. */
  private static List<MeanSem> mvgColumn(EvaluationReport levels) {
    int v = levels.variants().indexOf("mvg");
    List<MeanSem> out = new ArrayList<>();
    if (v < 0) {
      return out;
    }
    for (int l = 0; l < levels.backbone().levelCount(); l++) {
      out.add(levels.summary(v, l));
    }
    out.add(levels.summary(v, -1));
    return out;
  }

  private static Table levelTable(String id, String caption, EvaluationReport r, List<MeanSem> extraMvg) {
    List<String> header = new ArrayList<>(List.of("level", "dim"));
    header.addAll(r.variants());
    boolean extra = !extraMvg.isEmpty();
    if (extra) {
      header.add("mvg (no reduction)");
    }
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    BackboneSpec b = r.backbone();
    for (int l = 0; l < b.levelCount(); l++) {
      addLevelRow(rows, best, b.levelNames().get(l), Integer.toString(b.levelDims().get(l)), r, l,
          extra ? extraMvg.get(l) : null);
    }
    addLevelRow(rows, best, "mean of levels (combined)",
        Integer.toString(b.levelDims().stream().mapToInt(Integer::intValue).sum()), r, -1,
        extra ? extraMvg.get(b.levelCount()) : null);
    return new Table(id + "-table", caption, header, rows, best, rows.size() - 1);
  }

  private static void addLevelRow(List<List<String>> rows, List<Set<Integer>> best, String label, String dim,
      EvaluationReport r, int level, MeanSem extra) {
    List<String> row = new ArrayList<>(List.of(label, dim));
    List<MeanSem> cells = new ArrayList<>();
    for (int v = 0; v < r.variants().size(); v++) {
      cells.add(r.summary(v, level));
    }
    if (extra != null) {
      cells.add(extra);
    }
    for (MeanSem m : cells) {
      row.add(Formats.cell(m));
    }
    rows.add(row);
    best.add(bestOf(cells, 2));
  }

  private static Table categoryTable(EvaluationReport r) {
    List<String> header = new ArrayList<>(List.of("category", "train", "test"));
    for (String v : r.variants()) {
      header.add(v + " (combined)");
    }
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (Evaluation.CategoryResult c : r.categories()) {
      List<String> row = new ArrayList<>(List.of(c.category(), Integer.toString(c.nTrain()),
          Integer.toString(c.nTest())));
      List<MeanSem> cells = new ArrayList<>();
      for (Evaluation.VariantResult v : c.variants()) {
        cells.add(new MeanSem(v.combinedAuroc(), Double.NaN, 1));
        row.add(Formats.pct(v.combinedAuroc()));
      }
      rows.add(row);
      best.add(bestOf(cells, 3));
    }
    return new Table("table-i-categories", "Combined-score AUROC (%) per category, mean over "
        + r.categories().get(0).variants().get(0).folds().size() + " fold(s)", header, rows, best, -1);
  }

  private static Table publishedTableI() {
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (int l = 0; l < PublishedResults.LEVELS.size(); l++) {
      rows.add(List.of(PublishedResults.LEVELS.get(l), PublishedResults.TABLE_II[l][PublishedResults.B4], "—", "—"));
      best.add(Set.of());
    }
    return new Table("table-i-published", "The paper's published numbers, EfficientNet-B4 on MVTec AD — for "
        + "comparison only (source: " + PublishedResults.SOURCE + ")", List.of("paper level", "mvg (paper)", "l2 (not published)", "sed (not published)"),
        rows, best, rows.size() - 1);
  }

  /**
   * Table II's column names: each backbone's name, made unique with how the user named it (e.g. the ONNX file) when
   * two share a name (two ONNX files of the same preset), and with a counter if even that repeats.
   */
  static List<String> backboneNames(List<ExperimentResults.BackboneRun> runs) {
    List<String> names = new ArrayList<>();
    for (ExperimentResults.BackboneRun b : runs) {
      String name = b.mvg().backbone().name();
      boolean shared = runs.stream().filter(o -> o.mvg().backbone().name().equals(name)).count() > 1;
      names.add(shared && !b.label().equals(name) ? name + " (" + b.label() + ")" : name);
    }
    List<String> unique = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      unique.add(java.util.Collections.frequency(names, n) > 1 ? n + " #" + (1 + names.subList(0, i).stream()
          .filter(n::equals).count()) : n);
    }
    return unique;
  }

  private static Table backbonesTable(List<EvaluationReport> reps, List<String> names, String over) {
    int maxLevels = 0;
    List<String> header = new ArrayList<>(List.of("level"));
    for (EvaluationReport r : reps) {
      maxLevels = Math.max(maxLevels, r.backbone().levelCount());
    }
    header.addAll(names);
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (int row0 = 0; row0 <= maxLevels; row0++) {
      int level = row0 == maxLevels ? -1 : row0; // the last row is the combined score
      List<String> row = new ArrayList<>(List.of(level < 0 ? "mean of levels (combined)" : "L" + level));
      List<MeanSem> cells = new ArrayList<>();
      for (EvaluationReport r : reps) {
        int v = r.variants().indexOf("mvg");
        MeanSem m = level < r.backbone().levelCount() ? r.summary(v, level) : null;
        cells.add(m);
        row.add(m == null ? "—" : Formats.cell(m) + (level < 0 ? "" : " (" + r.backbone().levelNames().get(level)
            + ", " + r.backbone().levelDims().get(level) + ")"));
      }
      rows.add(row);
      best.add(bestOf(cells, 1));
    }
    return new Table("table-ii-table", "Table II (ours): MVG AUROC (%) per level, " + over
        + "; in brackets the level's output name and dimension", header, rows, best, rows.size() - 1);
  }

  private static Table publishedTableII() {
    List<String> header = new ArrayList<>(List.of("paper level"));
    for (String a : PublishedResults.ARCHS) {
      header.add("EfficientNet-" + a);
    }
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (int l = 0; l < PublishedResults.LEVELS.size(); l++) {
      List<String> row = new ArrayList<>(List.of(PublishedResults.LEVELS.get(l)));
      row.addAll(List.of(PublishedResults.TABLE_II[l]));
      rows.add(row);
      best.add(Set.of());
    }
    return new Table("table-ii-published", "The paper's published numbers, EfficientNet-B0…B7 on MVTec AD — for "
        + "comparison only (source: " + PublishedResults.SOURCE + ")", header, rows,
        best, rows.size() - 1);
  }

  private static Table sweepTable(List<Experiments.SweepPoint> points) {
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    List<Experiments.SweepPoint> pca = points.stream().filter(p -> !p.negated()).toList();
    List<Experiments.SweepPoint> npca = points.stream().filter(Experiments.SweepPoint::negated).toList();
    for (int i = 0; i < pca.size(); i++) {
      Experiments.SweepPoint p = pca.get(i);
      Experiments.SweepPoint q = npca.get(i);
      rows.add(List.of(trim(p.threshold()), Formats.cell(p.auroc()), Formats.pct(p.meanKeptFraction()) + " %",
          Formats.cell(q.auroc()), Formats.pct(q.meanKeptFraction()) + " %"));
      Set<Integer> b = new HashSet<>();
      if (p.auroc().mean() >= q.auroc().mean()) {
        b.add(1);
      }
      if (q.auroc().mean() >= p.auroc().mean()) {
        b.add(3);
      }
      best.add(b);
    }
    return new Table("variance-sweep-table", "Combined-score AUROC (%) versus variance threshold t",
        List.of("variance threshold t", "PCA AUROC", "PCA kept", "NPCA AUROC", "NPCA kept"), rows, best, -1);
  }

  private static Table sigmaTable(ExperimentResults.SigmaTable t) {
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (Experiments.SigmaRow r : t.rows()) {
      rows.add(List.of(Integer.toString(r.sigma()), Formats.score(r.threshold()), Formats.smallPct(r.predictedFpr()),
          Formats.cell(r.fpr()), Formats.cell(r.tpr())));
      best.add(Set.of());
    }
    boolean varies = t.dofVaries();
    return new Table("sigma-table-table", "χ² thresholds on " + t.variant() + " distances at level " + t.levelName()
        + " (" + t.dofDescription() + "); rates in %" + (varies ? "; k differs between folds, so each fold has its own "
            + "threshold and the threshold column is their mean over categories and folds" : ""),
        List.of("σ", varies ? "mean threshold" : "threshold", "predicted FPR", "measured FPR", "TPR"), rows, best,
        -1);
  }

  /** Indices (offset by {@code first}) of the cells with the highest mean; none when there is only one value. */
  private static Set<Integer> bestOf(List<MeanSem> cells, int first) {
    double max = Double.NEGATIVE_INFINITY;
    int present = 0;
    for (MeanSem m : cells) {
      if (m != null) {
        max = Math.max(max, m.mean());
        present++;
      }
    }
    Set<Integer> out = new HashSet<>();
    if (present < 2) {
      return out;
    }
    for (int i = 0; i < cells.size(); i++) {
      if (cells.get(i) != null && cells.get(i).mean() == max) {
        out.add(first + i);
      }
    }
    return out;
  }

  private static String trim(double t) {
    String s = Double.toString(t);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  // ---------------------------------------------------------------------------------------------- layout

  private static List<String[]> setup(ExperimentResults r) {
    EvaluationReport lv = r.levels();
    BackboneSpec b = lv.backbone();
    List<String[]> out = new ArrayList<>();
    out.add(new String[] {"Backbone", b.name() + ", input " + b.inputSizePx() + " × " + b.inputSizePx()
        + " px, normalisation " + b.normalization().id() + ", " + b.levelCount() + " levels"});
    out.add(new String[] {"Weights", r.weights()});
    out.add(new String[] {"ONNX SHA-256", b.onnxSha256()});
    out.add(new String[] {"Data root", r.dataRoot()});
    out.add(new String[] {"Protocol", lv.protocol().describe()});
    out.add(new String[] {"Aggregation", "per category the mean over folds; then mean over categories ± SEM "
        + "(sample standard deviation with ddof = 1, divided by √n), in %"});
    out.add(new String[] {"Generated", r.generated().format(HtmlPage.DATE) + " by maha " + MahaVersion.get()});
    return out;
  }

  private static Table categoriesTable(ExperimentResults r) {
    List<List<String>> rows = new ArrayList<>();
    List<Set<Integer>> best = new ArrayList<>();
    for (int c = 0; c < r.levels().categories().size(); c++) {
      Evaluation.CategoryResult cr = r.levels().categories().get(c);
      String fit = c < r.splits().size() ? r.splits().get(c).nFitPerFold().toString().replaceAll("[\\[\\]]", "")
          : "";
      rows.add(List.of(cr.category(), Integer.toString(cr.nTrain()), Integer.toString(cr.nTest()),
          Explanations.composition(cr), fit));
      best.add(Set.of());
    }
    return new Table("categories-table", "Categories", List.of("category", "n_train", "n_test", "test images",
        "fit images per fold"), rows, best, -1);
  }

  private static final List<String[]> FILES = List.of(
      new String[] {"folds.json", "per category n_train, the name-sorted training files and each fold's held-out "
          + "indices (the shape of mvtec_kfold_heldout.json)"},
      new String[] {"auroc_per_fold.csv", "category, variant, level (combined = mean of levels), fold, AUROC"},
      new String[] {"auroc_per_category.csv", "the same, averaged over folds"},
      new String[] {"auroc_summary.csv", "every table cell: experiment, backbone, variant, level, mean, SEM "
          + "(ddof = 1), number of categories"},
      new String[] {"backbones_auroc_per_fold.csv", "Table II per backbone, category, fold"},
      new String[] {"sweep.csv, sweep_summary.csv", "AUROC versus variance threshold, per category and summarised"},
      new String[] {"sigma_counts.csv, sigma_summary.csv", "images beyond each χ² threshold per category and fold"},
      // written by maha experiment beside this page for Table I (ReportFiles), listed by ExperimentFiles.names
      new String[] {"pixel_metrics.csv", "with --maps: pixel AUROC and AU-PRO per category with masks"},
      new String[] {"auroc.csv, scores.csv, evaluation.json", "Table I's per-image scores and per-level distances of "
          + "every fold"});

  private static String html(ExperimentResults r, List<Section> sections) {
    StringBuilder h = new StringBuilder(1 << 16);
    String title = "maha experiment: the paper's experiments on " + r.dataRoot();
    h.append("<!DOCTYPE html>\n<html lang=\"en\" data-page=\"experiments\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .append(esc(title)).append("</title>\n<style>\n").append(HtmlPage.CSS)
        .append("\ntd.best { font-weight: 700; }\ncaption { white-space: normal; max-width: 480px; }\n")
        .append(".published caption { color: #7a4a00; }\n")
        .append(".published { background: #fffaf0; }\n</style>\n</head>\n<body>\n<main>\n<header>\n<h1>")
        .append(esc(title)).append("</h1>\n<p class=\"meta\">Rippel, Mertens &amp; Merhof, ICPR 2020 (arXiv "
            + "2005.14140), reproduced with maha ").append(esc(MahaVersion.get())).append("</p>\n")
        .append("<dl class=\"setup\" id=\"setup\">\n");
    for (String[] kv : setup(r)) {
      h.append("<dt>").append(esc(kv[0])).append("</dt><dd>").append(esc(kv[1])).append("</dd>\n");
    }
    h.append("</dl>\n");
    table(h, categoriesTable(r), false);
    if (r.weights().contains("NOT pretrained")) {
      h.append("<p class=\"howto\"><b>Random weights:</b> the main backbone is a random initialisation, NOT "
          + "pretrained; its AUROCs say nothing about the method.</p>\n");
    }
    h.append("</header>\n<nav class=\"toc\" id=\"toc\"><b>Contents:</b> ");
    for (Section s : sections) {
      h.append("<a href=\"#").append(s.id()).append("\">").append(esc(s.title())).append("</a> ");
    }
    h.append("<a href=\"#files\">Files</a>");
    h.append("</nav>\n");
    for (Section s : sections) {
      h.append("<section id=\"").append(s.id()).append("\">\n<h2>").append(esc(s.title())).append("</h2>\n")
          .append("<div class=\"howto\"><b>How to read this.</b>");
      for (String p : s.howTo()) {
        h.append("<p>").append(esc(p)).append("</p>");
      }
      h.append("</div>\n<div class=\"row\">\n");
      if (!s.tables().isEmpty()) {
        h.append("<div>\n");
        table(h, s.tables().get(0), false);
        h.append("</div>\n");
      }
      for (Figure f : s.figures()) {
        figure(h, f);
      }
      h.append("</div>\n");
      for (Table t : s.tables().subList(Math.min(1, s.tables().size()), s.tables().size())) {
        table(h, t, t.id().endsWith("-published"));
      }
      for (String note : s.notes()) {
        h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
      }
      h.append("</section>\n");
    }
    h.append("<section id=\"files\">\n<h2>Files</h2>\n<p>Beside this page, to check every number "
        + "independently (AUROC per fold → mean per category → mean ± SEM):</p>\n<ul>\n");
    Set<String> written = new HashSet<>(org.maha.pipeline.ExperimentFiles.names(r));
    for (String[] f : FILES) {
      if (!written.containsAll(List.of(f[0].split(", ")))) {
        continue;
      }
      h.append("<li><code>").append(esc(f[0])).append("</code>: ").append(esc(f[1])).append("</li>\n");
    }
    h.append("</ul>\n<p>Per-category score histograms with the χ² and held-out thresholds, and the highest- and "
        + "lowest-scoring images: <a href=\"report.html\">report.html</a>.</p>\n</section>\n");
    h.append("<footer>Generated by maha ").append(esc(MahaVersion.get())).append(" on ")
        .append(esc(r.generated().format(HtmlPage.DATE))).append(". Figures are also saved as PNG files under "
            + "<code>figures/</code>.</footer>\n</main>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void table(StringBuilder h, Table t, boolean published) {
    h.append("<table id=\"").append(t.id()).append('"').append(published ? " class=\"published\"" : "")
        .append(">\n<caption>").append(esc(t.caption())).append("</caption>\n<thead><tr>");
    for (int i = 0; i < t.header().size(); i++) {
      h.append(i == 0 ? "<th>" : "<th class=\"num\">").append(esc(t.header().get(i))).append("</th>");
    }
    h.append("</tr></thead>\n<tbody>\n");
    for (int r = 0; r < t.rows().size(); r++) {
      h.append(r == t.totalRow() ? "<tr class=\"total\">" : "<tr>");
      List<String> row = t.rows().get(r);
      for (int i = 0; i < row.size(); i++) {
        boolean best = t.best().get(r).contains(i);
        h.append(i == 0 ? "<td>" : best ? "<td class=\"num best\"><b>" : "<td class=\"num\">").append(esc(row.get(i)))
            .append(best && i > 0 ? "</b></td>" : "</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  private static void figure(StringBuilder h, Figure f) {
    h.append("<figure><img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(f.png().bytes()))
        .append("\" width=\"").append(f.png().widthPx()).append("\" height=\"").append(f.png().heightPx())
        .append("\" alt=\"").append(esc(f.alt())).append("\" data-file=\"figures/").append(esc(f.fileName()))
        .append("\">\n<figcaption style=\"max-width:").append(f.png().widthPx()).append("px\">")
        .append(esc(f.caption())).append("</figcaption></figure>\n");
  }

  private static String markdown(ExperimentResults r, List<Section> sections) {
    StringBuilder m = new StringBuilder("# maha experiment: the paper's experiments on ").append(r.dataRoot())
        .append("\n\n");
    for (String[] kv : setup(r)) {
      m.append("- ").append(kv[0]).append(": ").append(kv[1]).append('\n');
    }
    m.append('\n');
    mdTable(m, categoriesTable(r));
    for (Section s : sections) {
      m.append("## ").append(s.title()).append("\n\n");
      for (String p : s.howTo()) {
        m.append(p).append("\n\n");
      }
      for (Table t : s.tables()) {
        mdTable(m, t);
      }
      for (Figure f : s.figures()) {
        m.append("![").append(f.alt()).append("](figures/").append(f.fileName()).append(")\n\n");
      }
      for (String note : s.notes()) {
        m.append(note).append("\n\n");
      }
    }
    return m.toString();
  }

  private static void mdTable(StringBuilder m, Table t) {
    m.append(t.caption()).append("\n\n|");
    for (String c : t.header()) {
      m.append(' ').append(c).append(" |");
    }
    m.append("\n|---|").append("---:|".repeat(t.header().size() - 1)).append('\n');
    for (int r = 0; r < t.rows().size(); r++) {
      m.append('|');
      List<String> row = t.rows().get(r);
      for (int i = 0; i < row.size(); i++) {
        boolean bold = t.best().get(r).contains(i) || (r == t.totalRow() && i == 0);
        m.append(' ').append(bold ? "**" + row.get(i) + "**" : row.get(i)).append(" |");
      }
      m.append('\n');
    }
    m.append('\n');
  }

  private static String esc(String s) {
    return HtmlPage.esc(s);
  }
}
