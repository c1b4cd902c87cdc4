package org.maha.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maha.backbone.BackboneSpec;
import org.maha.data.DataException;
import org.maha.data.FashionMnist;
import org.maha.eval.Auroc;
import org.maha.eval.MeanSem;
import org.maha.eval.Summary;
import org.maha.files.Sha256;
import org.maha.image.RgbImage;
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;

/**
 * The one-class protocol on a labelled data set (Fashion-MNIST): each class in turn is "normal"; the detector is
 * fitted on that class's training images and scored on the whole test set, where every other class is an anomaly.
 * Features of all images are extracted once (and cached) and reused by every class and variant.
 */
public final class OneClassBenchmark {
  private OneClassBenchmark() {}

  /** AUROC per class (rows) and variant, combined score and per level. */
  public record Result(BackboneSpec backbone, List<String> classes, List<String> variants, int[] trainPerClass,
      int nTest, double[][] combinedAuroc, double[][][] levelAuroc) {

    /** Mean ± SEM over classes of the combined AUROC of variant {@code v}. */
    public MeanSem mean(int v) {
      double[] x = new double[classes.size()];
      for (int c = 0; c < x.length; c++) {
        x[c] = combinedAuroc[c][v];
      }
      return Summary.meanSem(x);
    }

    /** Markdown table: one row per class, one column per variant, AUROC in %. */
    public String toMarkdown() {
      StringBuilder s = new StringBuilder("| normal class | train | ");
      s.append(String.join(" | ", variants)).append(" |\n|---|---:|").append("---:|".repeat(variants.size()))
          .append('\n');
      for (int c = 0; c < classes.size(); c++) {
        s.append("| ").append(classes.get(c)).append(" | ").append(trainPerClass[c]).append(" |");
        for (int v = 0; v < variants.size(); v++) {
          s.append(String.format(java.util.Locale.ROOT, " %.1f |", 100 * combinedAuroc[c][v]));
        }
        s.append('\n');
      }
      s.append("| **mean ± SEM** | |");
      for (int v = 0; v < variants.size(); v++) {
        MeanSem m = mean(v);
        s.append(String.format(java.util.Locale.ROOT, " **%.1f ± %.1f** |", 100 * m.mean(), 100 * m.sem()));
      }
      return s.append('\n').toString();
    }
  }

