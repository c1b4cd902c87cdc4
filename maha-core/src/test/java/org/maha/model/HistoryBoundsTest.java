package org.maha.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's history stays bounded however often it is updated or merged (steps folded beyond
 * {@link TrainingStatistics#MAX_HISTORY}, texts clipped, the training source summarised), so that its manifest always
 * reads back under the 1 MiB {@link ModelFile} accepts; the image-set digests survive the folding and the file.
 */
class HistoryBoundsTest {
  @TempDir Path dir;

  private static byte[] randomSha(SplittableRandom r) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  @Test
  void digestIsOrderAndSplitIndependentAndCountsDuplicates() {
    SplittableRandom r = new SplittableRandom(7);
    List<byte[]> shas = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      shas.add(randomSha(r));
    }
    shas.add(new byte[32]);
    java.util.Arrays.fill(shas.get(shas.size() - 1), (byte) 0xff); // wraps around 2^256
    ImageSetDigest forward = ImageSetDigest.EMPTY;
    for (byte[] s : shas) {
      forward = forward.plus(s);
    }
    ImageSetDigest left = ImageSetDigest.EMPTY;
    ImageSetDigest right = ImageSetDigest.EMPTY;
    for (int i = shas.size() - 1; i >= 0; i--) {
      if (i % 3 == 0) {
        left = left.plus(shas.get(i));
      } else {
        right = right.plus(shas.get(i));
      }
    }
    assertThat(right.merge(left)).isEqualTo(forward);
    assertThat(forward.count()).isEqualTo(51);
    // independently: the sum of the hashes as unsigned integers, modulo 2^256
    BigInteger sum = BigInteger.ZERO;
    for (byte[] s : shas) {
      sum = sum.add(new BigInteger(1, s));
    }
    assertThat(forward.hex()).isEqualTo(String.format("%064x", sum.mod(BigInteger.ONE.shiftLeft(256))));
    assertThat(ImageSetDigest.of(51, forward.hex())).isEqualTo(forward);
    assertThat(forward.plus(shas.get(0))).isNotEqualTo(forward); // a duplicate counts (XOR would cancel it)
    assertThat(forward.plus(shas.get(0)).plus(shas.get(0))).isNotEqualTo(forward);
    assertThatThrownBy(() -> ImageSetDigest.of(1, "xyz")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thousandsOfUpdatesWithLongTextsStayUnderTheManifestBoundAndKeepCountsAndDigests() throws Exception {
    GaussianAdModel base = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(20, 3));
    SplittableRandom r = new SplittableRandom(11);
    // worst case for JSON: control characters are written as 6-byte escapes, and 4-byte UTF-8 characters
    String hostile = "\u0001\uD83D\uDE00".repeat(400);
    List<TrainingStatistics.Step> steps = new ArrayList<>();
    long images = 0;
    ImageSetDigest all = ImageSetDigest.EMPTY;
    for (int i = 0; i < 3000; i++) {
      String action = i % 5 == 4 ? "merge" : i == 0 ? "fit" : "update";
      ImageSetDigest d = ImageSetDigest.EMPTY.plus(randomSha(r)).plus(randomSha(r));
      if (!action.equals("merge")) {
        images += 2;
        all = all.merge(d);
      }
      steps.add(new TrainingStatistics.Step(action, hostile + i, 2, action.equals("fit") ? null : hostile + ".maha",
          "ab".repeat(32), "2026-12-07T12:00:00Z", java.util.UUID.randomUUID().toString(), d));
    }
    TrainingStatistics stats = new TrainingStatistics(base.statistics().levels(), steps);
    assertThat(stats.history()).hasSize(TrainingStatistics.MAX_HISTORY);
    TrainingStatistics.Step folded = stats.history().get(0);
    assertThat(folded.action()).isEqualTo("earlier");
    assertThat(folded.addsImages()).isTrue();
    assertThat(stats.history().get(TrainingStatistics.MAX_HISTORY - 1).source()).endsWith("…");
    assertThat(stats.history().get(TrainingStatistics.MAX_HISTORY - 1).source().length())
        .isLessThanOrEqualTo(TrainingStatistics.Step.MAX_TEXT);
    // counts and digests of the image-adding steps, folded or not, add up to all the images
    assertThat(stats.history().stream().filter(TrainingStatistics.Step::addsImages)
        .mapToLong(TrainingStatistics.Step::n).sum()).isEqualTo(images);
    assertThat(stats.imagesDigest()).isEqualTo(all);

    // adding one more step folds again: still bounded, still the same totals plus the new step
    ImageSetDigest extra = ImageSetDigest.EMPTY.plus(randomSha(r));
    TrainingStatistics more = stats.withStep(TrainingStatistics.Step.now("update", "x", 1, "m.maha", "cd".repeat(32),
        extra));
    assertThat(more.history()).hasSize(TrainingStatistics.MAX_HISTORY);
    assertThat(more.imagesDigest()).isEqualTo(all.merge(extra));

    GaussianAdModel m = new GaussianAdModel(base.info(), base.variant(), base.levels(), null, stats);
    Path file = dir.resolve("long-history.maha");
    ModelFile.write(m, file);
    long manifestBytes;
    try (ZipFile z = new ZipFile(file.toFile())) {
      manifestBytes = z.getEntry("manifest.json").getSize();
    }
    System.out.printf("manifest of %d worst-case history steps: %d bytes%n", TrainingStatistics.MAX_HISTORY,
        manifestBytes);
    assertThat(manifestBytes).isLessThan(ModelFile.MAX_MANIFEST_BYTES / 2);
    GaussianAdModel back = ModelFile.read(file);
    assertThat(back.statistics()).isEqualTo(stats);
    assertThat(back.statistics().imagesDigest()).isEqualTo(all);
  }

  @Test
  void theTrainingSourceOfManyUpdatesIsSummarised() {
    String s = "train/";
    for (int i = 0; i < 10_000; i++) {
      s = TrainingStatistics.joinSources(s, "shift-" + i + "/");
    }
    assertThat(s.length()).isLessThanOrEqualTo(TrainingStatistics.MAX_SOURCE);
  }

  @Test
  void aBadDigestInTheHistoryIsRefusedInOneLine() throws Exception {
    GaussianAdModel base = ModelFileTest.fit(new Variant.Mvg(), ModelFileTest.features(20, 4));
    Path good = dir.resolve("good.maha");
    ModelFile.write(base, good);
    assertThat(ModelFile.read(good).statistics().history()).singleElement()
        .satisfies(st -> assertThat(st.images()).isNull()); // a fit of features, not images: no digest
    TrainingStatistics withDigest = new TrainingStatistics(base.statistics().levels(), List.of(
        TrainingStatistics.Step.now("fit", "train/", 20, null, null, ImageSetDigest.EMPTY.plus(new byte[32]))));
    ModelFile.write(new GaussianAdModel(base.info(), base.variant(), base.levels(), null, withDigest), good);
    String manifest = new String(entries(good).get("manifest.json"), StandardCharsets.UTF_8);
    assertThat(manifest).contains("\"imagesSha256\" : \"" + "0".repeat(64) + "\"");
    for (String bad : List.of("\"imagesSha256\" : \"" + "0".repeat(63) + "g\"", "\"imagesSha256\":17")) {
      Path file = dir.resolve("bad.maha");
      withManifest(good, file, manifest.replace("\"imagesSha256\" : \"" + "0".repeat(64) + "\"", bad));
      assertThatThrownBy(() -> ModelFile.read(file)).isInstanceOf(ModelFileException.class)
          .hasMessageContaining("bad history step")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    assertThat(Files.size(good)).isPositive();
  }

  private static java.util.Map<String, byte[]> entries(Path file) throws Exception {
    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (ZipFile z = new ZipFile(file.toFile())) {
      for (java.util.zip.ZipEntry e : java.util.Collections.list(z.entries())) {
        entries.put(e.getName(), z.getInputStream(e).readAllBytes());
      }
    }
    return entries;
  }

  /** {@code from} with its manifest replaced by {@code manifest} (checksum updated), written to {@code to}. */
  private static void withManifest(Path from, Path to, String manifest) throws Exception {
    java.util.Map<String, byte[]> entries = entries(from);
    byte[] mb = manifest.getBytes(StandardCharsets.UTF_8);
    entries.put("manifest.json", mb);
    entries.put("manifest.json.sha256", (org.maha.files.Sha256.of(mb) + "\n").getBytes(StandardCharsets.US_ASCII));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
      for (java.util.Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    Files.write(to, out.toByteArray());
  }
}
