package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maha.stats.ScatterStatistics;

/**
 * A model read from a file defers its training statistics and stored Cholesky factors (entries scoring never reads)
 * until they are first needed: scoring never reads them, updating, merging and saving read and verify them with the
 * checks and one-line messages an eager read had, and the result is the eager read's to the last bit.
 */
class DeferredStatisticsTest {
  @TempDir Path dir;

  private Path written(String variant, String file, int n, long seed) throws Exception {
    Path p = dir.resolve(file);
    ModelFile.write(ModelFileTest.fit(Variant.parse(variant), ModelFileTest.features(n, seed)), p);
    return p;
  }

  private static Map<String, byte[]> entries(Path file) throws Exception {
    return ModelZips.entries(Files.readAllBytes(file));
  }

  /** {@code file}'s zip with {@code entry} flipped in one byte, the checksums left as they were (a damaged file). */
  private static byte[] damaged(Path file, String entry) throws Exception {
    Map<String, byte[]> e = new LinkedHashMap<>(entries(file));
    byte[] b = e.get(entry).clone();
    b[b.length - 3] ^= 0x40;
    e.put(entry, b);
    return ModelZips.zip(e);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mvg", "l2", "sed"})
  void scoringNeverReadsTheStatisticsAndSavingWritesThemUnchanged(String variant) throws Exception {
    Path a = written(variant, "a.maha", 30, 1);
    GaussianAdModel read = ModelFile.read(a);
    assertThat(read.statistics().isLoaded()).isFalse();
    assertThat(read.statistics().n()).isEqualTo(30);
    assertThat(read.statistics().history()).hasSize(1);
    for (double[][] x : ModelFileTest.features(5, 2)) {
      read.score(x);
    }
    assertThat(read.statistics().isLoaded()).as("scoring read the statistics").isFalse();
    Path b = dir.resolve("b.maha");
    ModelFile.write(read, b); // reads and verifies them, then writes them
    assertThat(read.statistics().isLoaded()).isTrue();
    Map<String, byte[]> before = entries(a);
    Map<String, byte[]> after = entries(b);
    assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
    for (String k : before.keySet()) {
      assertThat(after.get(k)).as(k).isEqualTo(before.get(k));
    }
  }

  @Test
  void anUpdateAfterADeferredReadIsTheUpdateAfterAnEagerOneToTheLastBit() throws Exception {
    GaussianAdModel eager = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(30, 1));
    Path a = dir.resolve("a.maha");
    ModelFile.write(eager, a);
    GaussianAdModel deferred = ModelFile.read(a);
    assertThat(deferred.statistics()).isEqualTo(eager.statistics()); // reads them
    GaussianAdModel lazy = ModelFile.read(a);
    GaussianAdFitter f1 = GaussianAdFitter.resume(eager);
    GaussianAdFitter f2 = GaussianAdFitter.resume(lazy);
    for (double[][] x : ModelFileTest.features(12, 9)) {
      f1.add(x);
      f2.add(x);
    }
    GaussianAdModel u1 = f1.fit("more/");
    GaussianAdModel u2 = f2.fit("more/");
    assertThat(u2.statistics().levels()).isEqualTo(u1.statistics().levels());
    for (int i = 0; i < u1.levels().size(); i++) {
      org.maha.stats.Gaussian g1 = ((LevelModel.Mvg) u1.levels().get(i)).gaussian();
      org.maha.stats.Gaussian g2 = ((LevelModel.Mvg) u2.levels().get(i)).gaussian();
      assertThat(g2.mean()).isEqualTo(g1.mean());
      assertThat(g2.covariance().data).isEqualTo(g1.covariance().data);
      assertThat(g2.choleskyLower().data).isEqualTo(g1.choleskyLower().data);
    }
  }

  @Test
  void damagedStatisticsStillScoreAndAreRefusedInOneLineWhenNeeded() throws Exception {
    Path a = written("mvg", "a.maha", 30, 1);
    GaussianAdModel good = ModelFile.read(a);
    for (String entry : List.of("level_01/stats_scatter.npy", "level_00/stats_u.npy", "level_01/cholesky.npy")) {
      Path bad = Files.write(dir.resolve("bad.maha"), damaged(a, entry));
      GaussianAdModel m = ModelFile.read(bad);
      double[][] x = ModelFileTest.features(1, 3)[0];
      assertThat(m.score(x).score()).isEqualTo(good.score(x).score());
      String message = bad + ": entry " + entry + " does not match its checksum (corrupt or edited)";
      assertThatThrownBy(() -> m.statistics().load()).isInstanceOf(ModelFileException.class).hasMessage(message);
      assertThatThrownBy(() -> ModelUpdates.requireUpdatable(m, bad.toString())).hasMessage(message);
      assertThatThrownBy(() -> ModelFile.write(m, dir.resolve("copy.maha"))).hasMessage(message);
      assertThat(dir.resolve("copy.maha")).doesNotExist();
      assertThatThrownBy(() -> m.statistics().levels()).isInstanceOf(IllegalStateException.class)
          .hasMessage(message);
      // from bytes (an upload, e.g. to maha serve): every checksum is verified at once, a damaged upload refused
      assertThatThrownBy(() -> ModelFile.read(Files.readAllBytes(bad), "the upload"))
          .isInstanceOf(ModelFileException.class).hasMessage("the upload: entry " + entry
              + " does not match its checksum (corrupt or edited)");
    }
  }

