package org.maha.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.maha.arch.ResNet;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.catalog.BackboneFamily;
import org.maha.catalog.Catalog;
import org.maha.catalog.CatalogEntry;
import org.maha.catalog.DownloadListener;
import org.maha.catalog.ExpectedHash;
import org.maha.catalog.WeightCache;
import org.maha.catalog.WeightCacheException;
import org.maha.files.Sha256;

class BackboneZooTest {
  @TempDir Path dir;

  private static final CatalogEntry RESNET18 = Catalog.official().get("resnet18");
  private static final BackboneOptions CATALOG_LEVELS = new BackboneOptions(ResNet.LEVELS, null, 1, 4);

  private BackboneZoo zoo() {
    return new BackboneZoo(new WeightCache(dir.resolve("cache")));
  }

  @Test
  void theStateDictSizeBoundCountsEveryValueOfTheNetworkAndItsClassifier() {
    ResNetConfig r18 = ResNetConfig.named("resnet18").orElseThrow();
    ResNetConfig wideBottleneck = new ResNetConfig(ResNet.Block.BOTTLENECK, List.of(1, 2, 1, 1), 8,
        List.of(4, 8, 16, 32), 2);
    for (ResNetConfig c : List.of(r18, wideBottleneck)) {
      long generated = RandomResNetWeights.generate(c, 1).values().stream().mapToLong(t -> t.numel()).sum();
      int features = c.planes().get(3) * c.expansion();
      assertThat(c.stateDictValues(10)).as(c.label()).isEqualTo(generated + features * 10L + 10);
    }
    // torchvision's resnet18: 11,689,512 parameters plus 9,600 running statistics and 20 batch counters
    assertThat(r18.stateDictValues(1000)).isEqualTo(11_699_132L);
  }

