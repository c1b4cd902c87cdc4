package org.maha.catalog;

import org.maha.files.Sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every download goes to a {@link LoopbackServer} on 127.0.0.1; nothing leaves the machine. */
@Timeout(60)
class WeightCacheTest {
  /** Short enough to keep the stall test quick, long enough for a loaded CI machine's loopback. */
  private static final DownloadSettings FAST = new DownloadSettings(Duration.ofSeconds(5), Duration.ofMillis(1500));
  private static final byte[] PAYLOAD = Fixtures.payload();
  private static final String FILE = "tiny-net-" + Fixtures.payloadSha256().substring(0, 8) + ".pth";

  @TempDir Path root;
  private LoopbackServer server;
  private WeightCache cache;

  /** Records what a progress bar would be told. */
  private static final class Recorder implements DownloadListener {
    final List<long[]> calls = new CopyOnWriteArrayList<>();
    final List<Long> resumes = new CopyOnWriteArrayList<>();
    final List<URI> urls = new CopyOnWriteArrayList<>();

    @Override
    public void progress(long bytesDone, long bytesTotal) {
      calls.add(new long[] {bytesDone, bytesTotal});
    }

    @Override
    public void started(CatalogEntry entry, URI url, long resumeFrom) {
      resumes.add(resumeFrom);
      urls.add(url);
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = new LoopbackServer();
    cache = new WeightCache(root, FAST);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CatalogEntry entry(ExpectedHash hash, URI... urls) {
    CatalogEntry template = Catalog.official().get("resnet18");
    return new CatalogEntry("tiny-net", BackboneFamily.RESNET, WeightFormat.TORCH_CHECKPOINT, List.of(urls), FILE,
        hash, 32, template.normalization(), List.of("L0", "L1"), List.of(4, 8), "test bytes");
  }

  private CatalogEntry fullHashEntry() {
    return entry(ExpectedHash.full(Fixtures.payloadSha256()), server.url(FILE));
  }

  private List<Path> cacheFiles() throws IOException {
    Path dir = root.resolve(WeightCache.WEIGHTS_DIR);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static int unusedLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void downloadsVerifiesAndCachesAFreshFile() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    Recorder rec = new Recorder();
    Path got = cache.fetch(fullHashEntry(), rec);
    assertThat(got).isEqualTo(root.resolve("weights").resolve(FILE));
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(cacheFiles()).containsExactly(got); // no .part left behind
    assertThat(server.requests()).hasSize(1);
    assertThat(server.requests().get(0).range()).isNull();
    long[] last = rec.calls.get(rec.calls.size() - 1);
    assertThat(last).containsExactly(PAYLOAD.length, PAYLOAD.length);
    for (int i = 1; i < rec.calls.size(); i++) {
      assertThat(rec.calls.get(i)[0]).isGreaterThanOrEqualTo(rec.calls.get(i - 1)[0]);
    }
    assertThat(cache.verify(fullHashEntry()).status()).isEqualTo(Verification.Status.VERIFIED);
  }

  @Test
  void prefixHashEntryIsVerifiedByItsPrefix() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    CatalogEntry e = entry(ExpectedHash.prefix(Fixtures.payloadSha256().substring(0, 8)), server.url(FILE));
    assertThat(Files.readAllBytes(cache.fetch(e, DownloadListener.NONE))).isEqualTo(PAYLOAD);
  }

