package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.maha.backbone.BackboneSpec;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.eval.Auroc;
import org.maha.image.DecodeLimits;
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;
import org.maha.tiles.Tiling;

/**
 * {@code maha evaluate --tile}: per category, every tile of every {@code train/good} image is a training vector
 * (one fit on all of them, the quick protocol), every test image is scored from its tiles
 * ({@link org.maha.tiles.TileScores}: maximum over tiles of the combined score, each level's maximum over tiles
 * for the per-level AUROC), and image AUROC per level and combined is reported as {@link Evaluation} reports it.
 * Features of the tiles are extracted once and shared by every variant. With maps, pixel AUROC and AU-PRO are
 * measured on the stitched maps as {@link MapEvaluation} measures whole-image maps.
 */
public final class TiledEvaluation {
  private TiledEvaluation() {}

  /** Image AUROCs of {@code variants} on {@code categories}, every image cut by {@code tiling}. */
  public static EvaluationReport run(FeatureExtractor extractor, List<MvtecCategory> categories,
      List<Variant> variants, Tiling tiling, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    BackboneSpec spec = extractor.backbone().spec();
    List<Evaluation.CategoryResult> results = new ArrayList<>();
    for (MvtecCategory c : categories) {
      results.add(evaluate(extractor, spec, c, variants, tiling, backboneFile, skipUnreadable, progress));
    }
    return new EvaluationReport(spec, variants.stream().map(Variant::id).toList(), results,
        Evaluation.Protocol.fullTrain());
  }

  private static Evaluation.CategoryResult evaluate(FeatureExtractor extractor, BackboneSpec spec, MvtecCategory c,
      List<Variant> variants, Tiling tiling, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    TiledImages trainTiles = new TiledImages(extractor.files(c.train()), tiling);
    List<double[][]> train = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>(extractor.extract(trainTiles, skipUnreadable, c.name() + ": train",
        trainTiles.imageProgress(progress, c.train().size()), (i, p, f) -> train.add(f)));
    int trainImages = c.train().size() - skipped.size();
    if (trainImages < 1 || train.size() < 2) {
      throw new InputException(c.root().resolve("train/good"), "need readable training images giving at least 2 "
          + "tiles, found " + train.size() + " tiles");
    }
    Map<Path, LabeledImage> labels = new HashMap<>();
    c.test().forEach(im -> labels.put(im.path(), im));
    List<Path> testPaths = c.test().stream().map(LabeledImage::path).toList();
    TiledImages testTiles = new TiledImages(extractor.files(testPaths), tiling);
    List<LabeledImage> testLabels = new ArrayList<>();
    List<List<double[][]>> test = new ArrayList<>();
    List<double[][]> current = new ArrayList<>();
    skipped.addAll(extractor.extract(testTiles, skipUnreadable, c.name() + ": test",
        testTiles.imageProgress(progress, testPaths.size()), (i, p, f) -> {
          TiledImages.Position at = testTiles.next();
          current.add(f);
          if (at.last()) {
            testLabels.add(labels.get(at.image()));
            test.add(List.copyOf(current));
            current.clear();
          }
        }));
    boolean[] anomalous = new boolean[test.size()];
    int bad = 0;
    for (int i = 0; i < anomalous.length; i++) {
      anomalous[i] = testLabels.get(i).anomalous();
      bad += anomalous[i] ? 1 : 0;
    }
    if (bad == 0 || bad == anomalous.length) {
      throw new InputException(c.root().resolve("test"), "AUROC needs both good and defective test images, found "
          + (anomalous.length - bad) + " good and " + bad + " defective");
    }
    int levels = train.get(0).length;
    double[][][] rows = new double[levels][train.size()][];
    for (int t = 0; t < train.size(); t++) {
      for (int l = 0; l < levels; l++) {
        rows[l][t] = train.get(t)[l];
      }
    }
    List<String> warnings = new ArrayList<>();
    String source = c.root().resolve("train/good") + " (" + tiling.describe() + ", " + train.size() + " tiles)";
    List<GaussianAdModel> models = GaussianAdFitter.fitRowsAll(spec, backboneFile, variants, rows, source, warnings);
    List<Evaluation.VariantResult> out = new ArrayList<>();
    for (int v = 0; v < variants.size(); v++) {
      GaussianAdModel model = models.get(v);
      double[] combined = new double[test.size()];
      double[][] perLevel = new double[levels][test.size()];
      List<Evaluation.ImageResult> images = new ArrayList<>();
      for (int i = 0; i < test.size(); i++) {
        TileJobs.ImageTiles tiles = new TileJobs.ImageTiles();
        for (double[][] f : test.get(i)) {
          tiles.add(model.score(f));
        }
        AnomalyScore s = tiles.combined();
        combined[i] = s.score();
        for (int l = 0; l < levels; l++) {
          perLevel[l][i] = s.levelDistance(l);
        }
        LabeledImage li = testLabels.get(i);
        images.add(new Evaluation.ImageResult(li.path(), li.defectType(), li.anomalous(), s.score(),
            s.levelDistances()));
      }
      double[] levelAuroc = new double[levels];
      for (int l = 0; l < levels; l++) {
        levelAuroc[l] = Auroc.auroc(perLevel[l], anomalous);
      }
      out.add(new Evaluation.VariantResult(variants.get(v).id(), levelAuroc, Auroc.auroc(combined, anomalous),
          images));
    }
    return new Evaluation.CategoryResult(c.name(), trainImages, test.size(), out, skipped, warnings);
  }

  /**
   * Pixel AUROC and AU-PRO of tiled maps on a category with masks: a map model fitted on every tile of
   * {@code train/good} ({@link TileJobs#fitWithMaps}), each test image's stitched map at its own size
   * ({@link TileJobs#scoreWithMaps}), measured as {@link MapEvaluation#run} measures whole-image maps.
   */
  public static MapEvaluation.CategoryPixels pixelMetrics(FeatureExtractor extractor, MvtecCategory category,
      MapSettings settings, Tiling tiling, String backboneFile, boolean skipUnreadable, DecodeLimits limits,
      ProgressListener progress) throws Exception {
    MapJobs.MapFitOutcome fitted = TileJobs.fitWithMaps(extractor, extractor.files(category.train()), tiling,
        new Variant.Mvg(), category.name(), backboneFile, settings, skipUnreadable, progress);
    List<Path> paths = category.test().stream().map(LabeledImage::path).toList();
    MapEvaluation.Measurement measured = new MapEvaluation.Measurement(category, limits);
    TileJobs.scoreWithMaps(extractor, fitted.image().model(), fitted.maps(), extractor.files(paths), tiling,
        skipUnreadable, progress, measured);
    return measured.result();
  }
}
