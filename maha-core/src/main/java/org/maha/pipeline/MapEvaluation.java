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

  /** How many of a category's highest-scoring test images keep their maps for the report. */
  public static final int TOP_MAPS = 6;

  /**
   * One category's pixel metrics, and for the report the maps of its {@link #TOP_MAPS} highest-scoring test images
   * with the scale to draw them on.
   *
   * @param top   the highest-scoring test images by the image model's combined score, highest first
   * @param scale learnt from the category's good test images' maps (out-of-sample good images: the maps are fitted
   *              on train/good), {@link MapScale#TEST}; null when the test set has no good image
   */
  public record CategoryPixels(String category, int testImages, PixelMetrics.Result result, List<TopMap> top,
      MapScale scale) {
    public CategoryPixels {
      top = List.copyOf(top);
    }
  }

  /**
   * A test image's map, kept for the report: {@code map} is float32, row-major {@code height × width} (the image's
   * size as decoded; shared, not copied: only read).
   */
  public record TopMap(LabeledImage image, double score, float[] map, int width, int height) {}

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
    List<java.nio.file.Path> paths = category.test().stream().map(LabeledImage::path).toList();
    Measurement measured = new Measurement(category, limits);
    MapJobs.score(extractor, fitted.image().model(), fitted.maps(), extractor.files(paths), skipUnreadable,
        progress, measured);
    return measured.result();
  }

  /**
   * Receives the scored test images of one category with their maps (whole-image or tiled) and measures them: pixel
   * metrics against the masks, the display scale learnt from the good test images' maps, and the
   * {@link #TOP_MAPS} highest-scoring images for the report.
   */
  public static final class Measurement implements MapJobs.MappedSink {
    private final MvtecCategory category;
    private final DecodeLimits limits;
    private final Map<java.nio.file.Path, LabeledImage> labels = new HashMap<>();
    private final PixelMetrics metrics = new PixelMetrics(PixelMetrics.MAX_PIXELS);
    private final MapScale.Builder goodMaps = new MapScale.Builder();
    // the TOP_MAPS highest scores so far, lowest first (ties: the earlier image stays)
    private final java.util.PriorityQueue<TopMap> top = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingDouble(TopMap::score));
    private int scored;

    /** Measures the test images of {@code category}, reading their masks within {@code limits}. */
    public Measurement(MvtecCategory category, DecodeLimits limits) {
      this.category = category;
      this.limits = limits;
      category.test().forEach(im -> labels.put(im.path(), im));
    }

    @Override
    public void accept(int index, MapJobs.MappedImage m) throws Exception {
      LabeledImage image = labels.get(m.path());
      boolean[] mask = MaskFiles.read(category.root(), image, m.width(), m.height(), limits);
      double[] d = m.map();
      float[] map = new float[d.length];
      for (int k = 0; k < map.length; k++) {
        map[k] = (float) d[k];
      }
      metrics.add(map, mask, m.width(), m.height());
      if (!image.anomalous()) {
        goodMaps.add(d);
      }
      double score = m.score().score();
      if (top.size() < TOP_MAPS || score > top.peek().score()) {
        top.add(new TopMap(image, score, map, m.width(), m.height()));
        if (top.size() > TOP_MAPS) {
          top.poll();
        }
      }
      scored++;
    }

    /** The category's metrics over every image received. */
    public CategoryPixels result() {
      List<TopMap> highest = new java.util.ArrayList<>(top);
      highest.sort(java.util.Comparator.comparingDouble(TopMap::score).reversed());
      MapScale scale = goodMaps.size() == 0 ? null : goodMaps.build(MapScale.TEST_TARGET_FPR, MapScale.TEST);
      return new CategoryPixels(category.name(), scored, metrics.result(PixelMetrics.PAPER_FPR_LIMIT), highest,
          scale);
    }
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
