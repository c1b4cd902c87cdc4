package org.maha.report;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maha.pipeline.EvaluationReport;
import org.maha.pipeline.MapEvaluation;

/**
 * Renders an {@link EvaluationReport} as a report people read (issue 4): {@code report.html}, one self-contained
 * page with the AUROC tables and PNG figures embedded as {@code data:} URIs; the same figures as files under
 * {@code figures/}; and {@code report.md}, whose summary is {@link EvaluationReport#toMarkdown()}.
 *
 * <p>Figures (JFreeChart): AUROC by level per variant with a ± SEM band; per category the ROC curves of each
 * variant's combined score, histograms of good vs defective scores at one level (with the χ² thresholds at σ =
 * 1..5 for {@code mvg}, PAPER.md §2.5) and for the combined score, and a grid of the highest- and lowest-scoring
 * test images. Thumbnails are read from the image paths in the report; a missing or unreadable file shows as a
 * labelled placeholder rather than failing the report.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /**
   * File name (relative, {@code /}-separated) → content, in a fixed order: {@code report.html}, {@code report.md},
   * then {@code figures/*.png}. Byte-identical for equal inputs (the date comes from {@code options}).
   *
   * @throws IllegalArgumentException if the report has no categories, a category's variants do not match the
   *     report's, or {@code options.histogramLevel()} names no level of the backbone
   */
  public static Map<String, byte[]> render(EvaluationReport report, ReportOptions options) {
    return render(report, options, List.of());
  }

  /**
   * As {@link #render(EvaluationReport, ReportOptions)}, with a section of anomaly maps ({@code evaluate --maps}):
   * per category of {@code pixels}, its pixel AUROC and AU-PRO and the overlays of its highest-scoring test images
   * (files {@code figures/maps-CATEGORY_RANK.png}) on the scale learnt from its good test images, with the legend.
   */
  public static Map<String, byte[]> render(EvaluationReport report, ReportOptions options,
      List<MapEvaluation.CategoryPixels> pixels) {
    ReportContent content = ReportContent.build(report, options, pixels);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("report.html", HtmlPage.render(content).getBytes(StandardCharsets.UTF_8));
    files.put("report.md", MarkdownPage.render(content).getBytes(StandardCharsets.UTF_8));
    for (Figure f : content.figures()) {
      files.put("figures/" + f.fileName(), f.png().bytes().clone());
    }
    return Collections.unmodifiableMap(files);
  }
}
