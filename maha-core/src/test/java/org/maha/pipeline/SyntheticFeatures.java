package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.maha.backbone.BackboneSpec;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.image.Normalization;

/**
 * Made-up pooled features for pipeline tests that need no backbone: Gaussian training vectors with a few
 * high-variance directions, and test images of which half are shifted along the low-variance ones.
 */
final class SyntheticFeatures {
  private SyntheticFeatures() {}

  static BackboneSpec spec(int... dims) {
    List<String> names = new ArrayList<>();
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < dims.length; i++) {
      names.add("L" + i);
      d.add(dims[i]);
    }
    return new BackboneSpec("synthetic", "0".repeat(64), "input", 16, Normalization.IMAGENET, names, d);
  }

  /** One image's vectors: the first two features of each level spread 5× more than the rest. */
  static double[][] image(SplittableRandom rng, int[] dims, double shift) {
    double[][] f = new double[dims.length][];
    for (int l = 0; l < dims.length; l++) {
      f[l] = new double[dims[l]];
      for (int j = 0; j < dims[l]; j++) {
        f[l][j] = rng.nextGaussian() * (j < 2 ? 5 : 1) + (j == dims[l] - 1 ? shift : 0);
      }
    }
    return f;
  }

  static CategoryFeatures category(Path root, String name, List<double[][]> train, int testPerClass, long seed,
      int[] dims, TrainAugmentation augmentation, List<double[][]> augmented) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Path> trainPaths = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      trainPaths.add(root.resolve(name + "/train/good/" + i + ".png"));
    }
    List<LabeledImage> labels = new ArrayList<>();
    List<double[][]> test = new ArrayList<>();
    for (int i = 0; i < 2 * testPerClass; i++) {
      boolean bad = i >= testPerClass;
      labels.add(new LabeledImage(root.resolve(name + "/test/" + (bad ? "crack" : "good") + "/" + i + ".png"),
          bad ? "crack" : "good", bad));
      test.add(image(rng, dims, bad ? 1.5 : 0));
    }
    MvtecCategory c = new MvtecCategory(name, root.resolve(name), trainPaths, labels);
    return new CategoryFeatures(c, trainPaths, train, labels, test, List.of(), augmentation, augmented);
  }

  static List<double[][]> train(int n, long seed, int[] dims) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<double[][]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(image(rng, dims, 0));
    }
    return out;
  }
}
