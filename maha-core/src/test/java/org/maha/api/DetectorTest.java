package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.DecodeLimits;
import org.maha.image.TestFrames;
import org.maha.model.ModelFile;
import org.maha.pipeline.FeatureExtractor;
import org.maha.pipeline.Jobs;
import org.maha.pipeline.ProgressListener;
import org.maha.pipeline.ScoredImage;
import org.maha.zoo.ZooFixtures;

/**
 * The public API against the pipeline it is built on, with the tiny test CNN: a model fitted from a folder, saved
 * and loaded scores a {@link BufferedImage}, its PNG file and the CLI's path ({@link Jobs#score}) identically to
 * the last bit; concurrent scoring equals serial scoring exactly; misuse fails with clear messages.
 */
class DetectorTest {
  @TempDir static Path dir;
  private static Path onnx;
  private static Path good;
  private static Path calibration;
  private static Detector detector;
  private static FittedModel model;

  @BeforeAll
  static void fit() throws Exception {
    onnx = resource("tiny_cnn.onnx");
    good = Files.createDirectories(dir.resolve("good"));
    calibration = Files.createDirectories(dir.resolve("calibration"));
    for (int i = 0; i < 8; i++) {
      Files.write(good.resolve("good" + i + ".png"), TestFrames.png(frame(100 + i)));
    }
    for (int i = 0; i < 6; i++) {
      Files.write(calibration.resolve("cal" + i + ".png"), TestFrames.png(frame(200 + i)));
    }
    detector = tinyDetector(onnx).build();
    model = detector.fit(Images.folder(good));
  }

  @AfterAll
  static void close() {
    if (detector != null) {
      detector.close();
    }
  }

  private static Path resource(String name) throws Exception {
    URL url = DetectorTest.class.getResource("/org/maha/backbone/" + name);
    assertThat(url).as(name + " test resource").isNotNull();
    return Path.of(url.toURI());
  }

  private static Detector.Builder tinyDetector(Path file) {
    return Detector.builder().onnx(file).levels("s1", "s2", "pooled").decodeThreads(2);
  }

  private static BufferedImage frame(long seed) {
    return TestFrames.ofType(TestFrames.argb(seed, 40, 30, true), 40, 30, BufferedImage.TYPE_INT_RGB);
  }

  private static void assertBitIdentical(Score actual, Score expected) {
    assertThat(Double.doubleToRawLongBits(actual.score())).as(actual.name())
        .isEqualTo(Double.doubleToRawLongBits(expected.score()));
    assertThat(actual.levelDistances()).as(actual.name()).isEqualTo(expected.levelDistances());
  }

  @Test
  void fitFromFolderSaveLoadAndScoreBufferedImageFileAndCliPathIdentically() throws Exception {
    Path saved = dir.resolve("good.maha");
    model.save(saved);
    FittedModel loaded = FittedModel.load(saved);
    assertThat(loaded.levels()).containsExactly("s1", "s2", "pooled");
    assertThat(loaded.trainingImages()).isEqualTo(8);
    assertThat(loaded.trainedOn()).isEqualTo(good.toString());
    assertThat(loaded.variant()).isEqualTo("mvg");
    assertThat(loaded.backboneSha256()).isEqualTo(model.backboneSha256());

    BufferedImage image = frame(999);
    Path file = dir.resolve("new.png");
    Files.write(file, TestFrames.png(image));
    Score fromImage = detector.score(loaded, Images.of(image));
    Score fromFile = detector.score(loaded, Images.files(file));
    Score fromBytes = detector.score(loaded, Images.encoded(TestFrames.png(image)));

    assertThat(fromImage.name()).isEqualTo("frame-0");
    assertThat(fromFile.name()).isEqualTo(file.toString());
    assertThat(fromImage.levelDistances()).containsOnlyKeys("s1", "s2", "pooled");
    assertThat(fromImage.score()).isPositive();
    assertThat(fromImage.threshold()).isEmpty();
    assertThat(fromImage.verdict()).isEmpty();
    assertBitIdentical(fromImage, fromFile);
    assertBitIdentical(fromBytes, fromFile);

    // The CLI's path: its own backbone session, the model file read by ModelFile, Jobs.score on the file.
    try (OnnxBackbone backbone = OnnxBackbone.open(onnx,
        BackboneOptions.defaults().withLevels(List.of("s1", "s2", "pooled")))) {
      FeatureExtractor extractor = new FeatureExtractor(backbone, DecodeLimits.DEFAULT, 2);
      ScoredImage cli = Jobs.score(extractor, ModelFile.read(saved), List.of(file), false, ProgressListener.NONE)
          .scores().get(0);
      assertThat(Double.doubleToRawLongBits(fromImage.score())).isEqualTo(Double.doubleToRawLongBits(
          cli.score().score()));
      for (int l = 0; l < 3; l++) {
        assertThat(fromImage.levelDistances().get(loaded.levels().get(l))).isEqualTo(cli.score().levelDistance(l));
      }
    }
  }

