package org.maha.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maha.eval.MeanSem;
import org.maha.model.MahaVersion;

/**
 * The machine-readable files of {@code maha experiment}, written so that every number of the report can be checked
 * by an independent computation (PAPER.md §1.2, §1.8):
 *
 * <ul>
 *   <li>{@code folds.json}: per category {@code n_train}, the name-sorted training file names and each fold's
 *       held-out indices, in the shape of {@code mvtec_kfold_heldout.json} (so the two can be diffed);
 *   <li>{@code auroc_per_fold.csv}: {@code category,variant,level,fold,auroc} for every variant of Table I and of
 *       the PCA/NPCA table on the main backbone, level {@code combined} being the mean-of-levels score;
 *   <li>{@code auroc_per_category.csv}: the same averaged over folds (PAPER §1.8: one value per category);
 *   <li>{@code auroc_summary.csv}: per experiment, backbone, variant and level, the mean over categories of those
 *       per-category values and their SEM = sample standard deviation (ddof = 1) / √n;
 *   <li>{@code backbones_auroc_per_fold.csv} (Table II), {@code sweep.csv} + {@code sweep_summary.csv} (AUROC vs
 *       variance; method pca/npca or pca-official/npca-official names the component rule, and the summary counts
 *       the per-level fits that kept a single, possibly null, component), {@code sigma_counts.csv} + {@code sigma_summary.csv} (the σ table);
 *   <li>{@code pixel_metrics.csv} (with {@code --maps}, where masks exist): {@link MapEvaluation#csv};
 *   <li>{@code experiments.json}: the header and every summary.
 * </ul>
 */
public final class ExperimentFiles {
  private ExperimentFiles() {}

  /** Experiment id of the Table I rows in {@code auroc_summary.csv}. */
  public static final String LEVELS = "levels";
  /** Experiment id of the PCA/NPCA rows. */
  public static final String PCA = "pca";
  /** Experiment id of the Table II rows. */
  public static final String BACKBONES = "backbones";

  /**
   * The names of every file {@code maha experiment} writes for {@code r}: those of {@link #files} and the Table I
   * files of {@link ReportFiles} ({@code auroc.csv}, {@code scores.csv}, {@code evaluation.json}), so the report
   * lists only files that exist.
   */
  public static List<String> names(ExperimentResults r) {
    List<String> out = new java.util.ArrayList<>(List.of("folds.json"));
    if (!r.backbones().isEmpty()) {
      out.add("backbones_auroc_per_fold.csv");
    }
    out.addAll(List.of("auroc_per_fold.csv", "auroc_per_category.csv", "auroc_summary.csv"));
    if (!r.sweep().isEmpty()) {
      out.addAll(List.of("sweep.csv", "sweep_summary.csv"));
    }
    if (r.sigma().isPresent()) {
      out.addAll(List.of("sigma_counts.csv", "sigma_summary.csv"));
    }
    if (!r.pixels().isEmpty()) {
      out.add(MapEvaluation.CSV_FILE);
    }
    out.addAll(List.of("experiments.json", "auroc.csv", "scores.csv", "evaluation.json"));
    return out;
  }