  @Test
  void cachedFileIsReturnedWithoutAnyRequest() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    Path first = cache.fetch(fullHashEntry(), DownloadListener.NONE);
    server.close(); // a second request could not even connect
    Path second = new WeightCache(root, FAST).fetch(fullHashEntry(), DownloadListener.NONE);
    assertThat(second).isEqualTo(first);
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void resumesAPartWithARangeRequestWhenTheServerAnswers206() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    int have = 70_001;
    Files.createDirectories(root.resolve("weights"));
    Files.write(cache.partPathOf(fullHashEntry()), Arrays.copyOf(PAYLOAD, have));
    Recorder rec = new Recorder();
    Path got = cache.fetch(fullHashEntry(), rec);
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(server.requests()).extracting(LoopbackServer.Request::range).containsExactly("bytes=" + have + "-");
    assertThat(rec.resumes).containsExactly((long) have);
    assertThat(rec.calls.get(rec.calls.size() - 1)).containsExactly(PAYLOAD.length, PAYLOAD.length);
    assertThat(cacheFiles()).containsExactly(got);
  }

  @Test
  void restartsFromZeroWhenTheServerIgnoresRange() throws Exception {
    server.serve(FILE, PAYLOAD, false);
    Files.createDirectories(root.resolve("weights"));
    // a part that would corrupt the file if the 200 answer were appended to it
    byte[] stale = new byte[50_000];
    Arrays.fill(stale, (byte) 0x55);
    Files.write(cache.partPathOf(fullHashEntry()), stale);
    Path got = cache.fetch(fullHashEntry(), DownloadListener.NONE);
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(server.requests()).extracting(LoopbackServer.Request::range).containsExactly("bytes=50000-");
  }