  @Test
  void graphBuiltFromAWeightFileGivesTorchvisionsFeatures() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    BuiltGraph g = zoo().fromFile(RESNET18, pth, Map.of());
    JsonNode expected = ZooFixtures.expected();
    assertThat(expected.get("weights_sha256").asText()).isEqualTo(ZooFixtures.TINY_SHA256);
    try (OnnxBackbone b = OnnxBackbone.open(g.onnx(), CATALOG_LEVELS)) {
      assertThat(b.spec().levelDims()).isEqualTo(ZooFixtures.TINY_DIMS);
      double[][][] f = b.extract(ZooFixtures.formulaInput(224), 1);
      for (int level = 0; level < 5; level++) {
        JsonNode want = expected.get("levels").get("L" + level);
        assertThat(f[level][0]).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
          double w = want.get(i).asDouble();
          assertThat(f[level][0][i]).as("L%d[%d]", level, i).isCloseTo(w, within(1e-4 * Math.max(1, Math.abs(w))));
        }
      }
    }
  }

  @Test
  void unverifiedFileIsNamedSoInTheBackboneSpecAndProvenance() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    BuiltGraph g = zoo().fromFile(RESNET18, pth, Map.of());
    assertThat(g.displayName()).isEqualTo("resnet18 (unverified weights 8bdf969e05f8)");
    assertThat(g.note()).hasValueSatisfying(n -> assertThat(n).contains("not the official resnet18", "unverified"));
    assertThat(g.onnx()).isEqualTo(dir.resolve("cache/graphs/resnet18-8bdf969e05f8-r1/"
        + "resnet18 (unverified weights 8bdf969e05f8).onnx"));
    JsonNode prov = new ObjectMapper().readTree(Files.readAllBytes(g.provenanceFile()));
    assertThat(prov.get("catalog_name").asText()).isEqualTo("resnet18");
    assertThat(prov.get("weights_sha256").asText()).isEqualTo(ZooFixtures.TINY_SHA256);
    assertThat(prov.get("verified").asBoolean()).isFalse();
    assertThat(prov.get("pretrained").asBoolean()).isTrue();
    assertThat(prov.get("graph_sha256").asText()).isEqualTo(Sha256.of(g.onnx()));
    try (OnnxBackbone b = OnnxBackbone.open(g.onnx(), CATALOG_LEVELS)) {
      assertThat(b.spec().name()).isEqualTo(g.displayName());
    }
  }

  @Test
  void secondRequestReusesTheCachedGraphAndADamagedOneIsRebuilt() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    BuiltGraph first = zoo().fromFile(RESNET18, pth, Map.of());
    BuiltGraph second = zoo().fromFile(RESNET18, pth, Map.of());
    assertThat(first.built()).isTrue();
    assertThat(second.built()).isFalse();
    assertThat(second.onnx()).isEqualTo(first.onnx());
    byte[] good = Files.readAllBytes(first.onnx());
    Files.write(first.onnx(), new byte[] {1, 2, 3});
    BuiltGraph third = zoo().fromFile(RESNET18, pth, Map.of());
    assertThat(third.built()).isTrue();
    assertThat(Files.readAllBytes(third.onnx())).isEqualTo(good);
  }

  @Test
  void graphDependsOnlyOnTheWeightsContentAndFileNameNotTheirFolder() throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    BuiltGraph a = new BackboneZoo(new WeightCache(dir.resolve("c1")))
        .fromFile(RESNET18, ZooFixtures.tinyResNet(dir.resolve("a"), "w.pth"), Map.of());
    BuiltGraph b = new BackboneZoo(new WeightCache(dir.resolve("c2")))
        .fromFile(RESNET18, ZooFixtures.tinyResNet(dir.resolve("b"), "w.pth"), Map.of());
    assertThat(a.provenance().graphSha256()).isEqualTo(b.provenance().graphSha256());
  }

  @Test
  void randomInitIsSeededAndMarkedNotPretrainedEverywhere() throws Exception {
    ResNetConfig small = new ResNetConfig(ResNet.Block.BASIC, List.of(1, 1, 1, 1), 8, List.of(4, 8, 8, 16), 1);
    BuiltGraph g1 = zoo().randomInit(RESNET18, small, 7, Map.of());
    BuiltGraph again = new BackboneZoo(new WeightCache(dir.resolve("other"))).randomInit(RESNET18, small, 7, Map.of());
    BuiltGraph g2 = zoo().randomInit(RESNET18, small, 8, Map.of());
    assertThat(again.provenance().graphSha256()).isEqualTo(g1.provenance().graphSha256());
    assertThat(g2.provenance().graphSha256()).isNotEqualTo(g1.provenance().graphSha256());
    assertThat(g1.displayName()).endsWith(" (random init, NOT pretrained)");
    assertThat(g1.provenance().pretrained()).isFalse();
    assertThat(new String(Files.readAllBytes(g1.provenanceFile()), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"pretrained\" : false", "\"random_seed\" : 7");
    Map<String, String> meta = onnxMetadata(g1.onnx());
    assertThat(meta).containsEntry("maha.pretrained", "false").containsEntry("maha.random_seed", "7")
        .containsEntry("maha.catalog_name", "resnet18").containsEntry("maha.display_name", g1.displayName());
    try (OnnxBackbone b = OnnxBackbone.open(g1.onnx(), CATALOG_LEVELS)) {
      assertThat(b.spec().name()).isEqualTo(g1.displayName()).contains("NOT pretrained");
      assertThat(b.spec().levelDims()).isEqualTo(small.levelDims()).isEqualTo(List.of(8, 4, 8, 8, 16));
    }
  }

  @Test
  void onnxMetadataRecordsTheWeightsHashAndVerification() throws Exception {
    BuiltGraph g = zoo().fromFile(RESNET18, ZooFixtures.tinyResNet(dir, "tiny_resnet.pth"), Map.of());
    assertThat(onnxMetadata(g.onnx())).containsEntry("maha.weights_sha256", ZooFixtures.TINY_SHA256)
        .containsEntry("maha.weights_verified", "false").containsEntry("maha.pretrained", "true")
        .containsEntry("maha.builder_version", "r1").containsEntry("maha.weights", "tiny_resnet.pth");
  }

  @Test
  void randomWeightsForACatalogNameHaveTorchvisionsArchitecture() throws Exception {
    assertThat(ResNet.inspect("r18", BackboneZoo.randomWeights(RESNET18, 1)).name()).isEqualTo("resnet18");
    var sd = BackboneZoo.randomWeights(ResNetConfig.named("wide_resnet50_2").orElseThrow(), 1);
    assertThat(ResNet.inspect("w50", sd).name()).isEqualTo("wide_resnet50_2");
    float[] w = sd.get("conv1.weight").data();
    double ss = 0;
    for (float v : w) {
      ss += v * v;
    }
    // Kaiming normal, fan_out: std = sqrt(2 / (64 * 7 * 7))
    assertThat(Math.sqrt(ss / w.length)).isCloseTo(Math.sqrt(2.0 / (64 * 49)), within(0.003));
    assertThat(BackboneZoo.randomWeights(RESNET18, 1)).isEqualTo(BackboneZoo.randomWeights(RESNET18, 1));
  }

  @Test
  void efficientNetRandomWeightsHaveEveryKeyAndShapeOfTheConfigAndAreSeeded() throws Exception {
    org.maha.arch.EfficientNet.Config b4 = org.maha.arch.EfficientNet.Config.named("efficientnet-b4");
    Map<String, org.maha.weights.Tensor> sd = org.maha.arch.EfficientNet.randomWeights(b4, 3);
    // the builder checks every tensor against the config; inference finds B4's width and depth back
    assertThat(org.maha.arch.EfficientNet.infer("random", sd, b4.flavor(), 380).withBnEps(b4.bnEps()))
        .isEqualTo(b4);
    assertThat(sd.get("_bn0.running_var").data()).containsOnly(1f);
    assertThat(sd.get("_bn0.running_mean").data()).containsOnly(0f);
    assertThat(sd).isEqualTo(org.maha.arch.EfficientNet.randomWeights(b4, 3));
  }

  @Test
  void familiesWithoutABuilderOrARandomInitFailWithAClearMessage() {
    CatalogEntry b0 = Catalog.official().get("efficientnet-b0");
    // a registry without EfficientNet: the check comes before any download is attempted
    BackboneZoo resnetOnly = new BackboneZoo(new WeightCache(dir.resolve("cache")),
        GraphBuilders.none().with(org.maha.catalog.BackboneFamily.RESNET, "t", (e, w, o) -> new byte[0]));
    assertThatThrownBy(() -> resnetOnly.official(b0, Map.of(), DownloadListener.NONE))
        .isInstanceOf(ZooException.class).hasMessageContaining("efficientnet-b0: building efficientnet graphs is "
            + "not available").hasMessageContaining("available: resnet");
    CatalogEntry mnv2 = Catalog.official().get("mobilenet_v2");
    assertThatThrownBy(() -> zoo().randomInit(mnv2, 1, Map.of())).isInstanceOf(ZooException.class)
        .hasMessageContaining("only for the resnet and efficientnet families");
    assertThatThrownBy(() -> new BackboneZoo(new WeightCache(dir), GraphBuilders.none())
        .fromFile(RESNET18, dir.resolve("x.pth"), Map.of())).isInstanceOf(ZooException.class)
        .hasMessageContaining("available: )");
  }

  @Test
  void fileWithTheOfficialNameButAnotherHashIsRefused() throws Exception {
    Path fake = ZooFixtures.tinyResNet(dir, RESNET18.fileName());
    assertThatThrownBy(() -> zoo().fromFile(RESNET18, fake, Map.of())).isInstanceOf(WeightCacheException.class)
        .hasMessageContaining(fake.toString()).hasMessageContaining("not the official one");
    assertThat(dir.resolve("cache/graphs")).doesNotExist();
  }

  @Test
  void weightsOfAnotherArchitectureFailNamingTheFile() throws Exception {
    CatalogEntry fakeMobile = new CatalogEntry("resnet-like", BackboneFamily.RESNET, RESNET18.format(),
        RESNET18.urls(), "resnet-like.pth", RESNET18.hash(), 224, RESNET18.normalization(), RESNET18.levelNames(),
        RESNET18.levelDims(), "test");
    Path sd = dir.resolve("sd.pth");
    try (var in = getClass().getResourceAsStream("/org/maha/weights/sd_zip.pth")) {
      Files.copy(in, sd);
    }
    assertThatThrownBy(() -> zoo().fromFile(fakeMobile, sd, Map.of())).isInstanceOf(ZooException.class)
        .hasMessageContaining("resnet-like from " + sd).hasMessageContaining("missing key conv1.weight");
  }

  @Test
  void overridesReachTheBuilderAndGetTheirOwnCacheEntry() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    GraphBuilderForFamily counting = (e, w, o) -> {
      calls.incrementAndGet();
      return new ResNetGraphs().build(e, w, o);
    };
    BackboneZoo z = new BackboneZoo(new WeightCache(dir.resolve("cache")),
        GraphBuilders.none().with(BackboneFamily.RESNET, "t1", counting));
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    BuiltGraph plain = z.fromFile(RESNET18, pth, Map.of());
    BuiltGraph maps = z.fromFile(RESNET18, pth, Map.of(BackboneZoo.OVERRIDE_MAPS, "true"));
    z.fromFile(RESNET18, pth, Map.of(BackboneZoo.OVERRIDE_MAPS, "true"));
    assertThat(calls.get()).isEqualTo(2);
    assertThat(plain.onnx().getParent().getFileName().toString()).isEqualTo("resnet18-8bdf969e05f8-t1");
    assertThat(maps.onnx().getParent().getFileName().toString()).startsWith("resnet18-8bdf969e05f8-t1-o");
    try (OnnxBackbone b = OnnxBackbone.open(maps.onnx(), CATALOG_LEVELS)) {
      assertThat(b.describeOutputs()).anyMatch(s -> s.startsWith("L4_map"));
    }
    assertThatThrownBy(() -> z.fromFile(RESNET18, pth, Map.of(BackboneZoo.OVERRIDE_MAPS, "yes")))
        .isInstanceOf(ZooException.class).hasMessageContaining("maps: expected true or false");
  }

  @Test
  @Timeout(60)
  void officialWeightsAreFetchedVerifiedAndBuiltAndAWrongFileIsRejected() throws Exception {
    byte[] body = Files.readAllBytes(ZooFixtures.tinyResNet(dir, "tiny_resnet.pth"));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      // the real resnet18 entry: the tiny file served under its official name fails the hash check
      CatalogEntry mirrored = Catalog.official().withBaseUrl(base).get("resnet18");
      assertThatThrownBy(() -> zoo().official(mirrored, Map.of(), DownloadListener.NONE))
          .isInstanceOf(WeightCacheException.class)
          .hasMessageContaining(base + "resnet18-f37072fd.pth")
          .hasMessageContaining("expected SHA-256 starting f37072fd");
      // an entry whose published hash is the tiny file's: fetched, verified, built, named plainly
      CatalogEntry tiny = new CatalogEntry("resnet18", BackboneFamily.RESNET, RESNET18.format(),
          List.of(URI.create(base + "tiny-8bdf969e.pth")), "tiny-8bdf969e.pth", ExpectedHash.full(ZooFixtures
          .TINY_SHA256), 224, RESNET18.normalization(), RESNET18.levelNames(), ZooFixtures.TINY_DIMS, "test");
      BuiltGraph g = zoo().official(tiny, Map.of(), DownloadListener.NONE);
      assertThat(g.displayName()).isEqualTo("resnet18");
      assertThat(g.note()).isEmpty();
      assertThat(g.provenance().verified()).isTrue();
      assertThat(g.provenance().weightSource()).isEqualTo(Provenance.WeightSource.CATALOG);
      assertThat(dir.resolve("cache/weights/tiny-8bdf969e.pth")).exists();
    } finally {
      server.stop(0);
    }
  }

  private static Map<String, String> onnxMetadata(Path onnx) throws Exception {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx.toString(), o)) {
      return s.getMetadata().getCustomMetadata();
    }
  }
}
