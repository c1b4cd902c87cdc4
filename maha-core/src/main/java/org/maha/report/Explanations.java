package org.maha.report;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.maha.pipeline.Evaluation.CategoryResult;
import org.maha.pipeline.Evaluation.FoldCalibration;
import org.maha.pipeline.Evaluation.ImageResult;
import org.maha.pipeline.EvaluationReport;

/** The report's prose, shared by the HTML and the Markdown page. */
final class Explanations {
  /** Under each σ table: what a measured rate far from the prediction means. */
  /** How to read the anomaly-map section of report.html (evaluate --maps). */
  static final List<String> MAPS = List.of(
      "Not in the paper: a Gaussian per position of a feature grid (PaDiM with Ledoit–Wolf shrinkage), fitted on all "
          + "of train/good, gives every test image a map of Mahalanobis distances at its own size. Pixel AUROC ranks "
          + "every test pixel against the masks (good images' pixels count as good); AU-PRO is the area under the "
          + "per-region overlap curve up to a pixel false-positive rate of 0.3, divided by 0.3 (Bergmann et al. "
          + "2021).",
      "The overlays show each category's highest-scoring test images (by the image score of the tables above), "
          + "coloured on one fixed scale per category learnt from its good test images' maps, never min-max per "
          + "image, so a calm part stays uncoloured: no colour up to the median good pixel, blue to yellow up to "
          + "the contour level, red with a white contour above it; the contour level is the 0.99 split-conformal "
          + "quantile of the good test images' map maxima. The legend under each image repeats this.");

  /** The scale of one category's overlays, in a sentence. */
  static String mapScale(MapFigures.Category m) {
    if (m.scale() == null) {
      return "No overlays: the category has no good test image to learn a display scale from. Pixel AUROC "
          + Formats.pixelPct(m.result().auroc()) + " %, AU-PRO " + Formats.pixelPct(m.result().aupro()) + " %.";
    }
    return String.format(java.util.Locale.ROOT, "Pixel AUROC %s %%, AU-PRO %s %% over %d test images. Scale from "
        + "%d good test images: no colour at or below %.4g (median good pixel), contour at %.4g.",
        Formats.pixelPct(m.result().auroc()), Formats.pixelPct(m.result().aupro()), m.testImages(),
        m.scale().images(), m.scale().calm(), m.scale().contour());
  }

  static final String SIGMA_NOTE = "A measured FPR far above the predicted one means the good test images do not "
      + "follow the fitted Gaussian at this level (typical with few training images for many features, and with "
      + "the covariance shrinkage); a threshold set on held-out good images is then the safer choice.";

  private Explanations() {}

  /** How the AUROCs were measured, from the report's protocol. */
  static String protocol(EvaluationReport r) {
    return r.protocol().describe() + "; image-level AUROC per category; mean and SEM (ddof = 1) over categories";
  }

  /** " (fold 0 of 0–4)" when a figure shows one fold of several (numbered as in the CSVs), else "". */
  static String foldNote(EvaluationReport r) {
    return r.protocol().isFullTrain() ? "" : " (fold 0 of 0–" + (r.protocol().folds() - 1) + ")";
  }

  /** One sentence on the threshold set from held-out good images and what it gave on the test images. */
  static String calibration(FoldCalibration c) {
    return "Threshold on the combined score set from " + c.n() + " held-out good training images for a target "
        + "false-positive rate of " + Formats.pct(c.targetFpr()) + " %" + (c.guaranteed() ? "" : " (too few "
        + "held-out images to guarantee it)") + ": " + Formats.score(c.threshold()) + ". On the test images it "
        + "flags " + Formats.pct(c.testFpr()) + " % of good and " + Formats.pct(c.testTpr())
        + " % of defective images (dashed line in the combined-score histogram).";
  }

  /** The "how to read this report" paragraphs, plain text. */
  static List<String> howToRead(ReportContent c) {
    String variant = c.report().variants().get(c.histogramVariant());
    String level = c.report().backbone().levelNames().get(c.histogramLevel());
    String sigma = c.hasSigmaThresholds()
        ? " The dashed lines in the " + level + " histogram are the χ² thresholds at 1σ…5σ: if the good images' "
            + "features were exactly Gaussian, 31.7 %, 4.55 %, 0.27 %, 0.0063 % and 0.000057 % of good images "
            + "would lie beyond them. The table under the figures compares that prediction with the measured "
            + "false-positive rate (FPR, good images flagged) and the true-positive rate (TPR, defects found)."
        : "";
    return List.of(
        "Each test image gets an anomaly score: at every level (a stage of the backbone network) its pooled "
            + "features are compared with a model fitted on good training images only, giving a distance; the "
            + "combined score is the mean of the level distances. No defective image is used for fitting.",
        "AUROC is the probability that a randomly chosen defective test image scores higher than a randomly "
            + "chosen good one: 100 % separates them perfectly, 50 % is chance. Tables give it in %, for each "
            + "level on its own and for the combined score (\"mean of levels\"); over several categories as mean "
            + "± standard error of the mean (SEM).",
        "The ROC curves show, for every threshold on the combined score, the share of defects found against "
            + "the share of good images flagged; the closer to the top-left corner, the better. The histograms "
            + "show how the " + variant + " scores of good (blue) and defective (red) images are spread; the less "
            + "they overlap, the better." + sigma,
        "The image grid shows the test images with the highest and the lowest combined " + variant + " score, "
            + "framed red if defective and green if good: a green frame in the top row is a false alarm, a red "
            + "frame in the bottom row a defect the model finds normal.");
  }

  /** "80 good, 52 defective (broken_large 20, broken_small 22, contamination 10)". */
  static String composition(CategoryResult c) {
    List<ImageResult> images = c.variants().get(0).images();
    int good = 0;
    Map<String, Integer> types = new TreeMap<>();
    for (ImageResult im : images) {
      if (im.anomalous()) {
        types.merge(im.defectType(), 1, Integer::sum);
      } else {
        good++;
      }
    }
    StringBuilder s = new StringBuilder().append(good).append(" good, ").append(images.size() - good)
        .append(" defective");
    if (!types.isEmpty()) {
      s.append(" (");
      String sep = "";
      for (Map.Entry<String, Integer> e : types.entrySet()) {
        s.append(sep).append(e.getKey()).append(' ').append(e.getValue());
        sep = ", ";
      }
      s.append(')');
    }
    return s.toString();
  }
}
