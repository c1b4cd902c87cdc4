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
