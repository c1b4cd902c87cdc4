package org.maha.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.Images;
import org.maha.api.Score;
import org.maha.api.Scores;
import org.maha.image.TestFrames;
import org.maha.model.ModelAssertions;
import org.maha.model.ModelFile;

/**
 * Distributed fit and score in Spark local mode (2 threads, a task may fail once: {@code local[2,2]}) against the
 * single-process API on the same images, with the tiny test CNN. One session for the class, a dozen 32 × 32
 * images: the whole class runs in a few seconds after Spark's start.
 */
class MahaSparkTest {
  private static final int GOOD = 10;
  private static final AtomicInteger INJECTED = new AtomicInteger();
  @TempDir static Path dir;
  private static SparkSession spark;
  private static Path onnx;
  private static Path imageDir;
  private static List<Path> good;
  private static List<Path> test;
  private static final SparkBackbone SETTINGS = SparkBackbone.of("s1", "s2", "pooled").withBatchSize(4);

  @BeforeAll
  static void start() throws Exception {
    onnx = dir.resolve("tiny_cnn.onnx");
    try (InputStream in = MahaSparkTest.class.getResourceAsStream("/org/maha/backbone/tiny_cnn.onnx")) {
      Files.copy(in, onnx);
    }
    imageDir = Files.createDirectories(dir.resolve("good"));
    good = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      good.add(png(imageDir.resolve("g" + i + ".png"), 100 + i));
    }
    Path testDir = Files.createDirectories(dir.resolve("test"));
    test = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      test.add(png(testDir.resolve("t" + i + ".png"), 900 + i));
    }
    spark = SparkSession.builder().master("local[2,2]").appName("maha-spark-test")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static Path png(Path file, long seed) throws Exception {
    BufferedImage img = TestFrames.ofType(TestFrames.argb(seed, 32, 32, true), 32, 32, BufferedImage.TYPE_INT_RGB);
    return Files.write(file, TestFrames.png(img));
  }

  private static Detector detector() throws Exception {
    return Detector.builder().onnx(onnx).levels("s1", "s2", "pooled").batchSize(4).build();
  }

  private static Path singleMachineFit(String name) throws Exception {
    Path file = dir.resolve(name);
    try (Detector d = detector()) {
      d.fit(Images.files(good)).save(file);
    }
    return file;
  }

  /** A table of path + content in {@code slices} partitions, in the given order (parallelize keeps ranges). */
  private static Dataset<Row> table(List<String> paths, List<byte[]> contents, int slices) {
    StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      rows.add(RowFactory.create(paths.get(i), contents.get(i)));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(jsc.parallelize(rows, slices), schema);
  }

  @Test
  void distributedFitEqualsTheSingleMachineFitIn8PartitionsAnd1() throws Exception {
    Path single = singleMachineFit("single.maha");
    Dataset<Row> files = spark.read().format("binaryFile").load(imageDir.toString());
    Path eight = dir.resolve("eight.maha");
    int before = ExecutorSessions.opened();
    MahaSpark.FitReport r8 = MahaSpark.fit(spark, files.repartition(8), onnx, SETTINGS, "mvg", "good/", eight);
    int afterEight = ExecutorSessions.opened();
    Path one = dir.resolve("one.maha");
    MahaSpark.FitReport r1 = MahaSpark.fit(spark, files.coalesce(1), onnx, SETTINGS, "mvg", "good/", one);

    assertThat(r8.images()).isEqualTo(GOOD);
    assertThat(r1.images()).isEqualTo(GOOD);
    assertThat(r8.skippedCount()).isZero();
    double worst8 = ModelAssertions.assertSameModel(ModelFile.read(eight), ModelFile.read(single), 1e-10);
    double worst1 = ModelAssertions.assertSameModel(ModelFile.read(one), ModelFile.read(single), 1e-10);
    ModelAssertions.assertSameModel(ModelFile.read(eight), ModelFile.read(one), 1e-10);
    System.out.printf("largest relative difference to the single-machine fit: 8 partitions %.2e, 1 partition %.2e%n",
        worst8, worst1);
    // local mode has one executor (this JVM): the 8 tasks of the first fit open at most one session (none if an
    // earlier test opened it with these settings), the second fit none
    assertThat(afterEight - before).isBetween(0, 1);
    assertThat(ExecutorSessions.opened()).isEqualTo(afterEight);
    // the history's fit step records the same image-set digest (order- and split-independent) in all three
    org.maha.model.TrainingStatistics.Step singleStep =
        ModelFile.read(single).statistics().history().get(0);
    assertThat(singleStep.images()).isNotNull();
    assertThat(singleStep.images().count()).isEqualTo(GOOD);
    for (Path distributed : List.of(eight, one)) {
      assertThat(ModelFile.read(distributed).statistics().history()).singleElement().satisfies(s -> {
        assertThat(s.action()).isEqualTo("fit");
        assertThat(s.n()).isEqualTo(GOOD);
        assertThat(s.images()).isEqualTo(singleStep.images());
      });
    }
  }

  @Test
  void aPartitionOfUnreadableFilesIsSkippedInTheFitAndGivesErrorRowsInTheScores() throws Exception {
    List<String> paths = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (Path p : good) {
      paths.add(p.toString());
      contents.add(Files.readAllBytes(p));
    }
    paths.add("junk/a.png");
    contents.add("not an image".getBytes(StandardCharsets.US_ASCII));
    paths.add("junk/b.png");
    contents.add(new byte[] {(byte) 0x89, 'P', 'N', 'G'}); // truncated PNG signature
    // 12 rows in 6 slices of 2: the last slice holds only the two junk rows
    MahaSpark.FitReport fit = MahaSpark.fit(spark, table(paths, contents, 6), onnx, SETTINGS, "mvg", "table",
        dir.resolve("table.maha"));
    assertThat(fit.images()).isEqualTo(GOOD);
    assertThat(fit.skippedCount()).isEqualTo(2);
    assertThat(fit.skipped()).extracting(org.maha.api.Skipped::name).containsExactlyInAnyOrder("junk/a.png",
        "junk/b.png");
    ModelAssertions.assertSameModel(ModelFile.read(dir.resolve("table.maha")),
        ModelFile.read(singleMachineFit("single2.maha")), 1e-10);
    // the junk is not in the digest: the fit step's is the single-machine fit's of the good images alone
    assertThat(ModelFile.read(dir.resolve("table.maha")).statistics().history().get(0).images())
        .isEqualTo(ModelFile.read(dir.resolve("single2.maha")).statistics().history().get(0).images());

    // a calibrated model, so that verdict and p-value are filled; scored on test images + the junk partition
    Path calibrated = dir.resolve("calibrated.maha");
    List<Score> expected;
    try (Detector d = detector()) {
      FittedModel m = d.calibrate(FittedModel.load(dir.resolve("table.maha")), Images.files(test.subList(0, 2)),
          0.2);
      m.save(calibrated);
      Scores s = d.scoreAll(m, Images.files(test));
      expected = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        expected.add(s.get(i));
      }
    }
    List<String> sp = new ArrayList<>();
    List<byte[]> sc = new ArrayList<>();
    for (Path p : test) {
      sp.add(p.toString());
      sc.add(Files.readAllBytes(p));
    }
    sp.add("junk/a.png");
    sc.add("not an image".getBytes(StandardCharsets.US_ASCII));
    sp.add("junk/b.png");
    sc.add(null);
    List<Row> rows = MahaSpark.score(spark, table(sp, sc, 3), onnx, SETTINGS, calibrated).collectAsList();
    assertThat(rows).hasSize(6);
    Map<String, Row> byPath = new HashMap<>();
    rows.forEach(r -> byPath.put(r.getString(0), r));
    String sha = org.maha.files.Sha256.of(calibrated);
    for (int i = 0; i < test.size(); i++) {
      Row r = byPath.get(test.get(i).toString());
      Score e = expected.get(i);
      assertThat(r.isNullAt(6)).as("error of %s", test.get(i)).isTrue();
      assertThat(r.getDouble(1)).isCloseTo(e.score(), org.assertj.core.data.Percentage.withPercentage(1e-10));
      Map<String, Double> d = r.getJavaMap(2);
      assertThat(d.keySet()).containsExactlyInAnyOrderElementsOf(e.levelDistances().keySet());
      e.levelDistances().forEach((level, v) -> assertThat(d.get(level))
          .isCloseTo(v, org.assertj.core.data.Percentage.withPercentage(1e-10)));
      assertThat(r.getString(3)).isEqualTo(e.verdict().orElseThrow().name().toLowerCase(java.util.Locale.ROOT));
      assertThat(r.getDouble(4)).isEqualTo(e.pValue().orElseThrow());
      assertThat(r.getString(5)).isEqualTo(sha);
    }
    Row a = byPath.get("junk/a.png");
    assertThat(a.isNullAt(1)).isTrue();
    assertThat(a.getString(6)).isNotBlank();
    assertThat(byPath.get("junk/b.png").getString(6)).contains("no image bytes");
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndTheModelIsTheSame() throws Exception {
    Dataset<Row> files = spark.read().format("binaryFile").load(imageDir.toString()).repartition(4);
    Path clean = dir.resolve("clean.maha");
    MahaSpark.fit(spark, files, onnx, SETTINGS, "mvg", "good/", clean);
    INJECTED.set(0);
    Dataset<Row> flaky = files.map((MapFunction<Row, Row>) r -> {
      TaskContext t = TaskContext.get();
      if (t.partitionId() == 1 && t.attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected task failure");
      }
      return r;
    }, Encoders.row(files.schema()));
    Path retried = dir.resolve("retried.maha");
    MahaSpark.FitReport r = MahaSpark.fit(spark, flaky, onnx, SETTINGS, "mvg", "good/", retried);
    assertThat(INJECTED.get()).isEqualTo(1);
    assertThat(r.images()).isEqualTo(GOOD);
    ModelAssertions.assertSameModel(ModelFile.read(retried), ModelFile.read(clean), 1e-12);
  }

  @Test
  void theSparkSubmitEntryPointFitsAndWritesScoresAsParquet() throws Exception {
    Path model = dir.resolve("main.maha");
    String out = MahaSparkMain.run(spark, MahaSparkMain.parse(new String[] {"fit", "--onnx", onnx.toString(),
        "--levels", "s1,s2,pooled", "--batch", "4", "--partitions", "2", "-o", model.toString(),
        imageDir.toString()}));
    assertThat(out).isEqualTo("fitted " + GOOD + " images -> " + model);
    ModelAssertions.assertSameModel(ModelFile.read(model), ModelFile.read(singleMachineFit("single3.maha")), 1e-10);
    Path junk = Files.write(dir.resolve("test").resolve("junk.png"), new byte[] {1, 2, 3});
    Path parquet = dir.resolve("scores.parquet");
    try {
      MahaSparkMain.run(spark, MahaSparkMain.parse(new String[] {"score", "--onnx", onnx.toString(), "--levels",
          "s1,s2,pooled", "-m", model.toString(), "-o", parquet.toString(), dir.resolve("test").toString()}));
    } finally {
      Files.delete(junk);
    }
    Dataset<Row> scores = spark.read().parquet(parquet.toString());
    assertThat(scores.schema().fieldNames()).containsExactly(MahaSpark.SCORE_SCHEMA.fieldNames());
    assertThat(scores.count()).isEqualTo(test.size() + 1);
    assertThat(scores.filter("error is not null").select("path").as(Encoders.STRING()).collectAsList())
        .singleElement().satisfies(p -> assertThat(p).endsWith("junk.png"));
    assertThat(scores.filter("score is not null and verdict is null and p_value is null").count())
        .isEqualTo(test.size()); // not calibrated: no verdict, no p-value
  }

  /**
   * Real images and real feature sizes (the shared ImageNet MobileNetV2, levels up to D = 1280; the shared photos and
   * textures): the distributed fit, in 3 partitions with a task that fails once, equals the single-process fit
   * (every array to 1e-10 relative) and records the same image digest; the distributed scores of other images (the
   * textures, cut into quarters the fit has not seen) equal the single process's to 1e-12.
   */
  @Test
  void onRealPhotosWithMobileNetV2TheDistributedFitAndScoresEqualTheSingleProcess() throws Exception {
    Path mobileNet = org.maha.testing.SharedData.mobileNetV2();
    Path photos = org.maha.testing.SharedData.require("images");
    Path textures = org.maha.testing.SharedData.require("textures");
    List<Path> train;
    try (var files = Files.list(photos)) {
      train = files.filter(f -> f.toString().matches(".*\\.(bmp|jpg)")).sorted().toList();
    }
    Path unseen = Files.createDirectories(dir.resolve("unseen"));
    try (var files = Files.list(textures)) {
      for (Path t : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
        BufferedImage img = javax.imageio.ImageIO.read(t.toFile());
        int w = img.getWidth() / 2;
        int h = img.getHeight() / 2;
        for (int q = 0; q < 4; q++) {
          javax.imageio.ImageIO.write(img.getSubimage((q % 2) * w, (q / 2) * h, w, h), "png",
              unseen.resolve(t.getFileName().toString().replace(".png", "_" + q + ".png")).toFile());
        }
      }
    }
    Path single = dir.resolve("real-single.maha");
    List<Score> expected = new ArrayList<>();
    List<Path> tests;
    try (var files = Files.list(unseen)) {
      tests = files.sorted().toList();
    }
    try (Detector d = Detector.builder().onnx(mobileNet).build()) {
      FittedModel m = d.fit(Images.files(train));
      m.save(single);
      Scores s = d.scoreAll(m, Images.files(tests));
      for (int i = 0; i < s.size(); i++) {
        expected.add(s.get(i));
      }
    }
    List<String> paths = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (Path p : train) {
      paths.add(p.toString());
      contents.add(Files.readAllBytes(p));
    }
    INJECTED.set(0);
    Dataset<Row> flaky = table(paths, contents, 3).map((MapFunction<Row, Row>) r -> {
      TaskContext t = TaskContext.get();
      if (t.partitionId() == 2 && t.attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected task failure");
      }
      return r;
    }, Encoders.row(new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType)));
    Path distributed = dir.resolve("real-spark.maha");
    MahaSpark.FitReport r = MahaSpark.fit(spark, flaky, mobileNet, SparkBackbone.of(), "mvg", "photos", distributed);
    assertThat(INJECTED.get()).isEqualTo(1);
    assertThat(r.images()).isEqualTo(train.size());
    double worst = ModelAssertions.assertSameModel(ModelFile.read(distributed), ModelFile.read(single), 1e-10);
    assertThat(ModelFile.read(distributed).statistics().history().get(0).images())
        .isEqualTo(ModelFile.read(single).statistics().history().get(0).images());

    List<String> sp = new ArrayList<>();
    List<byte[]> sc = new ArrayList<>();
    for (Path p : tests) {
      sp.add(p.toString());
      sc.add(Files.readAllBytes(p));
    }
    Map<String, Row> byPath = new HashMap<>();
    MahaSpark.score(spark, table(sp, sc, 2), mobileNet, SparkBackbone.of(), distributed).collectAsList()
        .forEach(row -> byPath.put(row.getString(0), row));
    double worstScore = 0;
    for (int i = 0; i < tests.size(); i++) {
      Row row = byPath.get(tests.get(i).toString());
      assertThat(row.isNullAt(6)).as("error of %s", tests.get(i)).isTrue();
      double e = expected.get(i).score();
      worstScore = Math.max(worstScore, Math.abs(row.getDouble(1) - e) / Math.abs(e));
      assertThat(row.getDouble(1)).isCloseTo(e, org.assertj.core.data.Percentage.withPercentage(1e-10));
    }
    System.out.printf("MobileNetV2 on %d photos (levels up to D = %d): distributed fit vs single process %.2e; "
        + "scores of %d unseen texture crops %.2e (largest relative differences)%n", train.size(),
        ModelFile.read(single).info().backbone().levelDims().stream().mapToInt(Integer::intValue).max().orElse(0),
        worst, tests.size(), worstScore);
  }

  @Test
  void aModelOfOtherLevelsIsRefusedBeforeAnyJob() throws Exception {
    Path model = singleMachineFit("three-levels.maha");
    Dataset<Row> files = spark.read().format("binaryFile").load(imageDir.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MahaSpark.score(spark, files, onnx,
        SparkBackbone.of("s1", "s2"), model)).isInstanceOf(org.maha.api.MahaException.class);
  }

  @Test
  void badOptionsAreRefusedInOneLineBeforeAnyJob() {
    String[][] cases = {
        {},
        {"fit", "--levels", "s1", "-o", "x.maha", "in/"},
        {"fit", "--onnx", "ONNX", "--levels", "s1", "--frobnicate", "1", "-o", "x.maha", "in/"},
        {"fit", "--onnx", "missing.onnx", "--levels", "s1", "-o", "x.maha", "in/"},
        {"score", "--onnx", "ONNX", "--levels", "s1", "-o", "x.parquet", "in/"},
        {"fit", "--onnx", "ONNX", "--levels", "s1", "--batch", "0", "-o", "x.maha", "in/"},
        {"fit", "--onnx", "ONNX", "--levels", "s1", "--variant", "pca", "-o", "x.maha", "in/"},
        {"fit", "--onnx", "ONNX", "--levels", "s1", "-o", "x.maha"},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.stream(c).map(a -> a.equals("ONNX") ? onnx.toString() : a)
          .toArray(String[]::new);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MahaSparkMain.parse(args))
          .as(String.join(" ", c)).isInstanceOf(MahaSparkMain.UsageException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").isNotBlank());
    }
  }
}