  @Test
  void aCorruptPartIsDiscardedAndTheFileFetchedAgainFromZero() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    Files.createDirectories(root.resolve("weights"));
    byte[] corrupt = Arrays.copyOf(PAYLOAD, 1000);
    corrupt[10] ^= 1;
    Files.write(cache.partPathOf(fullHashEntry()), corrupt);
    Path got = cache.fetch(fullHashEntry(), DownloadListener.NONE);
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(server.requests()).extracting(LoopbackServer.Request::range).containsExactly("bytes=1000-", null);
  }

  @Test
  void aCompletePartAnswered416IsFetchedAgainFromZero() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    Files.createDirectories(root.resolve("weights"));
    Files.write(cache.partPathOf(fullHashEntry()), PAYLOAD);
    assertThat(Files.readAllBytes(cache.fetch(fullHashEntry(), DownloadListener.NONE))).isEqualTo(PAYLOAD);
    assertThat(server.requests()).extracting(LoopbackServer.Request::range)
        .containsExactly("bytes=" + PAYLOAD.length + "-", null);
  }

  @Test
  void wrongHashIsRejectedNamingUrlAndBothHashesAndLeavesNothingInTheCache() throws Exception {
    byte[] tampered = PAYLOAD.clone();
    tampered[12_345] ^= 0x40;
    server.serve(FILE, tampered, true);
    CatalogEntry e = fullHashEntry();
    assertThatThrownBy(() -> cache.fetch(e, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageContaining(server.url(FILE).toString())
        .hasMessageContaining(Fixtures.payloadSha256())
        .hasMessageContaining(Sha256.of(writeTemp(tampered)))
        .hasMessageContaining("put it at " + cache.pathOf(e));
    assertThat(cacheFiles()).isEmpty();
  }

  private Path writeTemp(byte[] bytes) throws IOException {
    Path p = Files.createTempFile(root, "t", ".bin");
    Files.write(p, bytes);
    return p;
  }

  /** A torch.hub style name whose 8-hex suffix is not the payload's SHA-256 prefix. */
  private static String misnamed() {
    String wrong = Fixtures.payloadSha256().startsWith("0123abcd") ? "3210dcba" : "0123abcd";
    return "tiny-net-" + wrong + ".pth";
  }

  private CatalogEntry named(String fileName, ExpectedHash hash, URI... urls) {
    CatalogEntry template = entry(hash, urls);
    return new CatalogEntry(template.name(), template.family(), template.format(), List.of(urls), fileName, hash,
        template.inputSizePx(), template.normalization(), template.levelNames(), template.levelDims(), "test bytes");
  }

  @Test
  void aFileWhoseNameSuffixIsNotItsHashPrefixIsRefusedInOneLineNamingBothHashesAndTheWaysOut() throws Exception {
    String file = misnamed();
    String prefix = file.substring("tiny-net-".length(), file.length() - 4);
    server.serve(file, PAYLOAD, true);
    CatalogEntry e = named(file, ExpectedHash.prefix(prefix), server.url(file));
    assertThatThrownBy(() -> cache.fetch(e, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessage("cannot download tiny-net from " + server.url(file) + " (the downloaded file has SHA-256 "
            + Fixtures.payloadSha256() + ", expected SHA-256 starting " + prefix + " (published prefix); deleted it)"
            + "; download it by hand and put it at " + cache.pathOf(e) + ", or pass --weights FILE, or "
            + "--expect-sha256 HEX to pin a digest obtained elsewhere");
    assertThat(cacheFiles()).isEmpty();
  }

  @Test
  void theSameFileIsAcceptedWhenItsRealDigestIsPinned() throws Exception {
    String file = misnamed();
    server.serve(file, PAYLOAD, true);
    CatalogEntry e = named(file, ExpectedHash.prefix(file.substring(9, 17)), server.url(file))
        .withHash(ExpectedHash.pinned(Fixtures.payloadSha256()));
    Path got = cache.fetch(e, DownloadListener.NONE);
    assertThat(got).isEqualTo(cache.pathOf(e));
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(cacheFiles()).containsExactly(got);
    assertThat(cache.verify(e).status()).isEqualTo(Verification.Status.VERIFIED);
  }

  @Test
  void aTamperedFileUnderAPinnedDigestIsRefusedAndNotCached() throws Exception {
    byte[] tampered = PAYLOAD.clone();
    tampered[777] ^= 1;
    server.serve(FILE, tampered, true);
    CatalogEntry e = entry(ExpectedHash.pinned(Fixtures.payloadSha256()), server.url(FILE));
    assertThatThrownBy(() -> cache.fetch(e, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageContaining(server.url(FILE) + " (the downloaded file has SHA-256 " + Sha256.of(writeTemp(tampered))
            + ", expected SHA-256 " + Fixtures.payloadSha256() + " (pinned with --expect-sha256); deleted it)")
        .hasMessageEndingWith(", or pass --weights FILE")
        .satisfies(t -> assertThat(t.getMessage()).doesNotContain("\n"));
    assertThat(cacheFiles()).isEmpty();
  }

  /** torchvision's EfficientNet-B0 as the catalog builds it, with test bytes in the role of the official file. */
  private CatalogEntry torchvisionB0(String base) {
    String sha = Fixtures.payloadSha256();
    return Catalog.torchvisionEfficientNet(base, 0, "efficientnet_b0_rwightman-" + sha.substring(0, 8) + ".pth",
        "efficientnet_b0_rwightman-3dd342df.pth", ExpectedHash.full(sha));
  }

  @Test
  void aTorchvisionEfficientNetEntryAcceptsTheBytesOfItsPinnedDigestFromItsCurrentUrl() throws Exception {
    CatalogEntry e = torchvisionB0(server.base().toString());
    server.serve(e.fileName(), PAYLOAD, true);
    Recorder rec = new Recorder();
    Path got = cache.fetch(e, rec);
    assertThat(got).isEqualTo(root.resolve("weights").resolve(e.fileName()));
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(rec.urls).containsExactly(server.url(e.fileName()));
    assertThat(cache.verify(e).status()).isEqualTo(Verification.Status.VERIFIED);
  }

  @Test
  void whenTheCurrentUrlFailsThePreRenameUrlServesTheSameBytesAndTheyAreCachedUnderTheCurrentName()
      throws Exception {
    CatalogEntry e = torchvisionB0(server.base().toString());
    server.serve("efficientnet_b0_rwightman-3dd342df.pth", PAYLOAD, true); // the current name answers 404
    Recorder rec = new Recorder();
    Path got = cache.fetch(e, rec);
    assertThat(rec.urls).containsExactly(server.url(e.fileName()),
        server.url("efficientnet_b0_rwightman-3dd342df.pth"));
    assertThat(got).isEqualTo(cache.pathOf(e));
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(cacheFiles()).containsExactly(got);
  }

  @Test
  void aFileCachedUnderItsFormerNameIsFoundAndVerifiedWithoutAnyRequest() throws Exception {
    CatalogEntry e = torchvisionB0(server.base().toString());
    Path old = root.resolve("weights").resolve("efficientnet_b0_rwightman-3dd342df.pth");
    Files.createDirectories(old.getParent());
    Files.write(old, PAYLOAD);
    Verification v = cache.verify(e);
    assertThat(v.status()).isEqualTo(Verification.Status.VERIFIED);
    assertThat(v.path()).isEqualTo(old);
    assertThat(cache.fetch(e, DownloadListener.NONE)).isEqualTo(old);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void aFormerFileWithAnotherHashIsLeftAloneAndTheCurrentFileDownloaded() throws Exception {
    CatalogEntry e = torchvisionB0(server.base().toString());
    server.serve(e.fileName(), PAYLOAD, true);
    Path old = root.resolve("weights").resolve("efficientnet_b0_rwightman-3dd342df.pth");
    Files.createDirectories(old.getParent());
    Files.write(old, new byte[] {1, 2, 3});
    assertThat(cache.verify(e).status()).isEqualTo(Verification.Status.MISMATCH);
    assertThat(cache.fetch(e, DownloadListener.NONE)).isEqualTo(cache.pathOf(e));
    assertThat(Files.readAllBytes(old)).containsExactly(1, 2, 3);
    assertThat(cache.verify(e).path()).isEqualTo(cache.pathOf(e));
  }

  @Test
  void aCachedFileThatOnlyMissesAPinnedDigestIsKeptWhenNoDownloadReplacesIt() throws Exception {
    Path file = cache.pathOf(fullHashEntry());
    Files.createDirectories(file.getParent());
    Files.write(file, PAYLOAD);
    String other = Sha256.of(writeTemp(new byte[] {9}));
    CatalogEntry pinned = fullHashEntry().withHash(ExpectedHash.pinned(other)); // nothing served: 404
    assertThatThrownBy(() -> cache.fetch(pinned, DownloadListener.NONE)).isInstanceOf(WeightCacheException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(PAYLOAD);
  }

  @Test
  void notFoundNamesTheUrlAndWhereToPutTheFile() {
    CatalogEntry e = fullHashEntry(); // nothing served: the server answers 404
    assertThatThrownBy(() -> cache.fetch(e, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessage("cannot download tiny-net from " + server.url(FILE) + " (HTTP 404); download it by hand and put"
            + " it at " + cache.pathOf(e) + ", or pass --weights FILE");
  }

  @Test
  void connectionRefusedNamesTheUrlAndWhereToPutTheFile() throws Exception {
    URI dead = URI.create("http://127.0.0.1:" + unusedLoopbackPort() + "/" + FILE);
    CatalogEntry e = entry(ExpectedHash.full(Fixtures.payloadSha256()), dead);
    assertThatThrownBy(() -> cache.fetch(e, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageStartingWith("cannot download tiny-net from " + dead + " (")
        .hasMessageContaining("connect")
        .hasMessageEndingWith("); download it by hand and put it at " + cache.pathOf(e) + ", or pass --weights FILE");
  }

  @Test
  void triesTheNextUrlWhenTheFirstFails() throws Exception {
    server.serve("mirror/" + FILE, PAYLOAD, true);
    CatalogEntry e = entry(ExpectedHash.full(Fixtures.payloadSha256()), server.url("gone/" + FILE),
        server.url("mirror/" + FILE));
    Recorder rec = new Recorder();
    assertThat(Files.readAllBytes(cache.fetch(e, rec))).isEqualTo(PAYLOAD);
    assertThat(rec.urls).containsExactly(server.url("gone/" + FILE), server.url("mirror/" + FILE));
    assertThat(server.requests()).extracting(LoopbackServer.Request::path).containsExactly("/mirror/" + FILE);
  }

  @Test
  void followsRedirects() throws Exception {
    server.redirect(FILE, "objects/" + FILE);
    server.serve("objects/" + FILE, PAYLOAD, true);
    assertThat(Files.readAllBytes(cache.fetch(fullHashEntry(), DownloadListener.NONE))).isEqualTo(PAYLOAD);
  }

  @Test
  void aStalledServerTimesOutAndTheNextFetchResumesThePart() throws Exception {
    int sent = 40_000;
    server.stall("slow/" + FILE, PAYLOAD, sent);
    CatalogEntry slow = entry(ExpectedHash.full(Fixtures.payloadSha256()), server.url("slow/" + FILE));
    assertThatThrownBy(() -> cache.fetch(slow, DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageContaining("no data for 1.5 s after " + sent + " bytes");
    assertThat(Files.size(cache.partPathOf(slow))).isEqualTo(sent);
    server.serve("fast/" + FILE, PAYLOAD, true);
    Path got = cache.fetch(slow.withUrls(List.of(server.url("fast/" + FILE))), DownloadListener.NONE);
    assertThat(Files.readAllBytes(got)).isEqualTo(PAYLOAD);
    assertThat(server.requests().get(1).range()).isEqualTo("bytes=" + sent + "-");
  }

  @Test
  void aDamagedCachedFileIsReplaced() throws Exception {
    server.serve(FILE, PAYLOAD, true);
    Path file = cache.fetch(fullHashEntry(), DownloadListener.NONE);
    Files.write(file, new byte[] {1, 2, 3});
    Verification v = cache.verify(fullHashEntry());
    assertThat(v.status()).isEqualTo(Verification.Status.MISMATCH);
    assertThat(v.actualSha256()).contains(Sha256.of(file));
    assertThat(Files.readAllBytes(cache.fetch(fullHashEntry(), DownloadListener.NONE))).isEqualTo(PAYLOAD);
    assertThat(server.requests()).hasSize(2);
  }

  @Test
  void verifyReportsAMissingFileWithoutNetwork() throws Exception {
    Verification v = cache.verify(fullHashEntry());
    assertThat(v.status()).isEqualTo(Verification.Status.MISSING);
    assertThat(v.actualSha256()).isEmpty();
    assertThat(v.path()).isEqualTo(cache.pathOf(fullHashEntry()));
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void localFileWithTheOfficialHashIsVerifiedWhateverItsName() throws Exception {
    Path f = root.resolve("my-copy.bin");
    Files.write(f, PAYLOAD);
    LocalWeights w = cache.fromLocalFile(fullHashEntry(), f);
    assertThat(w.verified()).isTrue();
    assertThat(w.note()).isEmpty();
    assertThat(w.sha256()).isEqualTo(Fixtures.payloadSha256());
  }

  @Test
  void localFileWithTheOfficialNameButAnotherHashIsRefused() throws Exception {
    Path f = root.resolve(FILE);
    Files.write(f, Arrays.copyOf(PAYLOAD, 100));
    assertThatThrownBy(() -> cache.fromLocalFile(fullHashEntry(), f))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageStartingWith(f + ": SHA-256 is " + Sha256.of(f))
        .hasMessageContaining(Fixtures.payloadSha256());
  }

  @Test
  void otherLocalFileIsUsedUnverifiedWithANote() throws Exception {
    Path f = root.resolve("finetuned.pth");
    Files.write(f, Arrays.copyOf(PAYLOAD, 100));
    LocalWeights w = cache.fromLocalFile(fullHashEntry(), f);
    assertThat(w.verified()).isFalse();
    assertThat(w.note()).hasValueSatisfying(n -> assertThat(n)
        .startsWith(f.toString()).contains(FILE).contains("unverified"));
  }

  @Test
  void underAPinnedDigestALocalFileIsVerifiedWhenItMatchesAndRefusedOtherwiseWhateverItsName() throws Exception {
    CatalogEntry pinned = fullHashEntry().withHash(ExpectedHash.pinned(Fixtures.payloadSha256()));
    Path good = root.resolve("copy-from-a-colleague.bin");
    Files.write(good, PAYLOAD);
    assertThat(cache.fromLocalFile(pinned, good).verified()).isTrue();
    Path other = root.resolve("finetuned.pth");
    Files.write(other, Arrays.copyOf(PAYLOAD, 100));
    assertThatThrownBy(() -> cache.fromLocalFile(pinned, other))
        .isInstanceOf(WeightCacheException.class)
        .hasMessage(other + ": SHA-256 is " + Sha256.of(other) + ", expected SHA-256 " + Fixtures.payloadSha256()
            + " (pinned with --expect-sha256) for tiny-net; the file is not the one pinned");
  }

  @Test
  void aLocalFileWithAFormerOfficialHashIsVerifiedAndOneNamedLikeItWithAnotherHashRefused() throws Exception {
    String sha = Fixtures.payloadSha256();
    CatalogEntry current = fullHashEntry();
    String formerName = "tiny-net-" + sha.substring(0, 8) + "-legacy.pth";
    CatalogEntry e = new CatalogEntry(current.name(), current.family(), current.format(), current.urls(),
        current.fileName(), ExpectedHash.full(Sha256.of(writeTemp(new byte[] {4}))), current.inputSizePx(),
        current.normalization(), current.levelNames(), current.levelDims(), "test bytes",
        List.of(new CatalogEntry.FormerFile(formerName, ExpectedHash.prefix(sha.substring(0, 8)))));
    Path legacy = root.resolve("anything.pth");
    Files.write(legacy, PAYLOAD);
    assertThat(cache.fromLocalFile(e, legacy).verified()).isTrue();
    Path fake = root.resolve(formerName);
    Files.write(fake, new byte[] {5});
    assertThatThrownBy(() -> cache.fromLocalFile(e, fake))
        .hasMessageContaining("expected SHA-256 starting " + sha.substring(0, 8) + " (published prefix)")
        .hasMessageContaining("the file is damaged or not the official one");
  }

  @Test
  void missingLocalFileNamesIt() {
    Path f = root.resolve("nope.pth");
    assertThatThrownBy(() -> cache.fromLocalFile(fullHashEntry(), f))
        .isInstanceOf(WeightCacheException.class)
        .hasMessage(f + ": not found (expected the tiny-net weights file, officially " + FILE + ")");
  }

  @Test
  void defaultRootIsMahaHomeElseDotCacheMaha() {
    assertThat(WeightCache.defaultRoot(Map.of("MAHA_HOME", "/data/maha"), "/home/u")).isEqualTo(Path.of("/data/maha"));
    assertThat(WeightCache.defaultRoot(Map.of("MAHA_HOME", "  "), "/home/u"))
        .isEqualTo(Path.of("/home/u/.cache/maha"));
    assertThat(WeightCache.defaultRoot(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.cache/maha"));
  }

  @Test
  void unwritableCacheFolderSaysWhatToDo() throws Exception {
    Path notADir = root.resolve("file");
    Files.write(notADir, new byte[0]);
    server.serve(FILE, PAYLOAD, true);
    WeightCache bad = new WeightCache(notADir, FAST);
    assertThatThrownBy(() -> bad.fetch(fullHashEntry(), DownloadListener.NONE))
        .isInstanceOf(WeightCacheException.class)
        .hasMessageContaining(notADir.resolve("weights").toString())
        .hasMessageContaining("MAHA_HOME");
  }
}
