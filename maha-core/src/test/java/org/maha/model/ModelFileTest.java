package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.backbone.BackboneSpec;
import org.maha.image.Normalization;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;

class ModelFileTest {
  @TempDir Path dir;

  static final BackboneSpec SPEC = new BackboneSpec("toy", "ab".repeat(32), "input", 32, Normalization.IMAGENET,
      List.of("a", "b"), List.of(4, 7));

  static double[][][] features(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][][] f = new double[n][2][];
    for (int i = 0; i < n; i++) {
      f[i][0] = new double[4];
      f[i][1] = new double[7];
      for (double[] v : f[i]) {
        for (int j = 0; j < v.length; j++) {
          v[j] = 3 + r.nextGaussian() * (1 + j);
        }
      }
    }
    return f;
  }

  static GaussianAdModel fit(Variant v, double[][][] train) throws FitException {
    GaussianAdFitter f = new GaussianAdFitter(SPEC, "toy.onnx", v);
    for (double[][] x : train) {
      f.add(x);
    }
    return f.fit("train/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mvg", "l2", "sed", "pca:0.9", "npca:0.9", "npca-official:0.9"})
  void roundTripGivesIdenticalScores(String variant) throws Exception {
    double[][][] train = features(30, 1);
    GaussianAdModel m = fit(Variant.parse(variant), train);
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    GaussianAdModel back = ModelFile.read(file);
    assertThat(back.variant()).isEqualTo(m.variant());
    assertThat(back.info().backbone()).isEqualTo(SPEC);
    assertThat(back.info().nTrain()).isEqualTo(30);
    for (double[][] x : features(10, 2)) {
      AnomalyScore a = m.score(x);
      AnomalyScore b = back.score(x);
      // float64 arrays are stored exactly, so the scores are bit-identical
      assertThat(b.score()).isEqualTo(a.score());
      assertThat(b.levelDistances()).containsExactly(a.levelDistances());
    }
  }

  @Test
  void streamingFitEqualsFitFromRows() throws Exception {
    double[][][] train = features(25, 3);
    double[][][] levelRows = new double[2][25][];
    for (int i = 0; i < 25; i++) {
      levelRows[0][i] = train[i][0];
      levelRows[1][i] = train[i][1];
    }
    GaussianAdModel streamed = fit(new Variant.Mvg(), train);
    GaussianAdModel rows = GaussianAdFitter.fitRows(SPEC, null, new Variant.Mvg(), levelRows, "x", new ArrayList<>());
    for (double[][] x : features(5, 4)) {
      assertThat(streamed.score(x).score()).isCloseTo(rows.score(x).score(),
          org.assertj.core.api.Assertions.within(1e-12));
    }
  }

  @Test
  void arraysAreReadableAsPlainNpy() throws Exception {
    GaussianAdModel m = fit(new Variant.Mvg(), features(20, 5));
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    try (ZipFile z = new ZipFile(file.toFile())) {
      NpyArray cov = Npy.read(z.getInputStream(z.getEntry("level_01/covariance.npy")).readAllBytes());
      NpyArray chol = Npy.read(z.getInputStream(z.getEntry("level_01/cholesky.npy")).readAllBytes());
      assertThat(cov.shape()).containsExactly(7, 7);
      assertThat(cov.dtype()).isEqualTo("<f8");
      // L Lᵀ reproduces the covariance
      double[] l = chol.data();
      for (int i = 0; i < 7; i++) {
        for (int j = 0; j < 7; j++) {
          double s = 0;
          for (int k = 0; k < 7; k++) {
            s += l[i * 7 + k] * l[j * 7 + k];
          }
          assertThat(s).isCloseTo(cov.data()[i * 7 + j], org.assertj.core.api.Assertions.within(1e-12));
        }
      }
      String manifest = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes());
      assertThat(manifest).contains("\"formatVersion\" : 2", "\"onnxSha256\" : \"" + "ab".repeat(32),
          "\"shrinkage\"", "\"java\"");
    }
  }

  /**
   * The manifest's condition number is λ_max/λ_min of the shrunk covariance: on the worked example of PAPER.md
   * §1.6, numpy gives {@code np.log10(np.linalg.cond(Σ_LW)) = 0.4884414395695673} (Σ_LW from the same rows with
   * the LW formulas of §1.6, float64). The Cholesky-diagonal bound 2·log10(max L_ii / min L_ii) says 0.353.
   */
  @Test
  void manifestConditionNumberIsTheEigenvalueRatio() throws Exception {
    BackboneSpec one = new BackboneSpec("toy", "ab".repeat(32), "input", 32, Normalization.IMAGENET, List.of("a"),
        List.of(3));
    GaussianAdFitter f = new GaussianAdFitter(one, "toy.onnx", new Variant.Mvg());
    for (double[] row : new double[][] {{1, 2, 0}, {3, 5, 1}, {4, 4, 2}, {0, 1, 1}, {2, 2, 2}, {5, 3, 0}}) {
      f.add(new double[][] {row});
    }
    Path file = dir.resolve("cond.maha");
    ModelFile.write(f.fit("paper"), file);
    try (ZipFile z = new ZipFile(file.toFile())) {
      var manifest = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(z.getInputStream(z.getEntry("manifest.json")));
      double log10Cond = manifest.findValue("log10ConditionNumber").asDouble();
      assertThat(log10Cond).isCloseTo(0.4884414395695673, org.assertj.core.api.Assertions.within(1e-12));
    }
  }

  @Test
  void aZeroLevelOfTheOfficialSliceRoundTrips() throws Exception {
    BackboneSpec one = new BackboneSpec("toy", "ab".repeat(32), "input", 32, Normalization.IMAGENET, List.of("a"),
        List.of(2));
    GaussianAdFitter f = new GaussianAdFitter(one, "toy.onnx", Variant.parse("npca-official:0.99"));
    for (int i = 0; i < 10; i++) {
      f.add(new double[][] {{i * 0.5, 0}});
    }
    GaussianAdModel m = f.fit("dead channel");
    assertThat(m.levels()).containsExactly(new LevelModel.Zero(2, 10));
    Path file = dir.resolve("zero.maha");
    ModelFile.write(m, file);
    GaussianAdModel back = ModelFile.read(file);
    assertThat(back.levels()).isEqualTo(m.levels());
    assertThat(back.score(new double[][] {{3, 1}}).score()).isZero();
  }

  @Test
  void aModelReadFromBytesIsTheModelReadFromItsFile() throws Exception {
    GaussianAdModel m = fit(new Variant.Mvg(), features(30, 1));
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    GaussianAdModel back = ModelFile.read(Files.readAllBytes(file), "upload");
    assertThat(back.info().backbone()).isEqualTo(SPEC);
    for (double[][] x : features(10, 2)) {
      assertThat(back.score(x).score()).isEqualTo(m.score(x).score());
    }
  }

  @Test
  void bytesThatAreNotAModelAreRefusedNamingThem() throws Exception {
    GaussianAdModel m = fit(new Variant.Mvg(), features(20, 6));
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    byte[] b = Files.readAllBytes(file);
    for (byte[] bad : List.of(Arrays.copyOf(b, b.length / 2), "hello".getBytes(), new byte[0])) {
      assertThatThrownBy(() -> ModelFile.read(bad, "the upload")).isInstanceOf(ModelFileException.class)
          .hasMessageStartingWith("the upload: ");
    }
    // the entries of a valid model in another order: bytes are read as a file is (by the zip's directory)
    java.io.ByteArrayOutputStream reordered = new java.io.ByteArrayOutputStream();
    try (ZipFile z = new ZipFile(file.toFile());
        java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(reordered)) {
      List<? extends java.util.zip.ZipEntry> entries = java.util.Collections.list(z.entries());
      java.util.Collections.reverse(entries);
      for (java.util.zip.ZipEntry e : entries) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        out.write(z.getInputStream(e).readAllBytes());
      }
    }
    Path reorderedFile = Files.write(dir.resolve("reordered.maha"), reordered.toByteArray());
    double[][] x = features(1, 7)[0];
    assertThat(ModelFile.read(reordered.toByteArray(), "the upload").score(x).score())
        .isEqualTo(ModelFile.read(reorderedFile).score(x).score())
        .isEqualTo(m.score(x).score());
  }

  @Test
  void rejectsTruncatedMissingAndForeignFiles() throws Exception {
    GaussianAdModel m = fit(new Variant.Mvg(), features(20, 6));
    Path file = dir.resolve("m.maha");
    ModelFile.write(m, file);
    byte[] b = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.maha");
    Files.write(cut, Arrays.copyOf(b, b.length / 2));
    assertThatThrownBy(() -> ModelFile.read(cut)).isInstanceOf(ModelFileException.class).hasMessageContaining("cut.maha");
    Path text = dir.resolve("text.maha");
    Files.writeString(text, "hello");
    assertThatThrownBy(() -> ModelFile.read(text)).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("text.maha");
    assertThatThrownBy(() -> ModelFile.read(dir.resolve("none.maha"))).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("no such file");
  }

  @Test
  void atomicWriteLeavesNoTemporaryFiles() throws Exception {
    ModelFile.write(fit(new Variant.L2(), features(5, 7)), dir.resolve("a.maha"));
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("a.maha");
    }
  }

  @Test
  void anotherBackboneIsRefused() throws Exception {
    GaussianAdModel m = fit(new Variant.Mvg(), features(20, 8));
    BackboneSpec other = new BackboneSpec("toy", "cd".repeat(32), "input", 32, Normalization.IMAGENET,
        List.of("a", "b"), List.of(4, 7));
    assertThatThrownBy(() -> ModelCompatibility.check(m, other, "m.maha", "other.onnx"))
        .isInstanceOf(ModelFileException.class).hasMessageContaining("other.onnx").hasMessageContaining("sha256");
    ModelCompatibility.check(m, SPEC, "m.maha", "toy.onnx");
  }

  @Test
  void tooFewImagesAndConstantFeaturesAreFitErrors() {
    assertThatThrownBy(() -> fit(new Variant.Mvg(), features(1, 9))).isInstanceOf(FitException.class)
        .hasMessageContaining("at least 2");
    double[][][] same = new double[5][][];
    double[][][] one = features(1, 10);
    Arrays.fill(same, one[0]);
    assertThatThrownBy(() -> fit(new Variant.Mvg(), same)).isInstanceOf(FitException.class)
        .hasMessageContaining("constant");
    assertThatThrownBy(() -> fit(new Variant.Sed(), same)).isInstanceOf(FitException.class)
        .hasMessageContaining("constant");
  }

  @Test
  void variantsParseAndPrint() {
    for (String s : List.of("mvg", "l2", "sed", "pca:0.99", "npca:0.999")) {
      assertThat(Variant.parse(s).id()).isEqualTo(s);
    }
    assertThatThrownBy(() -> Variant.parse("pca")).hasMessageContaining("threshold");
    assertThatThrownBy(() -> Variant.parse("npca:1.5")).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> Variant.parse("knn")).hasMessageContaining("unknown variant");
  }
}