  @Test
  void calibratedFitGivesAVerdictAndKeepsItsThresholdThroughSaveAndLoad() throws Exception {
    FittedModel calibrated = detector.fit(Images.folder(good),
        FitOptions.defaults().withCalibration(Images.folder(calibration), 0.2));
    Threshold t = calibrated.threshold().orElseThrow();
    assertThat(t.calibrationImages()).isEqualTo(6);
    assertThat(t.targetFpr()).isEqualTo(0.2);
    assertThat(t.source()).isEqualTo(calibration.toString());
    // The Gaussians are the uncalibrated fit's: only the threshold is added.
    Score plain = detector.score(model, Images.of(frame(7)));
    Score scored = detector.score(calibrated, Images.of(frame(7)));
    assertBitIdentical(scored, plain);
    assertThat(scored.threshold()).contains(t);
    assertThat(scored.verdict()).contains(scored.score() > t.value() ? Verdict.ANOMALOUS : Verdict.NORMAL);
    // the conformal p-value: (1 + calibration scores >= this score) / (n + 1), counted by brute force here
    List<Score> calibrationScores = detector.scoreAll(calibrated, Images.folder(calibration));
    long atLeast = calibrationScores.stream().filter(c -> c.score() >= scored.score()).count();
    assertThat(scored.pValue()).hasValue((1.0 + atLeast) / 7.0);
    assertThat(calibrated.pValue(scored.score())).isEqualTo(scored.pValue());
    for (Score c : calibrationScores) {
      long n = calibrationScores.stream().filter(o -> o.score() >= c.score()).count();
      assertThat(c.pValue()).hasValue((1.0 + n) / 7.0);
    }
    assertThat(plain.pValue()).isEmpty();

    Path saved = dir.resolve("calibrated.maha");
    calibrated.save(saved);
    assertThat(FittedModel.load(saved).threshold()).contains(t);
    assertThat(detector.score(FittedModel.load(saved), Images.of(frame(7))).pValue()).isEqualTo(scored.pValue());
    // calibrate() on an existing model gives the same threshold as calibrating while fitting.
    assertThat(detector.calibrate(model, Images.folder(calibration), 0.2).threshold()).contains(t);
  }

  @Test
  void unreadableImagesAreSkippedAndReportedOnlyWhenAsked() throws Exception {
    Path mixed = Files.createDirectories(dir.resolve("mixed"));
    for (int i = 0; i < 4; i++) {
      Files.write(mixed.resolve("g" + i + ".png"), TestFrames.png(frame(100 + i)));
    }
    Path broken = Files.writeString(mixed.resolve("g9.png"), "truncated");
    assertThatThrownBy(() -> detector.fit(Images.folder(mixed))).isInstanceOf(MahaException.class)
        .hasMessageContaining("g9.png");
    FitResult r = detector.fitWithReport(Images.folder(mixed).skippingUnreadable(),
        FitOptions.defaults().withCalibration(Images.folder(calibration).skippingUnreadable(), 0.01));
    assertThat(r.skipped()).extracting(Skipped::name).containsExactly(broken.toString());
    assertThat(r.model().trainingImages()).isEqualTo(4);
    // 6 calibration images cannot guarantee 1 %: said, not hidden
    assertThat(r.warnings()).anyMatch(w -> w.contains("6 calibration images are too few"));
    Scores scores = detector.scoreAll(r.model(), Images.folder(mixed).skippingUnreadable());
    assertThat(scores).hasSize(4);
    assertThat(scores.skipped()).extracting(Skipped::reason).singleElement().asString().isNotBlank();
  }

