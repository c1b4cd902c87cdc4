package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.LabeledImage;
import org.maha.data.MvtecCategory;
import org.maha.data.MvtecLayout;
import org.maha.data.SyntheticInspectionSet;
import org.maha.eval.PixelMetrics;
import org.maha.image.DecodeLimits;
import org.maha.model.Variant;
import org.maha.testing.SharedData;

/**
 * Anomaly maps with the genuine ImageNet MobileNetV2 from {@code shared/models} (skipped, and counted as skipped,
 * when it is absent) on the synthetic inspection set, whose defects come with ground-truth masks.
 */
class MapsMobileNetV2Test {

  @TempDir
  Path tmp;

  /** Pixel AUROC and AU-PRO of one category, and the times measured on the way. */
  record CategoryResult(String name, double auroc, double aupro, double fitSeconds, int trainImages,
      double plainSecondsPerImage, double mapSecondsPerImage, long fitBytes, long modelBytes) {}

  /** Rounds of scoring without and with maps when measuring, alternating, so that other load hits both alike. */
  static final int ROUNDS = 3;

  static CategoryResult run(OnnxBackbone backbone, MvtecCategory category, MapSettings settings, int rounds)
      throws Exception {
    FeatureExtractor extractor = new FeatureExtractor(backbone, DecodeLimits.DEFAULT, 2);
    long start = System.nanoTime();
    MapJobs.MapFitOutcome fitted = MapJobs.fit(extractor, extractor.files(category.train()), Variant.parse("mvg"),
        category.name(), null, settings, false, ProgressListener.NONE);
    double fitSeconds = (System.nanoTime() - start) / 1e9;
    List<Path> paths = category.test().stream().map(LabeledImage::path).toList();
    // without maps, then with, the same images, in this process; the fastest of the alternating rounds counts
    double plainSeconds = Double.MAX_VALUE;
    double mapSeconds = Double.MAX_VALUE;
    Jobs.ScoreOutcome plain = null;
    List<MapJobs.MappedImage> mapped = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      start = System.nanoTime();
      plain = Jobs.score(extractor, fitted.image().model(), paths, false, ProgressListener.NONE);
      plainSeconds = Math.min(plainSeconds, (System.nanoTime() - start) / 1e9);
      mapped.clear();
      start = System.nanoTime();
      MapJobs.score(extractor, fitted.image().model(), fitted.maps(), extractor.files(paths), false,
          ProgressListener.NONE, (i, m) -> mapped.add(m));
      mapSeconds = Math.min(mapSeconds, (System.nanoTime() - start) / 1e9);
    }
    PixelMetrics metrics = new PixelMetrics(PixelMetrics.MAX_PIXELS);
    for (int i = 0; i < paths.size(); i++) {
      MapJobs.MappedImage m = mapped.get(i);
      assertThat(m.score().score()).isEqualTo(plain.scores().get(i).score().score());
      boolean[] mask = MaskFiles.read(category.root(), category.test().get(i), m.width(), m.height(),
          DecodeLimits.DEFAULT);
      float[] map = new float[m.map().length];
      for (int k = 0; k < map.length; k++) {
        map[k] = (float) m.map()[k];
      }
      metrics.add(map, mask, m.width(), m.height());
    }
    PixelMetrics.Result r = metrics.result(PixelMetrics.PAPER_FPR_LIMIT);
    System.out.println(String.format(Locale.ROOT, "maps %s: pixel AUROC %.4f, AU-PRO(0.3) %.4f", category.name(),
        r.auroc().orElseThrow(), r.aupro().orElseThrow()));
    MapModel maps = fitted.maps();
    long fitBytes = MapSettings.fitBytes(maps.gaussians().height() * maps.gaussians().width(),
        maps.gaussians().channels());
    return new CategoryResult(category.name(), r.auroc().orElseThrow(), r.aupro().orElseThrow(), fitSeconds,
        category.train().size(), plainSeconds / paths.size(), mapSeconds / paths.size(), fitBytes, maps.sizeBytes());
  }

  @Test
  void mapsLocateTheSyntheticDefects() throws Exception {
    Path model = SharedData.mobileNetV2();
    Path root = tmp.resolve("set");
    SyntheticInspectionSet.write(root, new SyntheticInspectionSet.Spec(List.of("fabric"), 256, 30, 4, 3, 2020L));
    try (OnnxBackbone backbone = OnnxBackbone.open(model, BackboneOptions.defaults().withThreads(2))) {
      assertThat(backbone.spec().levelNames()).containsExactly("feat_s8", "feat_s16", "embedding");
      CategoryResult r = run(backbone, MvtecLayout.category(root, "fabric"), MapSettings.defaults(), 1);
      assertThat(r.auroc()).as("pixel AUROC").isGreaterThan(0.8);
      assertThat(r.aupro()).as("AU-PRO up to FPR 0.3").isGreaterThan(0.5);
    }
  }

  /**
   * Float32 Cholesky factors against float64 (issue 10: float32 is allowed if the maps stay within 1e-5 of
   * float64): on {@code maha demo}'s set (default: the 9-tap MobileNetV2 and default map settings;
   * {@code -Dmaha.bench.maps.model}, {@code .categories} as {@link #measuresTheDemoSet}), the map model fitted in
   * float64 scores every test image twice in one pass, with its factors as fitted and with each factor entry
   * rounded to float32 (means and shrinkage unchanged); prints the largest absolute and relative difference of the
   * grid distances and of the final maps, and both pixel AUROCs. Off unless {@code -Dmaha.bench.maps.float32=true}.
   */
  @Test
  @EnabledIfSystemProperty(named = "maha.bench.maps.float32", matches = "true")
  void measuresFloat32Factors() throws Exception {
    Path model = SharedData.require(System.getProperty("maha.bench.maps.model",
        "models/mobilenet_v2_imagenet_9taps.onnx"));
    Path root = tmp.resolve("demo");
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    String categories = System.getProperty("maha.bench.maps.categories", String.join(",", demo.categories()));
    SyntheticInspectionSet.Spec spec = new SyntheticInspectionSet.Spec(List.of(categories.split(",")), demo.px(),
        demo.nTrain(), demo.nTestGood(), demo.nPerDefect(), demo.seed());
    SyntheticInspectionSet.write(root, spec);
    try (OnnxBackbone backbone = OnnxBackbone.open(model, BackboneOptions.defaults().withThreads(2))) {
      FeatureExtractor extractor = new FeatureExtractor(backbone, DecodeLimits.DEFAULT, 2);
      for (String name : spec.categories()) {
        MvtecCategory category = MvtecLayout.category(root, name);
        MapModel maps = MapJobs.fit(extractor, extractor.files(category.train()), Variant.parse("mvg"), name, null,
            MapSettings.defaults(), false, ProgressListener.NONE).maps();
        org.maha.maps.PositionGaussians g = maps.gaussians();
        double[] lower = g.packedLower();
        for (int i = 0; i < lower.length; i++) {
          lower[i] = (float) lower[i];
        }
        MapModel maps32 = new MapModel(maps.levels(), maps.grids(), maps.channels(), maps.seed(), maps.sigmaPx(),
            new org.maha.maps.PositionGaussians(g.channels(), g.height(), g.width(), g.n(), g.means(), lower,
                g.shrinkage()));
        int[] levels = maps.levelIndices(backbone.spec(), backbone.levelGrids());
        int s = backbone.spec().inputSizePx();
        double[] worst = new double[4]; // grid abs, grid rel, map abs, map rel
        PixelMetrics m64 = new PixelMetrics(PixelMetrics.MAX_PIXELS);
        PixelMetrics m32 = new PixelMetrics(PixelMetrics.MAX_PIXELS);
        List<Path> paths = category.test().stream().map(LabeledImage::path).toList();
        extractor.extractWithMaps(extractor.files(paths), levels, false, "float32 check", ProgressListener.NONE,
            (i, p, f, levelMaps, w, h) -> {
              float[] grid = maps.embed(levelMaps);
              compare(g.mahalanobisMap(grid), maps32.gaussians().mahalanobisMap(grid), worst, 0);
              double[] a = maps.map(levelMaps, s, w, h);
              double[] b = maps32.map(levelMaps, s, w, h);
              compare(a, b, worst, 2);
              boolean[] mask = MaskFiles.read(category.root(), category.test().get(i), w, h, DecodeLimits.DEFAULT);
              m64.add(toFloat(a), mask, w, h);
              m32.add(toFloat(b), mask, w, h);
            });
        System.out.println(String.format(Locale.ROOT, "float32 factors, %s (%d x %d grid, %d channels, %d test "
            + "images): grid distances max abs %.3g, max rel %.3g; maps max abs %.3g, max rel %.3g; pixel AUROC "
            + "%.6f (float64) %.6f (float32), AU-PRO %.6f / %.6f", name, g.height(), g.width(), g.channels(),
            paths.size(), worst[0], worst[1], worst[2], worst[3], m64.result(0.3).auroc().orElseThrow(),
            m32.result(0.3).auroc().orElseThrow(), m64.result(0.3).aupro().orElseThrow(),
            m32.result(0.3).aupro().orElseThrow()));
      }
    }
  }

  private static void compare(double[] a, double[] b, double[] worst, int at) {
    for (int k = 0; k < a.length; k++) {
      double d = Math.abs(a[k] - b[k]);
      worst[at] = Math.max(worst[at], d);
      worst[at + 1] = Math.max(worst[at + 1], d / Math.abs(a[k]));
    }
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int k = 0; k < d.length; k++) {
      f[k] = (float) d[k];
    }
    return f;
  }

  /**
   * The numbers of the report: the demo set ({@code maha demo}'s spec). Off unless {@code -Dmaha.bench.maps=true};
   * {@code -Dmaha.bench.maps.train=N} changes the training images per category, {@code -Dmaha.bench.maps.model}
   * the backbone (a path under shared/), e.g. {@code models/mobilenet_v2_imagenet_9taps.onnx},
   * {@code -Dmaha.bench.maps.levels=L2,L3,L4} the map levels, {@code -Dmaha.bench.maps.categories=fabric} the
   * categories. Run it under a
   * small {@code -DargLine=-Xmx...} to see that the fit's memory does not grow with N.
   */
  @Test
  @EnabledIfSystemProperty(named = "maha.bench.maps", matches = "true")
  void measuresTheDemoSet() throws Exception {
    Path model = SharedData.require(System.getProperty("maha.bench.maps.model", "models/mobilenet_v2_imagenet.onnx"));
    Path root = tmp.resolve("demo");
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    String categories = System.getProperty("maha.bench.maps.categories", String.join(",", demo.categories()));
    String levels = System.getProperty("maha.bench.maps.levels", "");
    MapSettings settings = new MapSettings(levels.isEmpty() ? List.of() : List.of(levels.split(",")),
        MapSettings.DEFAULT_CHANNELS, MapSettings.DEFAULT_SEED, MapSettings.defaults().sigmaPx());
    SyntheticInspectionSet.Spec spec = new SyntheticInspectionSet.Spec(List.of(categories.split(",")), demo.px(),
        Integer.getInteger("maha.bench.maps.train", demo.nTrain()), demo.nTestGood(), demo.nPerDefect(), demo.seed());
    SyntheticInspectionSet.write(root, spec);
    try (OnnxBackbone backbone = OnnxBackbone.open(model, BackboneOptions.defaults().withThreads(2))) {
      for (String name : spec.categories()) {
        CategoryResult r = run(backbone, MvtecLayout.category(root, name), settings, ROUNDS);
        System.out.println(String.format(Locale.ROOT,
            "maps %s (Java heap %d MB): pixel AUROC %.4f, AU-PRO(0.3) %.4f; fit %d images %.1f s; per test image "
                + "%.1f ms without maps, %.1f ms with (fastest of %d rounds); map fit heap stated %d MB; map model %d MB",
            r.name(), Runtime.getRuntime().maxMemory() >> 20, r.auroc(), r.aupro(), r.trainImages(), r.fitSeconds(),
            1e3 * r.plainSecondsPerImage(), 1e3 * r.mapSecondsPerImage(), ROUNDS, r.fitBytes() >> 20,
            r.modelBytes() >> 20));
      }
    }
  }
}