  @Test
  void theApiRefusesDamagedStatisticsOnlyWhereItNeedsThem() throws Exception {
    Path a = written("mvg", "a.maha", 30, 1);
    Path bad = Files.write(dir.resolve("bad.maha"), damaged(a, "level_00/stats_scatter.npy"));
    String message = bad + ": entry level_00/stats_scatter.npy does not match its checksum (corrupt or edited)";
    org.maha.api.FittedModel model = org.maha.api.FittedModel.load(bad);
    assertThat(model.trainingImages()).isEqualTo(30);
    assertThatThrownBy(model::checkUpdatable).isInstanceOf(org.maha.api.MahaException.class).hasMessage(message);
    assertThatThrownBy(() -> model.save(dir.resolve("copy.maha"))).isInstanceOf(org.maha.api.MahaException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> org.maha.api.FittedModel.merge(List.of(org.maha.api.FittedModel.load(a), model)))
        .isInstanceOf(org.maha.api.MahaException.class).hasMessage(message);
    assertThat(dir.resolve("copy.maha")).doesNotExist();
  }

  @Test
  void statisticsThatAreNotTheModelsAreRefusedWhenNeededNamingTheLevel() throws Exception {
    Path a = written("mvg", "a.maha", 30, 1);
    Map<String, byte[]> e = entries(a);
    org.maha.npy.NpyArray u = org.maha.npy.Npy.read(e.get("level_00/stats_u.npy"));
    double[] d = u.data();
    d[1] = Double.NaN;
    byte[] file = ModelZips.withValidChecksums(e, withSelector(e, "level_00/stats_u.npy",
        org.maha.npy.Npy.toBytes(org.maha.npy.NpyArray.ofDoubles(d, u.shape()))));
    Path other = Files.write(dir.resolve("other.maha"), file);
    GaussianAdModel m = ModelFile.read(other);
    assertThatThrownBy(() -> m.statistics().load()).isInstanceOf(ModelFileException.class)
        .hasMessage(other + ": level a statistics: u holds a non-finite value");
    GaussianAdModel upload = ModelFile.read(file, "the upload"); // its checksums match: accepted, parsed later
    assertThat(upload.statistics().isLoaded()).isFalse();
    assertThatThrownBy(() -> upload.statistics().load()).isInstanceOf(ModelFileException.class)
        .hasMessage("the upload: level a statistics: u holds a non-finite value");
  }

  /** {@link ModelZips#withValidChecksums}'s input replacing {@code entry} of {@code base} by {@code content}. */
  private static byte[] withSelector(Map<String, byte[]> base, String entry, byte[] content) {
    int index = new ArrayList<>(base.keySet()).indexOf(entry);
    byte[] data = new byte[content.length + 1];
    data[0] = (byte) index;
    System.arraycopy(content, 0, data, 1, content.length);
    return data;
  }

  @Test
  void aFileReplacedOrDeletedBeforeTheStatisticsAreNeededIsSaidSo() throws Exception {
    Path a = written("mvg", "a.maha", 30, 1);
    byte[] original = Files.readAllBytes(a);
    GaussianAdModel m = ModelFile.read(a);
    // rewritten with the same content (a new modification time): the entries still match the manifest read first
    GaussianAdModel same = ModelFile.read(a);
    Files.write(a, original);
    Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 10000));
    assertThat(same.statistics().load().isLoaded()).isTrue();
    // replaced by another model
    written("mvg", "a.maha", 25, 4);
    assertThatThrownBy(() -> m.statistics().load()).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(a + ": changed after the model was read, and its training statistics are read only "
            + "when first needed (entry level_")
        .hasMessageEndingWith("does not match its checksum (corrupt or edited)); read the model again");
    GaussianAdModel m2 = ModelFile.read(a);
    Files.delete(a);
    assertThatThrownBy(() -> m2.statistics().load()).isInstanceOf(ModelFileException.class)
        .hasMessage(a + ": moved or deleted after the model was read, and its training statistics are read only when "
            + "first needed (no such file); read the model again");
    // a model already read keeps its statistics once read
    assertThat(same.statistics().levels()).hasSize(2);
  }

  @Test
  void manyThreadsReadTheStatisticsOnceAndShareThem() throws Exception {
    Path a = written("mvg", "a.maha", 30, 1);
    GaussianAdModel m = ModelFile.read(a);
    TrainingStatistics copy = m.statistics().withStep(TrainingStatistics.Step.now("update", "x", 1, null, null));
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<ScatterStatistics>>> got = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        TrainingStatistics s = i % 2 == 0 ? m.statistics() : copy;
        got.add(pool.submit(() -> {
          start.await();
          return s.levels();
        }));
      }
      start.countDown();
      List<ScatterStatistics> first = got.get(0).get();
      for (Future<List<ScatterStatistics>> f : got) {
        assertThat(f.get()).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(copy.isLoaded()).isTrue();
    assertThat(copy.history()).hasSize(2);
  }

  @Test
  void aModelWithoutStatisticsReadsWholeAsBefore() throws Exception {
    Path a = written("pca:0.9", "p.maha", 30, 1);
    assertThat(ModelFile.read(a).statistics()).isNull();
    Path bad = Files.write(dir.resolve("bad-pca.maha"), damaged(a, "level_01/cholesky.npy"));
    assertThatThrownBy(() -> ModelFile.read(bad)).isInstanceOf(ModelFileException.class)
        .hasMessage(bad + ": entry level_01/cholesky.npy does not match its checksum (corrupt or edited)");
  }
}
