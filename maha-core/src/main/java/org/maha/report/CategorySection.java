package org.maha.report;

import java.util.List;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.FoldCalibration;

/**
 * Everything the report shows for one category, computed once and rendered as HTML and as Markdown.
 *
 * @param anchor  HTML id and file-name stem, unique within the report
 * @param sigma   the σ table for the histogram level; empty when the histogram variant is not {@code mvg}
 * @param calibration the histogram variant's threshold from held-out good images (first fold), or null when the
 *                protocol held none out
 */
record CategorySection(CategoryResult result, String anchor, Figure roc, Figure levelHistogram,
    Figure combinedHistogram, Figure extremes, ExtremesGrid.Selection selection, List<SigmaRow> sigma,
    FoldCalibration calibration) {

  CategorySection {
    sigma = List.copyOf(sigma);
  }

  List<Figure> figures() {
    return List.of(roc, levelHistogram, combinedHistogram, extremes);
  }
}