  @Test
  void augmentationFitsOnSeededCopiesAndNamesThemInTheProvenance() throws Exception {
    FitOptions augmented = FitOptions.defaults().withAugmentation(3, 7, "flip,noise");
    FittedModel a = detector.fit(Images.folder(good), augmented);
    FittedModel b = detector.fit(Images.folder(good), augmented);
    assertThat(a.trainedOn()).startsWith(good.toString()).contains("3 augmented passes", "seed 7");
    Score sa = detector.score(a, Images.of(frame(3)));
    assertThat(detector.score(b, Images.of(frame(3))).score()).isEqualTo(sa.score()); // reproducible
    assertThat(sa.score()).isNotEqualTo(detector.score(model, Images.of(frame(3))).score());
    assertThatThrownBy(() -> FitOptions.defaults().withAugmentation(3, 7, "flip,twirl"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twirl");
    assertThatThrownBy(() -> FitOptions.defaults().withAugmentation(0, 7, "default"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("copies");
  }

  @Test
  void concurrentScoringFromEightThreadsEqualsSerialScoring() throws Exception {
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      frames.add(frame(5000 + i));
    }
    List<Score> serial = new ArrayList<>();
    for (BufferedImage f : frames) {
      serial.add(detector.score(model, Images.of(f)));
    }
    List<Score> serialBatch = detector.scoreAll(model, Images.of(frames));

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = t;
        done.add(pool.submit(() -> {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < frames.size(); i++) {
            order.add(i);
          }
          Collections.shuffle(order, new Random(seed));
          for (int i : order) {
            assertBitIdentical(detector.score(model, Images.of(frames.get(i))), serial.get(i));
          }
          List<Score> batch = detector.scoreAll(model, Images.of(frames));
          for (int i = 0; i < frames.size(); i++) {
            assertBitIdentical(batch.get(i), serialBatch.get(i));
          }
          return null;
        }));
      }
      for (Future<Void> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void scoringWithAClosedDetectorIsAClearIllegalStateException() throws Exception {
    Detector d = tinyDetector(onnx).build();
    FittedModel m = d.fit(Images.folder(good));
    d.close();
    d.close(); // idempotent
    assertThatThrownBy(() -> d.score(m, Images.of(frame(1))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Detector is closed");
    assertThatThrownBy(() -> d.fit(Images.folder(good)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Detector is closed");
  }

  @Test
  void aModelFittedWithAnotherBackboneIsRefused() throws Exception {
    try (Detector other = tinyDetector(resource("tiny_cnn_batch1.onnx")).build()) {
      assertThatThrownBy(() -> other.score(model, Images.of(frame(1))))
          .isInstanceOf(MahaException.class)
          .hasMessageContaining("fitted with backbone").hasMessageContaining("sha256")
          .hasMessageContaining("use the same ONNX file");
    }
    try (Detector fewerLevels = Detector.builder().onnx(onnx).levels("s1", "pooled").build()) {
      assertThatThrownBy(() -> fewerLevels.score(model, Images.of(frame(1))))
          .isInstanceOf(MahaException.class).hasMessageContaining("levels [s1, s2, pooled]");
    }
  }

  @Test
  void anUnreadableFrameIsAMahaExceptionNamingIt() {
    assertThatThrownBy(() -> detector.score(model, Images.encoded(new byte[] {1, 2, 3})))
        .isInstanceOf(MahaException.class).hasMessageContaining("frame-0");
  }

  @Test
  void misuseOfTheBuilderAndScoreFailsEarlyWithClearMessages() {
    assertThatThrownBy(() -> Detector.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("give one backbone");
    assertThatThrownBy(() -> Detector.builder().onnx(onnx).named("resnet18").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> Detector.builder().batchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
    // the same bounds as the CLI's: a huge thread count would grow memory without end
    assertThatThrownBy(() -> Detector.builder().threads(100_000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads").hasMessageContaining("256");
    assertThatThrownBy(() -> Detector.builder().decodeThreads(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodeThreads");
    assertThatThrownBy(() -> Detector.builder().batchSize(1025))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1024");
    assertThatThrownBy(() -> Detector.builder().normalization("bogus"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FitOptions.defaults().withVariant("bogus"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus");
    assertThatThrownBy(() -> detector.score(model, Images.of(frame(1), frame(2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scoreAll");
  }
  @Test
  void aNamedBackboneIsBuiltFromAWeightsFileThroughTheZooAndItsWarningIsReturnedNotPrinted() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path cache = dir.resolve("cache");
    FittedModel named;
    try (Detector d = Detector.builder().named("resnet18").weights(pth).cacheFolder(cache).build()) {
      assertThat(d.backboneName()).isEqualTo("resnet18 (unverified weights 8bdf969e05f8)");
      assertThat(d.levels()).containsExactly("L0", "L1", "L2", "L3", "L4");
      assertThat(d.warnings()).singleElement().asString().contains("not the official resnet18 file");
      named = d.fit(Images.folder(good));
    }
    // A second detector finds the cached graph: same SHA-256, so it accepts the model.
    try (Detector again = Detector.builder().named("resnet18").weights(pth).cacheFolder(cache).build()) {
      assertThat(again.score(named, Images.of(frame(3))).levelDistances()).containsOnlyKeys(named.levels());
    }
    assertThatThrownBy(() -> Detector.builder().named("resnet-bogus").cacheFolder(cache).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown backbone 'resnet-bogus'")
        .hasMessageContaining("resnet18");
    assertThatThrownBy(() -> Detector.builder().onnx(onnx).weights(pth).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("need named");
  }
}
