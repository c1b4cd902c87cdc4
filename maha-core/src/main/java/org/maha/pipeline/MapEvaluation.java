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

  /** {@link #hasMasks} as an optional run: empty where the category has no masks. */
  public static Optional<CategoryPixels> runIfMasks(FeatureExtractor extractor, MvtecCategory category,
      MapSettings settings, String backboneFile, boolean skipUnreadable, DecodeLimits limits,
      ProgressListener progress) throws Exception {
    return hasMasks(category)
        ? Optional.of(run(extractor, category, settings, backboneFile, skipUnreadable, limits, progress))
        : Optional.empty();
  }
}
