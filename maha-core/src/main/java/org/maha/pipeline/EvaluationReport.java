package org.maha.pipeline;

import java.util.List;
import java.util.Locale;
import org.maha.backbone.BackboneSpec;
import org.maha.eval.MeanSem;
import org.maha.eval.Summary;

/**
 * The result of {@code maha evaluate}: per-category AUROCs and scores, and their mean ± SEM (ddof = 1) over
 * categories (PAPER §1.8).
 */
public record EvaluationReport(BackboneSpec backbone, List<String> variants,
    List<Evaluation.CategoryResult> categories, Evaluation.Protocol protocol) {

  public EvaluationReport {
    variants = List.copyOf(variants);
    categories = List.copyOf(categories);
  }

  /** A report of the quick protocol (one fit on all training images). */
  public EvaluationReport(BackboneSpec backbone, List<String> variants, List<Evaluation.CategoryResult> categories) {
    this(backbone, variants, categories, Evaluation.Protocol.fullTrain());
  }

  /** Mean ± SEM over categories of the AUROC at {@code level}, or of the combined score when level is -1. */
  public MeanSem summary(int variant, int level) {
    double[] v = new double[categories.size()];
    for (int c = 0; c < v.length; c++) {
      Evaluation.VariantResult r = categories.get(c).variants().get(variant);
      v[c] = level < 0 ? r.combinedAuroc() : r.levelAuroc()[level];
    }
    return Summary.meanSem(v);
  }

  /** Markdown tables: AUROC (%) per level and combined, one column per variant; then combined per category. */
  public String toMarkdown() {
    StringBuilder s = new StringBuilder();
    int n = categories.size();
    s.append("Image-level AUROC (%) — backbone ").append(backbone.label()).append(", ")
        .append(n).append(n == 1 ? " category (" + categories.get(0).category() + ")" : " categories, mean ± SEM")
        .append(protocol.isFullTrain() ? "" : ", mean over " + protocol.folds() + " folds per category")
        .append(protocol.augmented() ? ", fitted on " + protocol.augmentPasses() + " augmented copies of each "
            + "training image (seed " + protocol.augmentSeed() + ")" : "")
        .append("\n\n");
    s.append("| level | dim |");
    for (String v : variants) {
      s.append(' ').append(v).append(" |");
    }
    s.append("\n|---|---:|");
    s.append("---:|".repeat(variants.size())).append('\n');
    int total = 0;
    for (int l = 0; l < backbone.levelNames().size(); l++) {
      int d = backbone.levelDims().get(l);
      total += d;
      s.append("| ").append(backbone.levelNames().get(l)).append(" | ").append(d).append(" |");
      for (int v = 0; v < variants.size(); v++) {
        s.append(' ').append(cell(summary(v, l))).append(" |");
      }
      s.append('\n');
    }
    s.append("| **mean of levels** | ").append(total).append(" |");
    for (int v = 0; v < variants.size(); v++) {
      s.append(" **").append(cell(summary(v, -1))).append("** |");
    }
    s.append('\n');
    if (n > 1) {
      s.append("\nCombined score AUROC (%) per category\n\n| category | train | test |");
      for (String v : variants) {
        s.append(' ').append(v).append(" |");
      }
      s.append("\n|---|---:|---:|").append("---:|".repeat(variants.size())).append('\n');
      for (Evaluation.CategoryResult c : categories) {
        s.append("| ").append(c.category()).append(" | ").append(c.nTrain()).append(" | ").append(c.nTest())
            .append(" |");
        for (Evaluation.VariantResult r : c.variants()) {
          s.append(' ').append(pct(r.combinedAuroc())).append(" |");
        }
        s.append('\n');
      }
    }
    return s.toString();
  }

  private static String cell(MeanSem m) {
    return Double.isNaN(m.sem()) ? pct(m.mean()) : pct(m.mean()) + " ± " + pct(m.sem());
  }

  private static String pct(double x) {
    return String.format(Locale.ROOT, "%.1f", 100 * x);
  }
}
