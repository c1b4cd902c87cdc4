package org.maha.report;

import java.util.List;
import org.maha.backbone.BackboneSpec;
import org.maha.model.MahaVersion;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.ImageResult;

/**
 * The report as Markdown: {@link org.maha.pipeline.EvaluationReport#toMarkdown()} verbatim (the tables printed by
 * {@code maha evaluate}), then the per-category tables, with links to the PNG files under {@code figures/}.
 */
final class MarkdownPage {
  private MarkdownPage() {}

  static String render(ReportContent c) {
    ReportOptions o = c.options();
    BackboneSpec b = c.report().backbone();
    List<String> variants = c.report().variants();
    StringBuilder s = new StringBuilder();
    s.append("# ").append(o.title()).append("\n\n");
    s.append("Generated ").append(o.generated().format(HtmlPage.DATE)).append(" · maha ").append(MahaVersion.get())
        .append("\n\n");
    s.append("- Backbone: ").append(b.name()).append(", input ").append(b.inputSizePx()).append(" × ")
        .append(b.inputSizePx()).append(" px, normalisation ").append(b.normalization().id()).append('\n');
    s.append("- ONNX SHA-256: `").append(b.onnxSha256()).append("`\n");
    s.append("- Protocol: ").append(Explanations.protocol(c.report())).append('\n');
    for (String v : variants) {
      s.append("- `").append(v).append("`: ").append(VariantNames.describe(v)).append('\n');
    }
    s.append("\n## How to read this report\n\n");
    for (String p : Explanations.howToRead(c)) {
      s.append(p).append("\n\n");
    }
    s.append("## Summary\n\n").append(c.report().toMarkdown()).append('\n');
    s.append("![").append(c.byLevel().alt()).append("](figures/").append(c.byLevel().fileName()).append(")\n\n");
    String variant = variants.get(c.histogramVariant());
    String level = b.levelNames().get(c.histogramLevel());
    for (CategorySection sec : c.categories()) {
      CategoryResult r = sec.result();
      s.append("## ").append(r.category()).append("\n\n").append(r.nTrain()).append(" training images; ")
          .append(r.nTest()).append(" test images: ").append(Explanations.composition(r)).append(".\n\n");
      s.append("| level | dim |");
      for (String v : variants) {
        s.append(' ').append(v).append(" |");
      }
      s.append("\n|---|---:|").append("---:|".repeat(variants.size())).append('\n');
      for (int l = 0; l < b.levelCount(); l++) {
        s.append("| ").append(b.levelNames().get(l)).append(" | ").append(b.levelDims().get(l)).append(" |");
        for (int v = 0; v < variants.size(); v++) {
          s.append(' ').append(Formats.pct(r.variants().get(v).levelAuroc()[l])).append(" |");
        }
        s.append('\n');
      }
      s.append("| **mean of levels** | ").append(b.levelDims().stream().mapToInt(Integer::intValue).sum())
          .append(" |");
      for (int v = 0; v < variants.size(); v++) {
        s.append(" **").append(Formats.pct(r.variants().get(v).combinedAuroc())).append("** |");
      }
      s.append("\n\n");
      if (!sec.sigma().isEmpty()) {
        s.append("χ² thresholds, ").append(variant).append(" at level ").append(level)
            .append(" (flagged if distance > threshold)\n\n")
            .append("| σ | threshold | predicted FPR (%) | measured FPR (%) | TPR (%) |\n|---:|---:|---:|---:|---:|\n");
        for (SigmaRow row : sec.sigma()) {
          s.append("| ").append(row.sigma()).append(" | ").append(Formats.score(row.threshold())).append(" | ")
              .append(Formats.smallPct(row.predictedFpr())).append(" | ").append(Formats.pct(row.fpr()))
              .append(" (").append(row.goodAbove()).append('/').append(row.good()).append(") | ")
              .append(Formats.pct(row.tpr())).append(" (").append(row.defectiveAbove()).append('/')
              .append(row.defective()).append(") |\n");
        }
        s.append('\n').append(Explanations.SIGMA_NOTE).append("\n\n");
      }
      if (sec.calibration() != null) {
        s.append(Explanations.calibration(sec.calibration())).append("\n\n");
      }
      for (Figure f : sec.figures()) {
        s.append("![").append(f.alt()).append("](figures/").append(f.fileName()).append(")\n");
      }
      s.append("\n| row | rank | score | label | defect type | file |\n|---|---:|---:|---|---|---|\n");
      rows(s, "highest", sec.selection().highest());
      rows(s, "lowest", sec.selection().lowest());
      s.append('\n');
    }
    if (!c.maps().isEmpty()) {
      s.append("## Anomaly maps: where is the defect?\n\n");
      for (String p : Explanations.MAPS) {
        s.append(p).append("\n\n");
      }
      for (MapFigures.Category m : c.maps()) {
        s.append("### ").append(m.category()).append("\n\n").append(Explanations.mapScale(m)).append("\n\n");
        for (Figure f : m.figures()) {
          s.append("![").append(f.alt()).append("](figures/").append(f.fileName()).append(") ").append(f.caption())
              .append("\n\n");
        }
      }
    }
    return s.toString();
  }

  private static void rows(StringBuilder s, String row, List<ImageResult> images) {
    for (int i = 0; i < images.size(); i++) {
      ImageResult im = images.get(i);
      s.append("| ").append(row).append(" | ").append(i + 1).append(" | ").append(Formats.score(im.score()))
          .append(" | ").append(im.anomalous() ? "defective" : "good").append(" | ").append(im.defectType())
          .append(" | `").append(im.path()).append("` |\n");
    }
  }
}
