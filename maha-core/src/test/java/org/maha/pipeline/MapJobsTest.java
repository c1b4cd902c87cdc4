package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maha.backbone.Backbone;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.FeatureMaps;
import org.maha.backbone.LevelGrid;
import org.maha.backbone.OnnxBackbone;
import org.maha.eval.PixelMetrics;
import org.maha.image.DecodeLimits;
import org.maha.image.Normalization;
import org.maha.image.RawFrame;
import org.maha.image.RgbImage;
import org.maha.model.FitException;
import org.maha.model.Variant;

/** {@link MapJobs} with the tiny test CNN (S = 32; levels s1 8 x 16 x 16, s2 16 x 8 x 8, pooled [N, 16]). */
class MapJobsTest {
  static final int IMAGE_PX = 48; // not the input size: maps are resized back to the image
  static OnnxBackbone backbone;
  static FeatureExtractor extractor;

  @BeforeAll
  static void open() throws Exception {
    backbone = OnnxBackbone.open(resource("/org/maha/backbone/tiny_cnn.onnx"),
        BackboneOptions.defaults().withLevels(List.of("s1", "s2", "pooled")).withThreads(1));
    extractor = new FeatureExtractor(backbone, DecodeLimits.DEFAULT, 1);
  }

  @AfterAll
  static void close() {
    backbone.close();
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(MapJobsTest.class.getResource(name).toURI());
  }

