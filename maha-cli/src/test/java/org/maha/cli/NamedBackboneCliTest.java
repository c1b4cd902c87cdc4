package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.data.SyntheticInspectionSet;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.zoo.ZooFixtures;

/** {@code --backbone NAME} with {@code --weights}, {@code --random-init} and {@code --mirror}; {@code backbones export}. */
class NamedBackboneCliTest {
  @TempDir Path dir;
  private Path cache;
  private Path good;

  @BeforeEach
  void images() throws Exception {
    cache = dir.resolve("cache");
    Path data = dir.resolve("data");
    SyntheticInspectionSet.write(data, new SyntheticInspectionSet.Spec(List.of("fabric"), 64, 6, 1, 1, 3L));
    good = data.resolve("fabric/train/good");
  }

  @Test
  void fitWithANamedBackboneAndALocalWeightFileRecordsItsNameLevelsAndDims() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path model = dir.resolve("m.maha");
    var r = CliHarness.run("fit", "--backbone", "resnet18", "--weights", pth.toString(), "--backbone-cache",
        cache.toString(), "-q", "--out", model.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.err()).contains("warning: " + pth + ": not the official resnet18 file", "using it unverified");
    GaussianAdModel m = ModelFile.read(model);
    assertThat(m.info().backbone().name()).isEqualTo("resnet18 (unverified weights 8bdf969e05f8)");
    assertThat(m.info().levelNames()).containsExactly("L0", "L1", "L2", "L3", "L4");
    assertThat(m.info().backbone().levelDims()).isEqualTo(ZooFixtures.TINY_DIMS);
    assertThat(m.info().backbone().normalization().id()).isEqualTo("imagenet");
    assertThat(r.out()).contains("with backbone resnet18 (unverified weights 8bdf969e05f8)");
    // scoring finds the cached graph through the model's backbone file
    var s = CliHarness.run("score", "--model", model.toString(), "-q", good.toString());
    assertThat(s.exitCode()).as(s.all()).isZero();
    assertThat(s.out()).contains("L4");
  }

  @Test
  void weightFileNamedLikeTheOfficialOneWithAnotherHashIsBadInput() throws Exception {
    Path fake = ZooFixtures.tinyResNet(dir, "resnet18-5c106cde.pth");
    Path model = dir.resolve("m.maha");
    var r = CliHarness.run("fit", "--backbone", "resnet18", "--weights", fake.toString(), "--backbone-cache",
        cache.toString(), "-q", "--out", model.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains(fake.toString(), "expected SHA-256 starting 5c106cde",
        "the file is damaged or not the official one");
    assertThat(model).doesNotExist();
  }

  @Test
  void randomInitIsMarkedNotPretrainedInTheModelFileAndTheFitOutput() throws Exception {
    Path model = dir.resolve("m.maha");
    var r = CliHarness.run("fit", "--backbone", "resnet18", "--random-init", "1", "--backbone-cache",
        cache.toString(), "-q", "--out", model.toString(), good.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("with backbone resnet18 (random init, NOT pretrained)");
    assertThat(r.err()).contains("RANDOM weights (seed 1): NOT pretrained");
    GaussianAdModel m = ModelFile.read(model);
    assertThat(m.info().backbone().name()).isEqualTo("resnet18 (random init, NOT pretrained)");
    assertThat(m.info().backbone().levelDims()).containsExactly(64, 64, 128, 256, 512);
    try (ZipFile z = new ZipFile(model.toFile())) {
      String manifest = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(manifest).contains("\"name\" : \"resnet18 (random init, NOT pretrained)\"");
    }
  }

  /** A loopback server answering every path with {@code body}: a mirror holding one file under every name. */
  private static HttpServer serveEverywhere(byte[] body) throws java.io.IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    return server;
  }

  private static String mirror(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Test
  @Timeout(60)
  void aMirrorServingAnotherFileUnderTheOfficialNameFailsTheHashCheckInOneLineWithTheWaysOut() throws Exception {
    Path tiny = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    HttpServer server = serveEverywhere(Files.readAllBytes(tiny));
    try {
      String mirror = mirror(server);
      var r = CliHarness.run("fit", "--backbone", "resnet18", "--mirror", mirror, "--backbone-cache",
          cache.toString(), "-q", "--out", dir.resolve("m.maha").toString(), good.toString());
      assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
      assertThat(r.err()).contains("downloading resnet18 from " + mirror);
      String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
      assertThat(last).startsWith("maha fit: cannot download resnet18 from " + mirror + "resnet18-f37072fd.pth")
          .contains("has SHA-256 " + ZooFixtures.TINY_SHA256, "expected SHA-256 starting f37072fd",
              "put it at " + cache.resolve("weights/resnet18-f37072fd.pth"), "--weights FILE",
              "--expect-sha256 HEX to pin a digest obtained elsewhere")
          .doesNotContain("Exception");
      assertThat(cache.resolve("weights/resnet18-f37072fd.pth")).doesNotExist();
      assertThat(dir.resolve("m.maha")).doesNotExist();
    } finally {
      server.stop(0);
    }
  }

  @Test
  @Timeout(60)
  void theSameDownloadIsAcceptedAndVerifiedWhenItsRealDigestIsPinned() throws Exception {
    Path tiny = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    HttpServer server = serveEverywhere(Files.readAllBytes(tiny));
    try {
      Path model = dir.resolve("m.maha");
      var r = CliHarness.run("fit", "--backbone", "resnet18", "--mirror", mirror(server), "--expect-sha256",
          ZooFixtures.TINY_SHA256.toUpperCase(java.util.Locale.ROOT), "--backbone-cache", cache.toString(), "-q",
          "--out", model.toString(), good.toString());
      assertThat(r.exitCode()).as(r.all()).isZero();
      assertThat(r.err()).doesNotContain("unverified");
      assertThat(ModelFile.read(model).info().backbone().name()).isEqualTo("resnet18");
      assertThat(cache.resolve("weights/resnet18-f37072fd.pth")).hasBinaryContent(Files.readAllBytes(tiny));
    } finally {
      server.stop(0);
    }
  }

  @Test
  @Timeout(60)
  void aTamperedDownloadUnderAPinnedDigestIsRefusedAndNothingIsCached() throws Exception {
    byte[] tampered = Files.readAllBytes(ZooFixtures.tinyResNet(dir, "tiny_resnet.pth"));
    tampered[tampered.length / 2] ^= 1;
    HttpServer server = serveEverywhere(tampered);
    try {
      var r = CliHarness.run("fit", "--backbone", "resnet18", "--mirror", mirror(server), "--expect-sha256",
          ZooFixtures.TINY_SHA256, "--backbone-cache", cache.toString(), "-q", "--out",
          dir.resolve("m.maha").toString(), good.toString());
      assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
      String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
      assertThat(last).contains("expected SHA-256 " + ZooFixtures.TINY_SHA256 + " (pinned with --expect-sha256)",
          "deleted it", "--weights FILE");
      assertThat(cache.resolve("weights")).isEmptyDirectory();
      assertThat(dir.resolve("m.maha")).doesNotExist();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aPinnedDigestVerifiesAWeightsFileThatHasItAndRefusesOneThatHasNot() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path model = dir.resolve("m.maha");
    var ok = CliHarness.run("fit", "--backbone", "resnet18", "--weights", pth.toString(), "--expect-sha256",
        ZooFixtures.TINY_SHA256, "--backbone-cache", cache.toString(), "-q", "--out", model.toString(),
        good.toString());
    assertThat(ok.exitCode()).as(ok.all()).isZero();
    assertThat(ok.err()).doesNotContain("unverified");
    assertThat(ModelFile.read(model).info().backbone().name()).isEqualTo("resnet18");
    String other = "0".repeat(64);
    Path model2 = dir.resolve("m2.maha");
    var bad = CliHarness.run("fit", "--backbone", "resnet18", "--weights", pth.toString(), "--expect-sha256",
        other, "--backbone-cache", cache.toString(), "-q", "--out", model2.toString(), good.toString());
    assertThat(bad.exitCode()).as(bad.all()).isEqualTo(2);
    assertThat(bad.err().strip()).isEqualTo("maha fit: " + pth + ": SHA-256 is " + ZooFixtures.TINY_SHA256
        + ", expected SHA-256 " + other + " (pinned with --expect-sha256) for resnet18; the file is not the one "
        + "pinned");
    assertThat(model2).doesNotExist();
  }

  @Test
  void aMalformedPinnedDigestIsRefusedInOneLineBeforeAnyWork() throws Exception {
    var before = CliProcess.snapshot(dir);
    for (String hex : List.of("abc", "g".repeat(64), "0".repeat(65), "0".repeat(63) + "\n")) {
      var r = CliProcess.run(30, cache, "fit", "--backbone", "resnet18", "--mirror", "http://127.0.0.1:9/",
          "--expect-sha256", hex, "--backbone-cache", cache.toString(), "--out", dir.resolve("m.maha").toString(),
          good.toString());
      CliProcess.assertCleanRefusal(r, "--expect-sha256: expected a full SHA-256 (64 hex digits)");
      assertThat(r.err()).doesNotContain("downloading");
    }
    var noBackbone = CliHarness.run("fit", "--expect-sha256", "0".repeat(64), "--out",
        dir.resolve("m.maha").toString(), good.toString());
    assertThat(noBackbone.exitCode()).isEqualTo(2);
    assertThat(noBackbone.err()).contains("need --backbone NAME");
    var withRandom = CliHarness.run("fit", "--backbone", "resnet18", "--random-init", "1", "--expect-sha256",
        "0".repeat(64), "--backbone-cache", cache.toString(), "--out", dir.resolve("m.maha").toString(),
        good.toString());
    assertThat(withRandom.exitCode()).isEqualTo(2);
    assertThat(withRandom.err()).contains("--expect-sha256 and --random-init are mutually exclusive");
    assertThat(CliProcess.snapshot(dir)).isEqualTo(before);
  }

  @Test
  @Timeout(60)
  void offlineDownloadNamesTheUrlAndWhereToPutTheFile() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String mirror = "http://127.0.0.1:" + port + "/";
    var r = CliHarness.run("backbones", "--cache", cache.toString(), "--mirror", mirror, "export", "resnet18",
        "--out", dir.resolve("r.onnx").toString());
    assertThat(r.exitCode()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains(mirror + "resnet18-f37072fd.pth", "download it by hand and put it at",
        "--weights FILE");
    assertThat(dir.resolve("r.onnx")).doesNotExist();
  }

  @Test
  void exportWritesAnOnnxGraphThatOnnxBackboneOpens() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path out = dir.resolve("tiny.onnx");
    var r = CliHarness.run("backbones", "--cache", cache.toString(), "export", "resnet18", "--weights",
        pth.toString(), "--maps", "--out", out.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("wrote " + out, "resnet18 (unverified weights 8bdf969e05f8)", "NOT verified");
    try (OnnxBackbone b = OnnxBackbone.open(out, new BackboneOptions(List.of("L0", "L1", "L2", "L3", "L4"), null,
        1, 2))) {
      assertThat(b.spec().levelDims()).isEqualTo(ZooFixtures.TINY_DIMS);
      assertThat(b.spec().inputSizePx()).isEqualTo(224);
      assertThat(b.describeOutputs()).anyMatch(o -> o.startsWith("L0_map"));
    }
  }

  @Test
  void exportWithInputSizeBuildsTheGraphForThatSize() throws Exception {
    Path pth = ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path out = dir.resolve("tiny96.onnx");
    var r = CliHarness.run("backbones", "--cache", cache.toString(), "export", "resnet18", "--weights",
        pth.toString(), "--input-size", "96", "--out", out.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("input [N, 3, 96, 96]");
    try (OnnxBackbone b = OnnxBackbone.open(out, new BackboneOptions(List.of("L0", "L1", "L2", "L3", "L4"), null,
        1, 2))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(96);
      assertThat(b.spec().levelDims()).isEqualTo(ZooFixtures.TINY_DIMS);
    }
    var bad = CliHarness.run("backbones", "--cache", cache.toString(), "export", "resnet18", "--weights",
        pth.toString(), "--input-size", "0", "--out", dir.resolve("x.onnx").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--input-size must be between 1 and", "got 0");
  }

  @Test
  void exportOfARandomEfficientNetAtAnotherInputSizeRunsWithNineLevels() throws Exception {
    Path out = dir.resolve("b0.onnx");
    var r = CliHarness.run("backbones", "--cache", cache.toString(), "export", "efficientnet-b0", "--random-init",
        "5", "--input-size", "64", "--out", out.toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("efficientnet-b0 (random init, NOT pretrained)", "input [N, 3, 64, 64]",
        "random (seed 5), NOT pretrained");
    try (OnnxBackbone b = OnnxBackbone.open(out, new BackboneOptions(
        List.of("L0", "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"), null, 1, 2))) {
      assertThat(b.spec().inputSizePx()).isEqualTo(64);
      assertThat(b.spec().levelDims()).containsExactly(32, 16, 24, 40, 80, 112, 192, 320, 1280);
      float[] x = new float[2 * 3 * 64 * 64];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.sin(i * 0.01);
      }
      double[][][] f = b.extract(x, 2);
      assertThat(java.util.Arrays.stream(f[8][0]).allMatch(Double::isFinite)).isTrue();
      assertThat(java.util.Arrays.stream(f[8][0]).anyMatch(v -> v != 0)).isTrue();
    }
  }

  @Test
  void exportOfARandomInitSaysNotPretrained() {
    var r = CliHarness.run("backbones", "--cache", cache.toString(), "export", "resnet18", "--random-init", "3",
        "--out", dir.resolve("r.onnx").toString());
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("resnet18 (random init, NOT pretrained)", "random (seed 3), NOT pretrained");
  }

  @Test
  void conflictingOrIncompleteBackboneOptionsAreBadUsage() throws Exception {
    String out = dir.resolve("m.maha").toString();
    var both = CliHarness.run("fit", "--backbone", "resnet18", "--onnx", "x.onnx", "--out", out, good.toString());
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("--onnx and --backbone are mutually exclusive");
    var weightsOnly = CliHarness.run("fit", "--weights", "w.pth", "--out", out, good.toString());
    assertThat(weightsOnly.exitCode()).isEqualTo(2);
    assertThat(weightsOnly.err()).contains("need --backbone NAME");
    var unknown = CliHarness.run("fit", "--backbone", "alexnet", "--backbone-cache", cache.toString(), "--out", out,
        good.toString());
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown backbone 'alexnet'", "resnet18");
    var twoSources = CliHarness.run("fit", "--backbone", "resnet18", "--weights", "w.pth", "--random-init", "1",
        "--backbone-cache", cache.toString(), "--out", out, good.toString());
    assertThat(twoSources.exitCode()).isEqualTo(2);
    assertThat(twoSources.err()).contains("--weights and --random-init are mutually exclusive");
    var noBuilder = CliHarness.run("fit", "--backbone", "mobilenet_v2", "--random-init", "1",
        "--backbone-cache", cache.toString(), "--out", out, good.toString());
    assertThat(noBuilder.exitCode()).isEqualTo(2);
    assertThat(noBuilder.err()).contains("mobilenet_v2: a random initialisation exists only for the resnet and "
        + "efficientnet families");
    assertThat(Path.of(out)).doesNotExist();
  }
}
