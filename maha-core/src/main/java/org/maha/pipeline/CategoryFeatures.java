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
 * and fold reuses them. {@code train.get(i)[level]} is training image i's vector at that level.
 */
public record CategoryFeatures(MvtecCategory category, List<Path> trainPaths, List<double[][]> train,
    List<LabeledImage> testLabels, List<double[][]> test, List<Skipped> skipped) {

  public CategoryFeatures {
    trainPaths = List.copyOf(trainPaths);
    train = List.copyOf(train);
    testLabels = List.copyOf(testLabels);
    test = List.copyOf(test);
    skipped = List.copyOf(skipped);
    if (trainPaths.size() != train.size() || testLabels.size() != test.size()) {
      throw new IllegalArgumentException("paths and features differ in length");
    }
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
