package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.maha.augment.AugmentationRules;
import org.maha.backbone.Backbone;
import org.maha.backbone.BackboneSpec;
import org.maha.data.MvtecCategory;
import org.maha.image.DecodeLimits;
import org.maha.image.Normalization;
import org.maha.model.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainAugmentationTest {
  private static final int S = 16;

  /** Level 0: the mean of each channel; level 1: the mean of each channel's left half (sees flips). */
  private static final class MeansBackbone implements Backbone {
    private final BackboneSpec spec = new BackboneSpec("means", "0".repeat(64), "input", S, Normalization.IMAGENET,
        List.of("mean", "left"), List.of(3, 3));

    @Override
    public BackboneSpec spec() {
      return spec;
    }

    @Override
    public int maxBatch() {
      return 4;
    }

    @Override
    public double[][][] extract(float[] nchw, int batch) {
      double[][][] out = new double[2][batch][3];
      for (int b = 0; b < batch; b++) {
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
              float v = nchw[((b * 3 + c) * S + y) * S + x];
              out[0][b][c] += v / (S * S);
              if (x < S / 2) {
                out[1][b][c] += v / (S * S / 2.0);
              }
            }
          }
        }
      }
      return out;
    }

    @Override
    public void close() {}
  }

  private static List<Path> images(Path dir, int n) throws Exception {
    SplittableRandom rng = new SplittableRandom(7);
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BufferedImage im = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 24; x++) {
          int base = x < 12 ? 40 : 200; // left/right halves differ, so flips and rotations change features
          im.setRGB(x, y, (base + rng.nextInt(30)) << 16 | (base / 2 + rng.nextInt(30)) << 8 | rng.nextInt(256));
        }
      }
      Path p = dir.resolve(String.format("%03d.png", i));
      ImageIO.write(im, "png", p.toFile());
      out.add(p);
    }
    return out;
  }

  private static Map<Integer, double[][]> runAugmented(List<Path> paths, TrainAugmentation a, int threads)
      throws Exception {
    FeatureExtractor ex = new FeatureExtractor(new MeansBackbone(), DecodeLimits.DEFAULT, threads);
    Map<Integer, double[][]> got = new TreeMap<>();
    ex.extractAugmented(paths, a, false, "t", ProgressListener.NONE, (i, p, f) -> {
      assertThat(p).isEqualTo(paths.get(i % paths.size()));
      got.put(i, f);
    });
    return got;
  }

  @Test
  void augmentedPassesAreSeededAndIndependentOfThreadCount(@TempDir Path dir) throws Exception {
    List<Path> paths = images(dir, 8);
    TrainAugmentation a = new TrainAugmentation(3, 11, AugmentationRules.defaults());
    Map<Integer, double[][]> one = runAugmented(paths, a, 1);
    Map<Integer, double[][]> two = runAugmented(paths, a, 2);
    assertThat(one.keySet()).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 24).boxed().toList());
    for (int i = 0; i < 24; i++) {
      assertThat(two.get(i)).isDeepEqualTo(one.get(i));
    }
    Map<Integer, double[][]> otherSeed = runAugmented(paths, new TrainAugmentation(3, 12,
        AugmentationRules.defaults()), 2);
    int differing = 0;
    for (int i = 0; i < 24; i++) {
      differing += Arrays.deepEquals(otherSeed.get(i), one.get(i)) ? 0 : 1;
    }
    assertThat(differing).as("copies that change with the seed").isGreaterThan(0);
    // copies differ from the plain image for some (not necessarily all: the outer p = 0.5 leaves some unchanged)
    FeatureExtractor ex = new FeatureExtractor(new MeansBackbone(), DecodeLimits.DEFAULT, 1);
    List<double[][]> plain = new ArrayList<>();
    ex.extract(paths, false, "t", ProgressListener.NONE, (i, p, f) -> plain.add(f));
    int changed = 0;
    for (int i = 0; i < 24; i++) {
      changed += Arrays.deepEquals(plain.get(i % 8), one.get(i)) ? 0 : 1;
    }
    assertThat(changed).isBetween(1, 23);
  }

  @Test
  void unreadableFileIsSkippedOnceAndItsCopiesLeftOut(@TempDir Path dir) throws Exception {
    List<Path> paths = new ArrayList<>(images(dir, 3));
    Path bad = dir.resolve("bad.png");
    Files.writeString(bad, "<html>not an image</html>");
    paths.add(1, bad);
    FeatureExtractor ex = new FeatureExtractor(new MeansBackbone(), DecodeLimits.DEFAULT, 2);
    List<Integer> seen = new ArrayList<>();
    List<Skipped> skipped = ex.extractAugmented(paths, new TrainAugmentation(2, 0, AugmentationRules.defaults()),
        true, "t", ProgressListener.NONE, (i, p, f) -> seen.add(i));
    assertThat(skipped).extracting(Skipped::path).containsExactly(bad);
    assertThat(seen).containsExactly(0, 2, 3, 4, 6, 7);
  }

  /** Test images from {@link SyntheticFeatures} (two levels of 3), training vectors as given. */
  private static CategoryFeatures features(Path root, double[][][] train, List<double[][]> augmented,
      TrainAugmentation a) {
    return SyntheticFeatures.category(root, "bottle", Arrays.asList(train), 10, 3, new int[] {3, 3}, a, augmented);
  }

  private static double[][][] gaussianTrain(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][][] t = new double[n][2][3];
    for (double[][] im : t) {
      for (double[] lv : im) {
        for (int d = 0; d < 3; d++) {
          lv[d] = rng.nextGaussian();
        }
      }
    }
    return t;
  }

  @Test
  void foldsFitOnEveryPassOfTheirOwnImagesOnly(@TempDir Path root) {
    double[][][] train = gaussianTrain(10, 1);
    List<double[][]> augmented = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      for (int i = 0; i < 10; i++) {
        augmented.add(new double[][] {{p * 100 + i}, {-(p * 100 + i)}});
      }
    }
    CategoryFeatures f = features(root, train, augmented, new TrainAugmentation(2, 0, AugmentationRules.defaults()));
    double[][][] rows = f.fitRows(new int[] {1, 4, 7});
    assertThat(Arrays.stream(rows[0]).mapToDouble(r -> r[0]).toArray()).containsExactly(1.0, 4.0, 7.0, 101.0, 104.0, 107.0);
    assertThat(Arrays.stream(rows[1]).mapToDouble(r -> r[0]).toArray()).containsExactly(-1.0, -4.0, -7.0, -101.0, -104.0, -107.0);
    CategoryFeatures plain = features(root, train, List.of(), null);
    assertThat(plain.fitRows(new int[] {2})[0][0]).isSameAs(train[2][0]);
  }

  @Test
  void augmentedCopiesEqualToTheImagesGiveTheSameL2AurocButMvgSeesTheLargerSample(@TempDir Path root)
      throws Exception {
    double[][][] train = gaussianTrain(40, 2);
    List<double[][]> copies = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      copies.addAll(Arrays.asList(train));
    }
    TrainAugmentation a = new TrainAugmentation(3, 0, AugmentationRules.defaults());
    BackboneSpec spec = new MeansBackbone().spec();
    List<Variant> vs = List.of(Variant.parse("l2"), Variant.parse("mvg"));
    var plain = Evaluation.evaluate(spec, features(root, train, List.of(), null), vs, Evaluation.Protocol.paper(),
        "x.onnx");
    var aug = Evaluation.evaluate(spec, features(root, train, copies, a), vs,
        Evaluation.Protocol.paper().withAugmentation(3, 0), "x.onnx");
    for (int fold = 0; fold < 5; fold++) {
      double[] a3 = aug.variants().get(0).folds().get(fold).images().stream()
          .mapToDouble(Evaluation.ImageResult::score).toArray();
      double[] a1 = plain.variants().get(0).folds().get(fold).images().stream()
          .mapToDouble(Evaluation.ImageResult::score).toArray();
      assertThat(a3).containsExactly(a1, org.assertj.core.data.Offset.offset(1e-12));
    }
    // Ledoit-Wolf shrinks less with 3x the rows, so Mahalanobis scores change
    assertThat(aug.variants().get(1).folds().get(0).images().get(0).score())
        .isNotEqualTo(plain.variants().get(1).folds().get(0).images().get(0).score());
  }

  @Test
  void protocolAndFeaturesMustAgreeOnAugmentation(@TempDir Path root) {
    CategoryFeatures plain = features(root, gaussianTrain(10, 1), List.of(), null);
    assertThatThrownBy(() -> Evaluation.evaluate(new MeansBackbone().spec(), plain, List.of(Variant.parse("l2")),
        Evaluation.Protocol.paper().withAugmentation(4, 0), "x.onnx"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without augmentation");
    assertThat(Evaluation.Protocol.paper().withAugmentation(4, 9).describe())
        .contains("4 augmented copies").contains("seed 9");
    assertThat(Evaluation.Protocol.paper().withAugmentation(4, 9).augmentation("screw").rules())
        .isEqualTo(AugmentationRules.forMvtecCategory("screw"));
  }
}