  /** File name → bytes, in a fixed order. */
  public static Map<String, byte[]> files(ExperimentResults r) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put("folds.json", foldsJson(r));
    StringBuilder perFold = new StringBuilder("category,variant,level,fold,auroc\n");
    StringBuilder perCat = new StringBuilder("category,variant,level,n_folds,auroc\n");
    StringBuilder summary = new StringBuilder("experiment,backbone,variant,level,dim,mean,sem,n_categories\n");
    perFoldRows(perFold, "", r.levels());
    perCategoryRows(perCat, r.levels());
    summaryRows(summary, LEVELS, r.levels());
    if (r.pca().isPresent()) {
      perFoldRows(perFold, "", r.pca().get());
      perCategoryRows(perCat, r.pca().get());
      summaryRows(summary, PCA, r.pca().get());
    }
    if (!r.backbones().isEmpty()) {
      StringBuilder bb = new StringBuilder("backbone,category,variant,level,fold,auroc\n");
      for (ExperimentResults.BackboneRun b : r.backbones()) {
        perFoldRows(bb, ReportFiles.csv(b.mvg().backbone().name()) + ",", b.mvg());
        summaryRows(summary, BACKBONES, b.mvg());
      }
      out.put("backbones_auroc_per_fold.csv", utf8(bb));
    }
    out.put("auroc_per_fold.csv", utf8(perFold));
    out.put("auroc_per_category.csv", utf8(perCat));
    out.put("auroc_summary.csv", utf8(summary));
    if (!r.sweep().isEmpty()) {
      StringBuilder sw = new StringBuilder("method,threshold,category,auroc\n");
      StringBuilder ss = new StringBuilder("method,threshold,mean,sem,n_categories,mean_kept_fraction,level_fits,"
          + "single_component_fits,null_single_component_fits\n");
      List<Evaluation.CategoryResult> names = r.levels().categories();
      for (Experiments.SweepPoint p : r.sweep()) {
        String m = p.method();
        for (int c = 0; c < p.categoryAuroc().size(); c++) {
          sw.append(m).append(',').append(p.threshold()).append(',').append(ReportFiles.csv(names.get(c).category()))
              .append(',').append(p.categoryAuroc().get(c)).append('\n');
        }
        ss.append(m).append(',').append(p.threshold()).append(',').append(meanSem(p.auroc())).append(',')
            .append(p.meanKeptFraction()).append(',').append(p.levelFits()).append(',')
            .append(p.singleComponentFits()).append(',').append(p.nullSingleFits()).append('\n');
      }
      out.put("sweep.csv", utf8(sw));
      out.put("sweep_summary.csv", utf8(ss));
    }
    if (r.sigma().isPresent()) {
      ExperimentResults.SigmaTable t = r.sigma().get();
      StringBuilder sc = new StringBuilder("variant,level,dim,category,fold,sigma,dof,threshold,good,good_above,"
          + "defective,defective_above,fpr,tpr\n");
      String prefix = ReportFiles.csv(t.variant()) + ',' + ReportFiles.csv(t.levelName()) + ',' + t.dim() + ',';
      for (Experiments.SigmaCount c : t.counts()) {
        sc.append(prefix).append(ReportFiles.csv(c.category())).append(',').append(fold(r.levels(), c.fold()))
            .append(',').append(c.sigma()).append(',').append(c.dof()).append(',').append(c.threshold()).append(',').append(c.good()).append(',')
            .append(c.goodAbove()).append(',').append(c.defective()).append(',').append(c.defectiveAbove())
            .append(',').append(c.fpr()).append(',').append(c.tpr()).append('\n');
      }
      StringBuilder ss = new StringBuilder("variant,level,dim,sigma,threshold,predicted_fpr,fpr_mean,fpr_sem,"
          + "fpr_n_categories,tpr_mean,tpr_sem,tpr_n_categories\n");
      for (Experiments.SigmaRow row : t.rows()) {
        ss.append(prefix).append(row.sigma()).append(',').append(row.threshold()).append(',')
            .append(row.predictedFpr()).append(',').append(meanSem(row.fpr())).append(',').append(meanSem(row.tpr()))
            .append('\n');
      }
      out.put("sigma_counts.csv", utf8(sc));
      out.put("sigma_summary.csv", utf8(ss));
    }
    if (!r.pixels().isEmpty()) {
      out.put(MapEvaluation.CSV_FILE, MapEvaluation.csv(r.pixels()).getBytes(StandardCharsets.UTF_8));
    }
    out.put("experiments.json", json(r));
    return out;
  }

  /** {@code folds.json}: the shape of {@code mvtec_kfold_heldout.json}, plus the file names. */
  static byte[] foldsJson(ExperimentResults r) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    Evaluation.Protocol p = r.levels().protocol();
    root.put("_about", "Held-out training indices per fold, as used by maha " + MahaVersion.get() + ": "
        + p.describe() + ". Fold f fits on all indices NOT in held_out[f]; indices point into train_files "
        + "(the category's readable train/good images sorted by file name). Same shape as "
        + "mvtec_kfold_heldout.json.");
    root.put("n_splits", p.folds());
    root.put("random_state", p.seed());
    ObjectNode cats = root.putObject("categories");
    for (ExperimentResults.CategorySplit s : r.splits()) {
      ObjectNode c = cats.putObject(s.category());
      c.put("n_train", s.trainFiles().size());
      ArrayNode nFit = c.putArray("n_fit_per_fold");
      s.nFitPerFold().forEach(nFit::add);
      ArrayNode held = c.putArray("held_out");
      for (List<Integer> fold : s.heldOut()) {
        ArrayNode f = held.addArray();
        fold.forEach(f::add);
      }
      ArrayNode files = c.putArray("train_files");
      s.trainFiles().forEach(files::add);
    }
    return m.writeValueAsBytes(root);
  }

  private static void perFoldRows(StringBuilder s, String prefix, EvaluationReport r) {
    List<String> levels = r.backbone().levelNames();
    for (Evaluation.CategoryResult c : r.categories()) {
      for (Evaluation.VariantResult v : c.variants()) {
        for (Evaluation.FoldResult f : v.folds()) {
          String head = prefix + ReportFiles.csv(c.category()) + ',' + ReportFiles.csv(v.variant()) + ',';
          String fold = fold(r, f.fold());
          for (int l = 0; l < levels.size(); l++) {
            s.append(head).append(ReportFiles.csv(levels.get(l))).append(',').append(fold).append(',')
                .append(f.levelAuroc()[l]).append('\n');
          }
          s.append(head).append("combined,").append(fold).append(',').append(f.combinedAuroc()).append('\n');
        }
      }
    }
  }

  private static void perCategoryRows(StringBuilder s, EvaluationReport r) {
    List<String> levels = r.backbone().levelNames();
    for (Evaluation.CategoryResult c : r.categories()) {
      for (Evaluation.VariantResult v : c.variants()) {
        String head = ReportFiles.csv(c.category()) + ',' + ReportFiles.csv(v.variant()) + ',';
        for (int l = 0; l < levels.size(); l++) {
          s.append(head).append(ReportFiles.csv(levels.get(l))).append(',').append(v.folds().size()).append(',')
              .append(v.levelAuroc()[l]).append('\n');
        }
        s.append(head).append("combined,").append(v.folds().size()).append(',').append(v.combinedAuroc())
            .append('\n');
      }
    }
  }

  private static void summaryRows(StringBuilder s, String experiment, EvaluationReport r) {
    List<String> levels = r.backbone().levelNames();
    String head = experiment + ',' + ReportFiles.csv(r.backbone().name()) + ',';
    for (int v = 0; v < r.variants().size(); v++) {
      String hv = head + ReportFiles.csv(r.variants().get(v)) + ',';
      for (int l = 0; l < levels.size(); l++) {
        s.append(hv).append(ReportFiles.csv(levels.get(l))).append(',').append(r.backbone().levelDims().get(l))
            .append(',').append(meanSem(r.summary(v, l))).append('\n');
      }
      s.append(hv).append("combined,").append(r.backbone().levelDims().stream().mapToInt(Integer::intValue).sum())
          .append(',').append(meanSem(r.summary(v, -1))).append('\n');
    }
  }

  private static String fold(EvaluationReport r, int fold) {
    return r.protocol().isFullTrain() ? "all" : Integer.toString(fold);
  }

  /** {@code mean,sem,n}; the SEM is empty when undefined (one category). */
  private static String meanSem(MeanSem m) {
    return m.mean() + "," + (Double.isNaN(m.sem()) ? "" : Double.toString(m.sem())) + "," + m.n();
  }

  private static byte[] json(ExperimentResults r) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    root.put("mahaVersion", MahaVersion.get());
    root.put("generated", r.generated().toString());
    root.put("backbone", r.levels().backbone().name());
    root.put("weights", r.weights());
    root.put("onnxSha256", r.levels().backbone().onnxSha256());
    root.put("dataRoot", r.dataRoot());
    root.put("protocol", r.levels().protocol().describe());
    root.put("aggregation", "per category: mean over folds; then mean over categories and SEM = std (ddof=1) / "
        + "sqrt(n_categories)");
    ArrayNode cats = root.putArray("categories");
    for (Evaluation.CategoryResult c : r.levels().categories()) {
      cats.addObject().put("category", c.category()).put("nTrain", c.nTrain()).put("nTest", c.nTest());
    }
    ArrayNode ex = root.putArray("experiments");
    r.experiments().forEach(ex::add);
    if (r.experiments().contains(LEVELS)) {
      root.set("levels", ReportFiles.summaryJson(m, r.levels()));
    }
    r.pca().ifPresent(p -> root.set("pca", ReportFiles.summaryJson(m, p)));
    if (!r.sweep().isEmpty()) {
      root.set("sweep", m.valueToTree(r.sweep()));
    }
    r.sigma().ifPresent(t -> {
      root.put("sigmaVariant", t.variant());
      root.put("sigmaLevel", t.levelName());
      root.put("sigmaDim", t.dim());
      root.set("sigma", m.valueToTree(t.rows()));
    });
    if (!r.backbones().isEmpty()) {
      ArrayNode bb = root.putArray("backbones");
      for (ExperimentResults.BackboneRun b : r.backbones()) {
        ObjectNode o = bb.addObject();
        o.put("label", b.label());
        o.put("name", b.mvg().backbone().name());
        o.put("weights", b.weights());
        o.put("onnxSha256", b.mvg().backbone().onnxSha256());
        o.put("inputSizePx", b.mvg().backbone().inputSizePx());
        o.put("normalization", b.mvg().backbone().normalization().id());
        o.set("summary", ReportFiles.summaryJson(m, b.mvg()));
      }
    }
    return m.writeValueAsBytes(root);
  }

  private static byte[] utf8(StringBuilder s) {
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }
}