  /** Uniform RGB noise, seeded; with {@code square > 0} a white square of that side pasted at (x0, y0). */
  static RawFrame noise(long seed, int x0, int y0, int square) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] rgb = new byte[IMAGE_PX * IMAGE_PX * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) r.nextInt(256);
    }
    for (int y = y0; y < y0 + square; y++) {
      for (int x = x0; x < x0 + square; x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * IMAGE_PX + x) * 3 + c] = (byte) 255;
        }
      }
    }
    return RawFrame.packed(rgb, IMAGE_PX, IMAGE_PX, RawFrame.PixelFormat.RGB);
  }

  static MemoryImages<RawFrame> frames(List<RawFrame> frames) {
    return MemoryImages.raw(frames, DecodeLimits.DEFAULT);
  }

  static List<RawFrame> training(int n) {
    List<RawFrame> train = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      train.add(noise(1000 + i, 0, 0, 0));
    }
    return train;
  }

  @Test
  void defaultMapLevelsAreThoseAtStridesFourToSixteenFinestFirst() throws Exception {
    List<LevelGrid> grids = backbone.levelGrids();
    // S = 32: sides 2..8 qualify, so s2 (8 x 8) does; s1 (16 x 16) and pooled (1 x 1) do not
    assertThat(MapSettings.defaults().levelIndices(backbone.spec(), grids)).containsExactly(1);
    MapSettings named = new MapSettings(List.of("s2", "s1"), 100, 1, 4);
    assertThat(named.levelIndices(backbone.spec(), grids)).containsExactly(0, 1);
    MapSettings unknown = new MapSettings(List.of("s3"), 100, 1, 4);
    assertThatThrownBy(() -> unknown.levelIndices(backbone.spec(), grids)).isInstanceOf(FitException.class)
        .hasMessageContaining("'s3'").hasMessageContaining("s1 8 x 16 x 16");
  }

  @Test
  void fitsAndScoresWithImageScoresUnchangedAndMapsThatFindAPastedSquare() throws Exception {
    MemoryImages<RawFrame> train = frames(training(24));
    MapSettings settings = new MapSettings(List.of("s1", "s2"), 16, 7, 2.0);
    MapJobs.MapFitOutcome fitted = MapJobs.fit(extractor, train, Variant.parse("mvg"), "noise", null,
        settings, false, ProgressListener.NONE);
    MapModel maps = fitted.maps();
    assertThat(maps.levels()).containsExactly("s1", "s2");
    assertThat(maps.grids()).containsExactly(new LevelGrid(8, 16, 16), new LevelGrid(16, 8, 8));
    assertThat(maps.concatenatedChannels()).isEqualTo(24);
    assertThat(maps.channels()).hasSize(16).isSorted();
    assertThat(maps.gaussians().n()).isEqualTo(24);
    assertThat(maps.sizeBytes()).isEqualTo(16L * 16 * (16 + 136 + 1) * 8);

    // the image model is the one Jobs fits, and it scores the same
    Jobs.FitOutcome plain = Jobs.fit(extractor, train, Variant.parse("mvg"), "noise", null, false, null,
        ProgressListener.NONE);
    List<RawFrame> test = new ArrayList<>();
    List<boolean[]> masks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      boolean defect = i % 2 == 1;
      int x0 = 4 + 5 * i;
      int y0 = 30 - 3 * i;
      test.add(noise(5000 + i, x0, y0, defect ? 10 : 0));
      boolean[] mask = new boolean[IMAGE_PX * IMAGE_PX];
      for (int y = y0; defect && y < y0 + 10; y++) {
        for (int x = x0; x < x0 + 10; x++) {
          mask[y * IMAGE_PX + x] = true;
        }
      }
      masks.add(mask);
    }
    Jobs.ScoreOutcome expected = Jobs.score(extractor, plain.model(), frames(test), false, ProgressListener.NONE);
    List<MapJobs.MappedImage> scored = new ArrayList<>();
    MapJobs.score(extractor, fitted.image().model(), maps, frames(test), false, ProgressListener.NONE,
        (i, m) -> scored.add(m));
    assertThat(scored).hasSize(test.size());
    PixelMetrics metrics = new PixelMetrics(PixelMetrics.MAX_PIXELS);
    for (int i = 0; i < test.size(); i++) {
      MapJobs.MappedImage m = scored.get(i);
      assertThat(m.score().score()).isEqualTo(expected.scores().get(i).score().score());
      assertThat(m.score().levelDistances()).containsExactly(expected.scores().get(i).score().levelDistances());
      assertThat(m.width()).isEqualTo(IMAGE_PX);
      assertThat(m.height()).isEqualTo(IMAGE_PX);
      assertThat(m.map()).hasSize(IMAGE_PX * IMAGE_PX);
      float[] map = new float[m.map().length];
      double inside = 0;
      double outside = 0;
      int in = 0;
      for (int k = 0; k < map.length; k++) {
        map[k] = (float) m.map()[k];
        assertThat(m.map()[k]).isFinite().isGreaterThanOrEqualTo(0);
        if (masks.get(i)[k]) {
          inside += m.map()[k];
          in++;
        } else {
          outside += m.map()[k];
        }
      }
      if (in > 0) {
        assertThat(inside / in).as("image %d: mean inside the square vs outside", i)
            .isGreaterThan(outside / (map.length - in));
      }
      metrics.add(map, masks.get(i), IMAGE_PX, IMAGE_PX);
    }
    double auroc = metrics.result(PixelMetrics.PAPER_FPR_LIMIT).auroc().orElseThrow();
    assertThat(auroc).as("pixel AUROC of the tiny CNN's maps").isGreaterThan(0.8);
  }

  /** A backbone with one 1024 x 200 x 200 level that must never run: the fit is refused before any image. */
  private static final class HugeGridBackbone implements Backbone {
    @Override
    public BackboneSpec spec() {
      return new BackboneSpec("huge", "0".repeat(64), "input", 32, Normalization.IMAGENET, List.of("big"),
          List.of(1024));
    }

    @Override
    public int maxBatch() {
      return 1;
    }

    @Override
    public List<LevelGrid> levelGrids() {
      return List.of(new LevelGrid(1024, 200, 200));
    }

    @Override
    public double[][][] extract(float[] nchw, int batch) {
      throw new AssertionError("no image may run");
    }

    @Override
    public FeatureMaps extractWithMaps(float[] nchw, int batch, int[] mapLevels) {
      throw new AssertionError("no image may run");
    }

    @Override
    public void close() {}
  }

  @Test
  void refusesAMapFitThatCannotFitInTheHeapBeforeReadingAnyImage() {
    FeatureExtractor ex = new FeatureExtractor(new HugeGridBackbone(), DecodeLimits.DEFAULT, 1);
    FeatureExtractor.ImageSource never = new FeatureExtractor.ImageSource() {
      @Override
      public int size() {
        return 2;
      }

      @Override
      public Path name(int i) {
        return Path.of("image-" + i);
      }

      @Override
      public RgbImage decode(int i) {
        throw new AssertionError("no image may be read");
      }
    };
    MapSettings settings = new MapSettings(List.of("big"), MapSettings.MAX_CHANNELS, 1, 4);
    // 40000 positions x (1024^2 + 2 x 1024 x 1025 / 2 + ...) float64: about 670 GB
    assertThatThrownBy(() -> MapJobs.fit(ex, never, Variant.parse("mvg"), "train", null, settings, false,
        ProgressListener.NONE)).isInstanceOf(FitException.class)
        .hasMessageContaining("200 x 200 grid with 1024 channels").hasMessageContaining("more than this Java heap");
  }

  @Test
  void scoringRefusesAMapModelOfOtherLevels() throws Exception {
    MapJobs.MapFitOutcome fitted = MapJobs.fit(extractor, frames(training(6)), Variant.parse("mvg"), "noise",
        null, MapSettings.defaults(), false, ProgressListener.NONE);
    try (OnnxBackbone other = OnnxBackbone.open(resource("/org/maha/backbone/tiny_cnn.onnx"),
        BackboneOptions.defaults().withLevels(List.of("s1", "pooled")).withThreads(1))) {
      FeatureExtractor ex = new FeatureExtractor(other, DecodeLimits.DEFAULT, 1);
      assertThatThrownBy(() -> MapJobs.score(ex, fitted.image().model(), fitted.maps(), frames(training(1)), false,
          ProgressListener.NONE, (i, m) -> { })).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'s2'");
    }
  }
}
