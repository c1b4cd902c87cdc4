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
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;

/**
 * {@code maha evaluate}: per category, extract the training and test features once, fit every requested
 * variant on the training features, score the test images, and compute image-level AUROC per level and for
 * the combined score (PAPER §1.8, quick protocol: the whole train/good folder, one fit).
 */
public final class Evaluation {
  private Evaluation() {}

  /** One test image's result under one variant. */
  public record ImageResult(Path path, String defectType, boolean anomalous, double score, double[] levelDistances) {
    public ImageResult {
      levelDistances = levelDistances.clone();
    }

    @Override
    public double[] levelDistances() {
      return levelDistances.clone();
    }
  }

  /** AUROC per level and combined, with every test score, for one variant on one category. */
  public record VariantResult(String variant, double[] levelAuroc, double combinedAuroc, List<ImageResult> images) {
    public VariantResult {
      levelAuroc = levelAuroc.clone();
      images = List.copyOf(images);
    }

    @Override
    public double[] levelAuroc() {
      return levelAuroc.clone();
    }
  }

  /** Everything measured on one category. */
  public record CategoryResult(String category, int nTrain, int nTest, List<VariantResult> variants,
      List<Skipped> skipped, List<String> warnings) {
    public CategoryResult {
      variants = List.copyOf(variants);
      skipped = List.copyOf(skipped);
      warnings = List.copyOf(warnings);
    }
  }

  public static EvaluationReport run(FeatureExtractor extractor, List<MvtecCategory> categories,
      List<Variant> variants, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    BackboneSpec spec = extractor.backbone().spec();
    List<CategoryResult> results = new ArrayList<>();
    for (MvtecCategory c : categories) {
      results.add(category(extractor, spec, c, variants, backboneFile, skipUnreadable, progress));
    }
    List<String> ids = new ArrayList<>();
    for (Variant v : variants) {
      ids.add(v.id());
    }
    return new EvaluationReport(spec, ids, results);
  }

  private static CategoryResult category(FeatureExtractor extractor, BackboneSpec spec, MvtecCategory c,
      List<Variant> variants, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    int levels = spec.levelNames().size();
    List<double[][]> train = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>(extractor.extract(c.train(), skipUnreadable, c.name() + ": train",
        progress, (i, p, f) -> train.add(f)));
    if (train.size() < 2) {
      throw new InputException(c.root().resolve("train/good"),
          "need at least 2 readable training images, found " + train.size());
    }
    List<Path> testPaths = new ArrayList<>();
    Map<Path, LabeledImage> labels = new HashMap<>();
    for (LabeledImage li : c.test()) {
      testPaths.add(li.path());
      labels.put(li.path(), li);
    }
    List<Path> testOrder = new ArrayList<>();
    List<double[][]> test = new ArrayList<>();
    skipped.addAll(extractor.extract(testPaths, skipUnreadable, c.name() + ": test", progress, (i, p, f) -> {
      testOrder.add(p);
      test.add(f);
    }));
    boolean[] anomalous = new boolean[test.size()];
    int bad = 0;
    for (int i = 0; i < anomalous.length; i++) {
      anomalous[i] = labels.get(testOrder.get(i)).anomalous();
      bad += anomalous[i] ? 1 : 0;
    }
    if (bad == 0 || bad == anomalous.length) {
      throw new InputException(c.root().resolve("test"), "AUROC needs both good and defective test images, found "
          + (anomalous.length - bad) + " good and " + bad + " defective");
    }
    double[][][] levelRows = new double[levels][train.size()][];
    for (int l = 0; l < levels; l++) {
      for (int i = 0; i < train.size(); i++) {
        levelRows[l][i] = train.get(i)[l];
      }
    }
    List<VariantResult> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    String source = c.root().resolve("train/good").toString();
    for (Variant v : variants) {
      GaussianAdModel model = GaussianAdFitter.fitRows(spec, backboneFile, v, levelRows, source, warnings);
      double[] combined = new double[test.size()];
      double[][] perLevel = new double[levels][test.size()];
      List<ImageResult> images = new ArrayList<>();
      for (int i = 0; i < test.size(); i++) {
        AnomalyScore s = model.score(test.get(i));
        combined[i] = s.score();
        for (int l = 0; l < levels; l++) {
          perLevel[l][i] = s.levelDistance(l);
        }
        LabeledImage li = labels.get(testOrder.get(i));
        images.add(new ImageResult(li.path(), li.defectType(), li.anomalous(), s.score(), s.levelDistances()));
      }
      double[] levelAuroc = new double[levels];
      for (int l = 0; l < levels; l++) {
        levelAuroc[l] = Auroc.auroc(perLevel[l], anomalous);
      }
      out.add(new VariantResult(v.id(), levelAuroc, Auroc.auroc(combined, anomalous), images));
    }
    return new CategoryResult(c.name(), train.size(), test.size(), out, skipped, warnings);
  }
}
