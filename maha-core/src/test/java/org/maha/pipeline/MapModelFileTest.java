package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneSpec;
import org.maha.backbone.LevelGrid;
import org.maha.image.Normalization;
import org.maha.maps.PositionAccumulator;
import org.maha.maps.PositionGaussians;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelFileException;
import org.maha.model.Variant;

/** The map section of a {@code .maha} file: bit-exact round trip, optional, refused when inconsistent. */
class MapModelFileTest {
  @TempDir Path dir;

  static final BackboneSpec SPEC = new BackboneSpec("toy", "ab".repeat(32), "input", 32, Normalization.IMAGENET,
      List.of("a", "b"), List.of(4, 7));

  static GaussianAdModel imageModel() throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    GaussianAdFitter f = new GaussianAdFitter(SPEC, "toy.onnx", new Variant.Mvg());
    for (int i = 0; i < 20; i++) {
      double[] a = r.doubles(4).map(x -> x * 3).toArray();
      double[] b = r.doubles(7).map(x -> x + 1).toArray();
      f.add(new double[][] {a, b});
    }
    return f.fit("train/");
  }

  /** Level b (7 channels) on a 3 x 4 grid, channels 0, 2, 3, 5, 6 kept, fitted on 12 random grids. */
  static MapModel mapModel() throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    List<LevelGrid> grids = List.of(new LevelGrid(7, 3, 4));
    int[] kept = {0, 2, 3, 5, 6};
    PositionAccumulator acc = new PositionAccumulator(kept.length, 3, 4);
    for (int i = 0; i < 12; i++) {
      float[] chw = new float[7 * 12];
      for (int j = 0; j < chw.length; j++) {
        chw[j] = (float) r.nextGaussian();
      }
      acc.add(MapModel.embed(grids, kept, new float[][] {chw}));
    }
    return new MapModel(List.of("b"), grids, List.of(0, 2, 3, 5, 6), 1024, 4.0, acc.fit());
  }

  @Test
  void roundTripIsBitExact() throws Exception {
    GaussianAdModel model = imageModel();
    MapModel maps = mapModel();
    MapScale scale = new MapScale(1.25, 3.5, 0.05, 40, MapScale.CALIBRATION);
    Path file = dir.resolve("m.maha");
    MapModelFile.write(model, maps, scale, file);
    MapModelFile.Stored back = MapModelFile.read(file);
    assertThat(back.scale()).isEqualTo(scale);
    MapModel m = back.maps();
    assertThat(m.levels()).isEqualTo(maps.levels());
    assertThat(m.grids()).isEqualTo(maps.grids());
    assertThat(m.channels()).isEqualTo(maps.channels());
    assertThat(m.seed()).isEqualTo(maps.seed());
    assertThat(m.sigmaPx()).isEqualTo(maps.sigmaPx());
    PositionGaussians a = maps.gaussians();
    PositionGaussians b = m.gaussians();
    assertThat(b.n()).isEqualTo(a.n()).isEqualTo(12);
    assertThat(b.means()).isEqualTo(a.means());
    assertThat(b.packedLower()).isEqualTo(a.packedLower());
    assertThat(b.shrinkage()).isEqualTo(a.shrinkage());
    float[] grid = new float[7 * 12];
    java.util.Arrays.fill(grid, 0.5f);
    assertThat(m.map(new float[][] {grid}, 32, 40, 30)).isEqualTo(maps.map(new float[][] {grid}, 32, 40, 30));
    // the image model inside is the same as without maps, and ModelFile alone still reads it
    Path plain = dir.resolve("plain.maha");
    ModelFile.write(model, plain);
    double[][] x = {{1, 2, 3, 4}, {1, 2, 3, 4, 5, 6, 7}};
    assertThat(ModelFile.read(file).score(x)).usingRecursiveComparison().isEqualTo(ModelFile.read(plain).score(x));
    MapModelFile.Stored none = MapModelFile.read(plain);
    assertThat(none.maps()).isNull();
    assertThat(none.scale()).isNull();
    assertThat(MapModelFile.read(dir.resolve("m.maha")).model().score(x)).usingRecursiveComparison()
        .isEqualTo(model.score(x));
  }

  @Test
  void float32FactorsAreTheFactorsRoundedAndMapsStayClose() throws Exception {
    MapModel maps = mapModel();
    Path f64 = dir.resolve("f64.maha");
    Path f32 = dir.resolve("f32.maha");
    MapModelFile.write(imageModel(), maps, null, f64);
    MapModelFile.write(imageModel(), maps, null, f32, List.of(), true);
    PositionGaussians a = maps.gaussians();
    PositionGaussians b = MapModelFile.read(f32).maps().gaussians();
    double[] want = a.packedLower();
    for (int i = 0; i < want.length; i++) {
      want[i] = (float) want[i];
    }
    assertThat(b.packedLower()).isEqualTo(want).isNotEqualTo(a.packedLower());
    assertThat(b.means()).isEqualTo(a.means());
    assertThat(b.shrinkage()).isEqualTo(a.shrinkage());
    try (java.util.zip.ZipFile z64 = new java.util.zip.ZipFile(f64.toFile());
        java.util.zip.ZipFile z32 = new java.util.zip.ZipFile(f32.toFile())) {
      long bytes64 = z64.getEntry("maps/cholesky.npy").getSize();
      long bytes32 = z32.getEntry("maps/cholesky.npy").getSize();
      assertThat(bytes32 - 128).isEqualTo((bytes64 - 128) / 2); // same 128-byte header, half the values' bytes
    }
    SplittableRandom r = new SplittableRandom(9);
    for (int t = 0; t < 5; t++) {
      float[] grid = new float[7 * 12];
      for (int j = 0; j < grid.length; j++) {
        grid[j] = (float) (3 * r.nextGaussian());
      }
      double[] x = maps.map(new float[][] {grid}, 32, 40, 30);
      double[] y = MapModelFile.read(f32).maps().map(new float[][] {grid}, 32, 40, 30);
      for (int k = 0; k < x.length; k++) {
        assertThat(Math.abs(y[k] - x[k])).isLessThanOrEqualTo(1e-5 * x[k]);
      }
    }
  }

  @Test
  void scaleIsOptional() throws Exception {
    Path file = dir.resolve("m.maha");
    MapModelFile.write(imageModel(), mapModel(), null, file);
    assertThat(MapModelFile.read(file).scale()).isNull();
    assertThat(MapModelFile.read(file).maps()).isNotNull();
  }

  @Test
  void levelOfAnotherBackboneIsRefused() throws Exception {
    MapModel maps = mapModel();
    MapModel other = new MapModel(List.of("zz"), maps.grids(), maps.channels(), 1, 4, maps.gaussians());
    Path file = dir.resolve("m.maha");
    MapModelFile.write(imageModel(), other, null, file);
    assertThatThrownBy(() -> MapModelFile.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("level 'zz' is not a level").hasMessageContaining(file.toString());
    assertThat(Files.exists(file)).isTrue();
  }
}
