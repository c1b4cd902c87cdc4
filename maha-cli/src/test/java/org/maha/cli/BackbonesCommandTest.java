package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.maha.testing.SharedData;

class BackbonesCommandTest {
  @TempDir Path dir;

  @Test
  void listsTheCatalogAndTheCacheState() {
    var r = CliHarness.run("backbones", "--cache", dir.toString(), "list");
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.out()).contains("efficientnet-b4", "2944", "resnet50", "3904", "mobilenet_v2", "missing");
  }

  @Test
  void listSaysPerEntryWhetherTheFullPublishedDigestOrOnlyTheFileNamePrefixIsChecked() {
    var r = CliHarness.run("backbones", "--cache", dir.toString(), "list");
    assertThat(r.exitCode()).as(r.all()).isZero();
    java.util.Map<String, String> column = new java.util.HashMap<>();
    r.out().lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length == 8)
        .forEach(f -> column.put(f[0], f[6]));
    assertThat(column).containsEntry("name", "sha256")
        .containsEntry("efficientnet-b4", "prefix")
        .containsEntry("torchvision-efficientnet_b0", "full")
        .containsEntry("torchvision-efficientnet_b1", "prefix")
        .containsEntry("torchvision-efficientnet_b7", "full")
        .containsEntry("resnet18", "prefix")
        .containsEntry("mobilenet_v2", "full");
    assertThat(column).hasSize(1 + org.maha.catalog.Catalog.official().names().size());
    assertThat(r.out()).contains("--expect-sha256 HEX");
  }

  @Test
  void fetchWithAPinnedDigestTakesExactlyOneName() {
    var r = CliHarness.run("backbones", "--cache", dir.toString(), "fetch", "--expect-sha256", "0".repeat(64),
        "resnet18", "resnet34");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("maha backbones fetch: --expect-sha256 pins the digest of one file: give one "
        + "NAME, got 2");
  }

  @Test
  @Timeout(60)
  void fetchesFromAMirrorOnLoopbackVerifiesAndCaches() throws Exception {
    Path tflite = SharedData.require("models/tf2_mobilenet_v2_1.0_224_ptq.tflite");
    byte[] body = Files.readAllBytes(tflite);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
      var r = CliHarness.run("backbones", "--cache", dir.toString(), "--mirror", mirror, "fetch", "mobilenet_v2");
      assertThat(r.exitCode()).as(r.all()).isZero();
      var v = CliHarness.run("backbones", "--cache", dir.toString(), "verify", "mobilenet_v2");
      assertThat(v.out()).contains("VERIFIED");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void unknownNameIsBadUsage() {
    var r = CliHarness.run("backbones", "--cache", dir.toString(), "fetch", "alexnet");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown backbone 'alexnet'", "efficientnet-b4");
  }
}
