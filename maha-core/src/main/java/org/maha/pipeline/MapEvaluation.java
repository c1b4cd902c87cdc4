package org.maha.pipeline;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.data.MvtecLayout;
import org.maha.eval.PixelMetrics;
import org.maha.image.DecodeLimits;
import org.maha.model.Variant;

/**
 * Pixel-level evaluation of anomaly maps on an MVTec-layout category whose defect images have ground-truth masks
 * ({@code ground_truth/<defect>/<name>_mask.png}): a map model fitted on all of {@code train/good}
 * ({@link MapJobs#fit}), every test image's map at its own size, pixel AUROC and AU-PRO up to FPR 0.3
 * ({@link PixelMetrics}; good images count with all-false masks). Maps are kept only as float32 in
 * {@link PixelMetrics} (4 bytes per test pixel plus the mask).
 */
public final class MapEvaluation {
  private MapEvaluation() {}

  /** One category's pixel metrics. */
  public record CategoryPixels(String category, int testImages, PixelMetrics.Result result) {}

  /**
   * Whether any defect test image of {@code category} has a mask file: only then are pixel metrics computed (and
   * then every defect image must have one).
   */
  public static boolean hasMasks(MvtecCategory category) {
    return category.test().stream().filter(LabeledImage::anomalous)
        .anyMatch(im -> MvtecLayout.maskPath(category.root(), im).filter(java.nio.file.Files::isRegularFile)
            .isPresent());
  }

  /**
   * Fits maps on the category's training images and measures them on its test images.
   *
   * @throws org.maha.image.InputException naming a defect image's mask that is missing or does not match it
   */
  public static CategoryPixels run(FeatureExtractor extractor, MvtecCategory category, MapSettings settings,
      String backboneFile, boolean skipUnreadable, DecodeLimits limits, ProgressListener progress)
      throws Exception {
    MapJobs.MapFitOutcome fitted = MapJobs.fit(extractor, extractor.files(category.train()), new Variant.Mvg(),
        category.name(), backboneFile, settings, skipUnreadable, progress);
    Map<java.nio.file.Path, LabeledImage> labels = new HashMap<>();
    category.test().forEach(im -> labels.put(im.path(), im));
    List<java.nio.file.Path> paths = category.test().stream().map(LabeledImage::path).toList();
    PixelMetrics metrics = new PixelMetrics(PixelMetrics.MAX_PIXELS);
    int[] scored = {0};
    MapJobs.score(extractor, fitted.image().model(), fitted.maps(), extractor.files(paths), skipUnreadable,
        progress, (i, m) -> {
          boolean[] mask = MaskFiles.read(category.root(), labels.get(m.path()), m.width(), m.height(), limits);
          double[] d = m.map();
          float[] map = new float[d.length];
          for (int k = 0; k < map.length; k++) {
            map[k] = (float) d[k];
          }
          metrics.add(map, mask, m.width(), m.height());
          scored[0]++;
        });
    return new CategoryPixels(category.name(), scored[0], metrics.result(PixelMetrics.PAPER_FPR_LIMIT));
  }

  /** The file {@link #csv} is written to by {@code maha evaluate --maps} and {@code maha experiment --maps}. */
  public static final String CSV_FILE = "pixel_metrics.csv";

  /**
   * {@link #runIfMasks} for every category, in order (what {@code evaluate --maps} and {@code experiment --maps}
   * run): the categories with masks, each with its metrics; {@code noMasks} receives the name of each category
   * without masks.
   */
  public static List<CategoryPixels> runAll(FeatureExtractor extractor, List<MvtecCategory> categories,
      MapSettings settings, String backboneFile, boolean skipUnreadable, DecodeLimits limits,
      ProgressListener progress, java.util.function.Consumer<String> noMasks) throws Exception {
    List<CategoryPixels> out = new java.util.ArrayList<>();
    for (MvtecCategory c : categories) {
      Optional<CategoryPixels> r = runIfMasks(extractor, c, settings, backboneFile, skipUnreadable, limits, progress);
      if (r.isPresent()) {
        out.add(r.get());
      } else {
        noMasks.accept(c.name());
      }
    }
    return List.copyOf(out);
  }

  /**
   * {@link #CSV_FILE}'s content: {@code category,test_images,pixel_auroc,aupro_0.3,defect_pixels,regions}, one row
   * per category (NaN where a metric is undefined).
   */
  public static String csv(List<CategoryPixels> results) {
    StringBuilder csv = new StringBuilder(org.maha.files.Csv.row("category", "test_images", "pixel_auroc",
        "aupro_0.3", "defect_pixels", "regions"));
    for (CategoryPixels c : results) {
      PixelMetrics.Result p = c.result();
      csv.append(org.maha.files.Csv.row(c.category(), c.testImages(), p.auroc().orElse(Double.NaN),
          p.aupro().orElse(Double.NaN), p.defectPixels(), p.regions()));
    }
    return csv.toString();
  }

  /** The Markdown table {@code evaluate --maps} prints: category, test images, pixel AUROC, AU-PRO (4 decimals). */
  public static String markdown(List<CategoryPixels> results) {
    StringBuilder m = new StringBuilder("| category | test images | pixel AUROC | AU-PRO (FPR <= 0.3) |\n"
        + "|---|---:|---:|---:|\n");
    for (CategoryPixels c : results) {
      m.append(String.format(java.util.Locale.ROOT, "| %s | %d | %.4f | %.4f |%n", c.category(), c.testImages(),
          c.result().auroc().orElse(Double.NaN), c.result().aupro().orElse(Double.NaN)));
    }
    return m.toString();
  }

  /** {@link #hasMasks} as an optional run: empty where the category has no masks. */
  public static Optional<CategoryPixels> runIfMasks(FeatureExtractor extractor, MvtecCategory category,
      MapSettings settings, String backboneFile, boolean skipUnreadable, DecodeLimits limits,
      ProgressListener progress) throws Exception {
    return hasMasks(category)
        ? Optional.of(run(extractor, category, settings, backboneFile, skipUnreadable, limits, progress))
        : Optional.empty();
  }
}
