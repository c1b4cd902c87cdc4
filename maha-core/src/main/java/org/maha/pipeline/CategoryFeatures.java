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