  /**
   * Runs the protocol on Fashion-MNIST in {@code dir}.
   *
   * @param limitTrain use at most this many training images per class (0 = all), for quick runs
   * @param limitTest use only the first this many test images (0 = all)
   * @param cache where to keep features between runs (null = no cache)
   */
  public static Result fashionMnist(FeatureExtractor extractor, Path dir, List<Variant> variants, int limitTrain,
      int limitTest, Path cache, String backboneFile, ProgressListener progress) throws Exception {
    FashionMnist.Split train = FashionMnist.read(dir, "train");
    FashionMnist.Split test = FashionMnist.read(dir, "t10k");
    int[] trainIdx = limitPerClass(train.labels(), limitTrain);
    int nTest = limitTest > 0 ? Math.min(limitTest, test.images().length) : test.images().length;
    int[] testIdx = new int[nTest];
    for (int i = 0; i < nTest; i++) {
      testIdx[i] = i;
    }
    String dataId = datasetId(dir);
    double[][][] trainF = features(extractor, train, trainIdx, cache, dataId + "|train|" + limitTrain, progress);
    double[][][] testF = features(extractor, test, testIdx, cache, dataId + "|t10k|" + nTest, progress);
    BackboneSpec spec = extractor.backbone().spec();
    int classes = FashionMnist.CLASSES.size();
    int levels = spec.levelNames().size();
    double[][] combined = new double[classes][variants.size()];
    double[][][] perLevel = new double[classes][variants.size()][levels];
    int[] trainPerClass = new int[classes];
    for (int c = 0; c < classes; c++) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < trainIdx.length; i++) {
        if (train.labels()[trainIdx[i]] == c) {
          rows.add(i);
        }
      }
      trainPerClass[c] = rows.size();
      double[][][] levelRows = new double[levels][rows.size()][];
      for (int l = 0; l < levels; l++) {
        for (int i = 0; i < rows.size(); i++) {
          levelRows[l][i] = trainF[l][rows.get(i)];
        }
      }
      progress.progress("fit and score, class " + c, c, classes);
      List<GaussianAdModel> models = GaussianAdFitter.fitRowsAll(spec, backboneFile, variants, levelRows,
          "fashion-mnist class " + c, new ArrayList<>());
      boolean[] anomalous = new boolean[nTest];
      for (int i = 0; i < nTest; i++) {
        anomalous[i] = test.labels()[testIdx[i]] != c;
      }
      for (int v = 0; v < variants.size(); v++) {
        double[] s = new double[nTest];
        double[][] d = new double[levels][nTest];
        double[][] one = new double[levels][];
        for (int i = 0; i < nTest; i++) {
          for (int l = 0; l < levels; l++) {
            one[l] = testF[l][i];
          }
          AnomalyScore a = models.get(v).score(one);
          s[i] = a.score();
          for (int l = 0; l < levels; l++) {
            d[l][i] = a.levelDistance(l);
          }
        }
        combined[c][v] = Auroc.auroc(s, anomalous);
        for (int l = 0; l < levels; l++) {
          perLevel[c][v][l] = Auroc.auroc(d[l], anomalous);
        }
      }
    }
    List<String> ids = new ArrayList<>();
    for (Variant v : variants) {
      ids.add(v.id());
    }
    return new Result(spec, FashionMnist.CLASSES, ids, trainPerClass, nTest, combined, perLevel);
  }

  private static int[] limitPerClass(int[] labels, int limit) {
    List<Integer> keep = new ArrayList<>();
    int[] seen = new int[FashionMnist.CLASSES.size()];
    for (int i = 0; i < labels.length; i++) {
      if (limit <= 0 || seen[labels[i]] < limit) {
        seen[labels[i]]++;
        keep.add(i);
      }
    }
    return keep.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String datasetId(Path dir) throws DataException {
    StringBuilder s = new StringBuilder("fashion-mnist");
    for (String f : List.of("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz")) {
      try {
        s.append('|').append(Sha256.of(dir.resolve(f)));
      } catch (IOException e) {
        throw new DataException(dir.resolve(f), "cannot read (" + e.getMessage() + ")");
      }
    }
    return s.toString();
  }

  /** [level][image][feature] for the chosen images of a split, from the cache or the backbone. */
  private static double[][][] features(FeatureExtractor extractor, FashionMnist.Split split, int[] idx, Path cache,
      String description, ProgressListener progress) throws Exception {
    BackboneSpec spec = extractor.backbone().spec();
    String key = FeatureCache.key(spec, description);
    FeatureCache fc = cache == null ? null : new FeatureCache(cache);
    if (fc != null) {
      var hit = fc.load(key, spec);
      if (hit.isPresent() && hit.get()[0].length == idx.length) {
        return hit.get();
      }
    }
    int levels = spec.levelNames().size();
    double[][][] out = new double[levels][idx.length][];
    extractor.extract(new FeatureExtractor.ImageSource() {
      @Override
      public int size() {
        return idx.length;
      }

      @Override
      public Path name(int i) {
        return Path.of("fashion-mnist", split.name(), Integer.toString(idx[i]));
      }

      @Override
      public RgbImage decode(int i) {
        return RgbImage.fromGray(split.cols(), split.rows(), split.images()[idx[i]]);
      }
    }, false, "fashion-mnist " + split.name(), progress, (i, p, f) -> {
      for (int l = 0; l < levels; l++) {
        out[l][i] = f[l];
      }
    });
    if (fc != null) {
      Files.createDirectories(cache);
      fc.store(key, description, out);
    }
    return out;
  }
}
