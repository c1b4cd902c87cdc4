package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.data.SyntheticInspectionSet;
import org.maha.eval.Auroc;
import org.maha.model.GaussianAdModel;
import org.maha.model.LevelModel;
import org.maha.model.ModelFile;
import org.maha.npy.Npy;
import org.maha.npy.NpyArray;
import org.maha.stats.LedoitWolf;
import org.maha.stats.ShrunkCovariance;

/** fit → save → load → score → embed → evaluate through the CLI, on a synthetic set and the tiny test CNN. */
class EndToEndTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path data;
  static final String LEVELS = "s1,s2,pooled";

  @BeforeAll
  static void setUp() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    data = dir.resolve("data");
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(
        demo.categories().subList(0, 2), 64, 12, 5, 3, 7L));
  }

  private static Path category(int i) throws Exception {
    try (var s = Files.list(data)) {
      return s.filter(Files::isDirectory).sorted().toList().get(i);
    }
  }

  @Test
  void fitSaveLoadScoreGivesTheSameScoresAsTheFittedModel() throws Exception {
    Path train = category(0).resolve("train/good");
    Path model = dir.resolve("m.maha");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", model.toString(),
        train.toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(fit.out()).contains("fitted mvg on 12 images");

    GaussianAdModel m = ModelFile.read(model);
    assertThat(m.levels()).hasSize(3).allMatch(l -> l instanceof LevelModel.Mvg);
    assertThat(m.info().nTrain()).isEqualTo(12);

    Path test = category(0).resolve("test");
    var score = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "--format", "json", "-q",
        test.resolve("good").toString());
    assertThat(score.exitCode()).as(score.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(score.out());
    assertThat(json.path("images")).hasSize(5);
    for (JsonNode im : json.path("images")) {
      double sum = 0;
      for (JsonNode d : im.path("levelDistances")) {
        sum += d.asDouble();
        assertThat(d.asDouble()).isPositive();
      }
      // the combined score is the mean of the per-level distances (PAPER §1.7)
      assertThat(im.path("score").asDouble()).isCloseTo(sum / 3, within(1e-12));
    }
  }

  @Test
  void augmentedFitUsesEveryCopyAndIsReproducible() throws Exception {
    Path train = category(0).resolve("train/good");
    Path a = dir.resolve("aug-a.maha");
    Path b = dir.resolve("aug-b.maha");
    for (Path model : List.of(a, b)) {
      var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--augment", "3",
          "--augment-seed", "5", "--augment-rules", "flip,rotate90,noise", "-o", model.toString(), train.toString());
      assertThat(fit.exitCode()).as(fit.all()).isZero();
      assertThat(fit.out()).contains("fitted mvg on 36 images");
    }
    GaussianAdModel ma = ModelFile.read(a);
    GaussianAdModel mb = ModelFile.read(b);
    assertThat(ma.info().nTrain()).isEqualTo(36);
    assertThat(ma.info().trainSource()).contains("3 augmented passes").contains("seed 5");
    assertThat(((LevelModel.Mvg) ma.levels().get(0)).gaussian().mean())
        .containsExactly(((LevelModel.Mvg) mb.levels().get(0)).gaussian().mean());
    var bad = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--augment", "2",
        "--augment-rules", "flip,sideways", "-o", dir.resolve("x.maha").toString(), train.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown rule 'sideways'");
    assertThat(dir.resolve("x.maha")).doesNotExist();
  }

  @Test
  void evaluateWithAugmentationSaysSoAndDiffersFromThePlainFit() throws Exception {
    var plain = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--variants", "mvg",
        "--folds", "2", category(0).toString());
    var aug = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--variants", "mvg",
        "--folds", "2", "--augment", "2", category(0).toString());
    assertThat(aug.exitCode()).as(aug.all()).isZero();
    assertThat(aug.out()).contains("fitted on 2 augmented copies of each training image (seed 0)");
    assertThat(aug.out()).isNotEqualTo(plain.out());
  }

  @Test
  void embeddingPreparedTensorsGivesTheSameFeaturesAsEmbeddingTheImages() throws Exception {
    List<Path> files;
    try (var s = Files.list(category(1).resolve("train/good"))) {
      files = s.sorted().limit(3).toList();
    }
    Path viaImages = dir.resolve("emb-images");
    var r = CliHarness.run(concat(List.of("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o",
        viaImages.toString()), files));
    assertThat(r.exitCode()).as(r.all()).isZero();
    int size = new com.fasterxml.jackson.databind.ObjectMapper().readTree(viaImages.resolve("embed.json").toFile())
        .path("inputSizePx").asInt();
    // the same preprocessing, done here and handed over as a float32 [N, 3, S, S] tensor
    org.maha.image.Preprocessing pre = new org.maha.image.Preprocessing(size, org.maha.image.Normalization.IMAGENET);
    double[] batch = new double[files.size() * 3 * size * size];
    for (int i = 0; i < files.size(); i++) {
      float[] chw = pre.apply(org.maha.image.ImageDecoder.decode(Files.readAllBytes(files.get(i)),
          org.maha.image.DecodeLimits.DEFAULT));
      for (int j = 0; j < chw.length; j++) {
        batch[i * chw.length + j] = chw[j];
      }
    }
    Path tensors = dir.resolve("batch.npy");
    Files.write(tensors, Npy.toBytes(NpyArray.ofDoubles(batch, files.size(), 3, size, size).asFloat32()));
    Path viaTensors = dir.resolve("emb-tensors");
    var t = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--tensors",
        tensors.toString(), "-o", viaTensors.toString());
    assertThat(t.exitCode()).as(t.all()).isZero();
    assertThat(t.out()).contains("embedded 3 tensors");
    for (String level : LEVELS.split(",")) {
      NpyArray a = Npy.read(Files.readAllBytes(viaImages.resolve(level + ".npy")));
      NpyArray b = Npy.read(Files.readAllBytes(viaTensors.resolve(level + ".npy")));
      assertThat(b.shape()).containsExactly(a.shape());
      assertThat(b.data()).containsExactly(a.data());
    }
    assertThat(Files.readAllLines(viaTensors.resolve("index.txt"))).containsExactly("batch.npy[0]", "batch.npy[1]",
        "batch.npy[2]");

    Files.write(tensors, Npy.toBytes(NpyArray.ofDoubles(new double[3 * 8 * 8], 1, 3, 8, 8)));
    var bad = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--tensors",
        tensors.toString(), "-o", dir.resolve("emb-bad").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("batch.npy").contains("expected shape [N, 3, " + size + ", " + size + "]");
    assertThat(dir.resolve("emb-bad")).doesNotExist();
    var both = CliHarness.run(concat(List.of("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q",
        "--tensors", tensors.toString(), "-o", dir.resolve("emb-both").toString()), files));
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("either IMAGES or --tensors");
  }

  private static String[] concat(List<String> args, List<Path> files) {
    List<String> all = new java.util.ArrayList<>(args);
    files.forEach(f -> all.add(f.toString()));
    return all.toArray(new String[0]);
  }

  @Test
  void embeddedFeaturesReproduceTheModelsLedoitWolfCovariance() throws Exception {
    Path train = category(1).resolve("train/good");
    Path model = dir.resolve("m2.maha");
    Path emb = dir.resolve("emb");
    assertThat(CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", model.toString(),
        train.toString()).exitCode()).isZero();
    var e = CliHarness.run("embed", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", emb.toString(),
        train.toString());
    assertThat(e.exitCode()).as(e.all()).isZero();
    assertThat(Files.readAllLines(emb.resolve("index.txt"))).hasSize(12);
    GaussianAdModel m = ModelFile.read(model);
    String[] names = LEVELS.split(",");
    for (int l = 0; l < names.length; l++) {
      NpyArray x = Npy.read(Files.readAllBytes(emb.resolve(names[l] + ".npy")));
      assertThat(x.dim(0)).isEqualTo(12);
      ShrunkCovariance lw = LedoitWolf.fit(x.rows());
      DMatrixRMaj stored = ((LevelModel.Mvg) m.levels().get(l)).gaussian().covariance();
      // same features, same maths: equal to rounding (streaming vs direct summation order)
      for (int i = 0; i < stored.getNumElements(); i++) {
        assertThat(stored.get(i)).isCloseTo(lw.covariance().get(i), within(1e-12 * Math.abs(lw.covariance().get(i)) + 1e-300));
      }
    }
  }

  @Test
  void evaluateWritesScoresWhoseAurocMatchesTheTable() throws Exception {
    Path out = dir.resolve("report");
    var r = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q",
        "--variants", "mvg,l2,sed,pca:0.99,npca:0.99", "-o", out.toString(), data.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("| **mean of levels** |").contains("mvg").contains("npca:0.99");
    for (String f : List.of("auroc.csv", "scores.csv", "evaluation.json", "evaluation.md")) {
      assertThat(out.resolve(f)).exists();
    }
    // recompute one combined AUROC from scores.csv and compare with auroc.csv
    List<String> lines = Files.readAllLines(out.resolve("scores.csv"));
    String cat = lines.get(1).split(",")[0];
    List<Double> scores = new ArrayList<>();
    List<Boolean> labels = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      if (f[0].equals(cat) && f[1].equals("mvg")) {
        assertThat(f[2]).isEqualTo("all");
        labels.add(f[5].equals("1"));
        scores.add(Double.parseDouble(f[6]));
      }
    }
    assertThat(scores).hasSize(5 + SyntheticInspectionSet.DEFECT_TYPES.size() * 3);
    boolean[] y = new boolean[labels.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels.get(i);
    }
    double auroc = Auroc.auroc(scores.stream().mapToDouble(Double::doubleValue).toArray(), y);
    String row = Files.readAllLines(out.resolve("auroc.csv")).stream()
        .filter(l -> l.startsWith(cat + ",mvg,all,combined,")).findFirst().orElseThrow();
    assertThat(Double.parseDouble(row.substring(row.lastIndexOf(',') + 1))).isEqualTo(auroc);
  }

  @Test
  void kFoldProtocolAveragesThePerFoldAurocs() throws Exception {
    Path out = dir.resolve("folds");
    var r = CliHarness.run("evaluate", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--variants", "mvg",
        "--folds", "3", "-o", out.toString(), category(0).toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("mean over 3 folds");
    List<String> rows = Files.readAllLines(out.resolve("auroc.csv"));
    double sum = 0;
    for (String fold : List.of("0", "1", "2")) {
      String row = rows.stream().filter(l -> l.contains(",mvg," + fold + ",combined,")).findFirst().orElseThrow();
      sum += Double.parseDouble(row.substring(row.lastIndexOf(',') + 1));
    }
    String mean = rows.stream().filter(l -> l.contains(",mvg,mean,combined,")).findFirst().orElseThrow();
    assertThat(Double.parseDouble(mean.substring(mean.lastIndexOf(',') + 1))).isCloseTo(sum / 3, within(1e-15));
    // fold 0 holds out KFold(3, shuffle=True, random_state=0)'s first test fold of the 12 training images
    JsonNode json = new ObjectMapper().readTree(out.resolve("evaluation.json").toFile());
    JsonNode heldOut = json.path("categories").get(0).path("variants").path("mvg").path("folds").get(0)
        .path("heldOutTrainIndices");
    int[] expected = org.maha.data.KFold.heldOut(12, 3, 0)[0];
    assertThat(heldOut).hasSize(expected.length);
    JsonNode cal = json.path("categories").get(0).path("variants").path("mvg").path("folds").get(0)
        .path("calibration");
    assertThat(cal.path("nHeldOut").asInt()).isEqualTo(expected.length);
    assertThat(cal.path("testFpr").asDouble()).isBetween(0.0, 1.0);
    for (int i = 0; i < expected.length; i++) {
      assertThat(heldOut.get(i).asInt()).isEqualTo(expected[i]);
    }
  }

  @Test
  void calibratedModelGivesVerdictsAtTheConformalThreshold() throws Exception {
    Path cat = category(1);
    Path model = dir.resolve("cal.maha");
    var fit = CliHarness.run("fit", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "-o", model.toString(),
        "--calibrate", cat.resolve("test/good").toString(), "--target-fpr", "0.2", cat.resolve("train/good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    assertThat(fit.out()).contains("decision threshold");
    GaussianAdModel m = ModelFile.read(model);
    assertThat(m.threshold()).isPresent();
    // n = 5, α = 0.2: rank ceil(6 * 0.8) = 5 → the largest calibration score; guaranteed since 5 >= 1/0.2 - 1
    assertThat(m.calibration().n()).isEqualTo(5);
    assertThat(m.calibration().guaranteed()).isTrue();
    var score = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "--format", "json", "-q",
        cat.resolve("test/good").toString());
    JsonNode json = new ObjectMapper().readTree(score.out());
    double max = 0;
    for (JsonNode im : json.path("images")) {
      max = Math.max(max, im.path("score").asDouble());
      assertThat(im.path("anomalous").asBoolean()).isFalse();
    }
    assertThat(json.path("threshold").path("value").asDouble()).isEqualTo(max);
    // scored on the calibration images themselves: each p-value is (1 + how many of them score >= it) / (n + 1)
    List<Double> all = new java.util.ArrayList<>();
    json.path("images").forEach(im -> all.add(im.path("score").asDouble()));
    for (JsonNode im : json.path("images")) {
      double s = im.path("score").asDouble();
      assertThat(im.path("pValue").asDouble()).isEqualTo((1.0 + all.stream().filter(o -> o >= s).count()) / 6.0);
    }
    var table = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "-q",
        cat.resolve("test/good").toString());
    assertThat(table.out().lines().findFirst().orElseThrow()).contains("verdict", "p-value");
    var csv = CliHarness.run("score", "-m", model.toString(), "--onnx", onnx.toString(), "--format", "csv", "-q",
        cat.resolve("test/good").toString());
    assertThat(csv.out().lines().findFirst().orElseThrow()).startsWith("image,score,anomalous,p_value,");
  }

  @Test
  void demoRunsOnAnyBackboneAndWritesTheReport() throws Exception {
    Path out = dir.resolve("demo");
    var r = CliHarness.run("demo", "--onnx", onnx.toString(), "--levels", LEVELS, "-q", "--out", out.toString(),
        "--variants", "mvg,l2");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("| **mean of levels** |");
    assertThat(out.resolve("report/evaluation.json")).exists();
  }

  @Test
  void everyCommandHasHelp() {
    for (String c : List.of("fit", "score", "embed", "evaluate", "demo", "bench")) {
      var r = CliHarness.run(c, "--help");
      assertThat(r.exitCode()).as(c).isZero();
      assertThat(r.out()).contains("Usage: maha " + c);
    }
  }
}
