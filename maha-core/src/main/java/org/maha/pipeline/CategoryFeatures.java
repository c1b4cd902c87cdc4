package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;

/**
 * The pooled features of one category's training and test images, extracted once so that every variant, level
 * and fold reuses them. {@code train.get(i)[level]} is training image i's vector at that level. With training
 * augmentation, {@code augmentedTrain.get(pass * n + i)} is copy {@code pass} of training image i, and folds fit
 * on those copies instead of the originals (held-out images are still scored unaugmented).
 *
 * @param augmentation   null when the fit uses the training images as they are
 * @param augmentedTrain empty without augmentation
 */
public record CategoryFeatures(MvtecCategory category, List<Path> trainPaths, List<double[][]> train,
    List<LabeledImage> testLabels, List<double[][]> test, List<Skipped> skipped, TrainAugmentation augmentation,
    List<double[][]> augmentedTrain) {

  public CategoryFeatures {
    trainPaths = List.copyOf(trainPaths);
    train = List.copyOf(train);
    testLabels = List.copyOf(testLabels);
    test = List.copyOf(test);
    skipped = List.copyOf(skipped);
    augmentedTrain = List.copyOf(augmentedTrain);
    if (trainPaths.size() != train.size() || testLabels.size() != test.size()) {
      throw new IllegalArgumentException("paths and features differ in length");
    }
    int expected = augmentation == null ? 0 : augmentation.passes() * train.size();
    if (augmentedTrain.size() != expected) {
      throw new IllegalArgumentException("expected " + expected + " augmented training vectors, got "
          + augmentedTrain.size());
    }
  }

  /** Features without training augmentation. */
  public CategoryFeatures(MvtecCategory category, List<Path> trainPaths, List<double[][]> train,
      List<LabeledImage> testLabels, List<double[][]> test, List<Skipped> skipped) {
    this(category, trainPaths, train, testLabels, test, skipped, null, List.of());
  }

  /**
   * The vectors a fit on training images {@code fit} uses, {@code [level][row]}: those images' features, or with
   * augmentation all their augmented copies (pass by pass). Rows are shared, not copied.
   */
  public double[][][] fitRows(int[] fit) {
    int levels = train.isEmpty() ? 0 : train.get(0).length;
    int passes = augmentation == null ? 1 : augmentation.passes();
    int n = train.size();
    double[][][] rows = new double[levels][fit.length * passes][];
    for (int p = 0; p < passes; p++) {
      for (int i = 0; i < fit.length; i++) {
        double[][] f = augmentation == null ? train.get(fit[i]) : augmentedTrain.get(p * n + fit[i]);
        for (int l = 0; l < levels; l++) {
          rows[l][p * fit.length + i] = f[l];
        }
      }
    }
    return rows;
  }

  /**
   * These features with {@code augmentation.passes()} augmented copies of every training image added, read from
   * {@code cache} when present (null: no cache).
   */
  public CategoryFeatures withAugmentation(FeatureExtractor extractor, TrainAugmentation augmentation,
      ProgressListener progress, FeatureCache cache) throws Exception {
    var spec = extractor.backbone().spec();
    int expected = augmentation.passes() * train.size();
    String key = cache == null ? null : FeatureCache.key(spec, describe(trainPaths) + augmentation.cacheKey());
    if (cache != null) {
      var stored = cache.load(key, spec);
      if (stored.isPresent() && stored.get()[0].length == expected) {
        progress.progress(category.name() + ": augmented features from cache", 1, 1);
        return new CategoryFeatures(category, trainPaths, train, testLabels, test, skipped, augmentation,
            perImage(stored.get()));
      }
    }
    double[][][] out = new double[expected][][];
    extractor.extractAugmented(trainPaths, augmentation, false, category.name() + ": train, " + augmentation.passes()
        + " augmented passes", progress, (i, p, f) -> out[i] = f);
    List<double[][]> augmented = List.of(out);
    if (cache != null && expected > 0) {
      cache.store(key, category.name() + " train, " + augmentation.describe(), perLevel(augmented));
    }
    return new CategoryFeatures(category, trainPaths, train, testLabels, test, skipped, augmentation, augmented);
  }

  /**
   * The features {@code protocol} needs: those of {@link #extract(FeatureExtractor, MvtecCategory, boolean,
   * ProgressListener, FeatureCache)}, plus augmented training copies when the protocol augments.
   */
  public static CategoryFeatures extract(FeatureExtractor extractor, MvtecCategory c, boolean skipUnreadable,
      ProgressListener progress, FeatureCache cache, Evaluation.Protocol protocol) throws Exception {
    CategoryFeatures f = extract(extractor, c, skipUnreadable, progress, cache);
    TrainAugmentation a = protocol.augmentation(c.name());
    return a == null ? f : f.withAugmentation(extractor, a, progress, cache);
  }

  /**
   * Like {@link #extract(FeatureExtractor, MvtecCategory, boolean, ProgressListener)}, but reads the features from
   * {@code cache} when the same images (paths, sizes, modification times) went through the same backbone before,
   * and stores them otherwise. Runs that skipped unreadable files are not cached.
   */
  public static CategoryFeatures extract(FeatureExtractor extractor, MvtecCategory c, boolean skipUnreadable,
      ProgressListener progress, FeatureCache cache) throws Exception {
    if (cache == null) {
      return extract(extractor, c, skipUnreadable, progress);
    }
    var spec = extractor.backbone().spec();
    List<Path> testPaths = new ArrayList<>();
    for (LabeledImage li : c.test()) {
      testPaths.add(li.path());
    }
    String trainKey = FeatureCache.key(spec, describe(c.train()));
    String testKey = FeatureCache.key(spec, describe(testPaths));
    var train = cache.load(trainKey, spec);
    var test = cache.load(testKey, spec);
    if (train.isPresent() && test.isPresent() && train.get()[0].length == c.train().size()
        && test.get()[0].length == testPaths.size()) {
      progress.progress(c.name() + ": features from cache", 1, 1);
      return new CategoryFeatures(c, c.train(), perImage(train.get()), c.test(), perImage(test.get()), List.of());
    }
    CategoryFeatures f = extract(extractor, c, skipUnreadable, progress);
    if (f.skipped().isEmpty()) {
      cache.store(trainKey, c.name() + " train", perLevel(f.train()));
      cache.store(testKey, c.name() + " test", perLevel(f.test()));
    }
    return f;
  }

  /** Identity of a list of files for the cache: path, size and modification time of each. */
  static String describe(List<Path> files) throws java.io.IOException {
    StringBuilder s = new StringBuilder();
    for (Path p : files) {
      s.append(p.toAbsolutePath()).append('|').append(java.nio.file.Files.size(p)).append('|')
          .append(java.nio.file.Files.getLastModifiedTime(p).toMillis()).append('\n');
    }
    return s.toString();
  }

  private static List<double[][]> perImage(double[][][] levels) {
    List<double[][]> out = new ArrayList<>();
    for (int i = 0; i < levels[0].length; i++) {
      double[][] f = new double[levels.length][];
      for (int l = 0; l < levels.length; l++) {
        f[l] = levels[l][i];
      }
      out.add(f);
    }
    return out;
  }

  private static double[][][] perLevel(List<double[][]> images) {
    int levels = images.get(0).length;
    double[][][] out = new double[levels][images.size()][];
    for (int i = 0; i < images.size(); i++) {
      for (int l = 0; l < levels; l++) {
        out[l][i] = images.get(i)[l];
      }
    }
    return out;
  }

  /** Runs the backbone over the category's train/good and test images (unreadable ones skipped if asked). */
  public static CategoryFeatures extract(FeatureExtractor extractor, MvtecCategory c, boolean skipUnreadable,
      ProgressListener progress) throws Exception {
    List<Path> trainPaths = new ArrayList<>();
    List<double[][]> train = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>(extractor.extract(c.train(), skipUnreadable, c.name() + ": train",
        progress, (i, p, f) -> {
          trainPaths.add(p);
          train.add(f);
        }));
    Map<Path, LabeledImage> labels = new HashMap<>();
    List<Path> testPaths = new ArrayList<>();
    for (LabeledImage li : c.test()) {
      testPaths.add(li.path());
      labels.put(li.path(), li);
    }
    List<LabeledImage> testLabels = new ArrayList<>();
    List<double[][]> test = new ArrayList<>();
    skipped.addAll(extractor.extract(testPaths, skipUnreadable, c.name() + ": test", progress, (i, p, f) -> {
      testLabels.add(labels.get(p));
      test.add(f);
    }));
    return new CategoryFeatures(c, trainPaths, train, testLabels, test, skipped);
  }
}
