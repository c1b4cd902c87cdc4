package org.maha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maha serve} as a user runs it: a child JVM started with the tiny test CNN and models fitted by
 * {@code maha fit}, real HTTP requests, the same numbers as {@code maha score} on the same files (to 1e-12),
 * the access log on stdout, and a graceful stop on SIGTERM. Bad options are refused like every command's.
 */
class ServeCommandTest {
  @TempDir static Path dir;
  static Path onnx;
  static Path plain;
  static Path calibrated;
  static List<Path> images;
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  @BeforeAll
  static void fit() throws Exception {
    onnx = CliHarness.tinyCnn(dir, "tiny_cnn.onnx");
    Path good = CliHarness.noisePngs(dir.resolve("good"), "g", 1, 8, 32);
    Path cal = CliHarness.noisePngs(dir.resolve("cal"), "c", 2, 6, 32);
    Path test = CliHarness.noisePngs(dir.resolve("test"), "t", 3, 4, 40);
    images = List.of(test.resolve("t0.png"), test.resolve("t1.png"), test.resolve("t2.png"), test.resolve("t3.png"));
    plain = dir.resolve("plain.maha");
    calibrated = dir.resolve("cal.maha");
    assertThat(CliHarness.run("fit", "-q", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "-o",
        plain.toString(), good.toString()).exitCode()).isZero();
    var c = CliHarness.run("fit", "-q", "--onnx", onnx.toString(), "--levels", "s1,s2,pooled", "--calibrate",
        cal.toString(), "--target-fpr", "0.2", "-o", calibrated.toString(), good.toString());
    assertThat(c.exitCode()).as(c.all()).isZero();
  }

  @Test
  void servesTheNumbersOfMahaScoreAndStopsGracefullyOnSigterm() throws Exception {
    var cli = CliHarness.run("score", "-q", "--onnx", onnx.toString(), "-m", calibrated.toString(), "--format", "json",
        images.get(0).toString(), images.get(1).toString(), images.get(2).toString(), images.get(3).toString());
    assertThat(cli.exitCode()).as(cli.all()).isZero();
    JsonNode expected = JSON.readTree(cli.out()).get("images");
    Path out = dir.resolve("serve.out");
    Path err = dir.resolve("serve.err");
    Process p = CliProcess.start(dir, out, err, "serve", "--onnx", onnx.toString(), "--model",
        "line3=" + calibrated, "--model", "plain=" + plain, "--port", "0", "--threads", "1");
    try {
      int port = awaitPort(p, err);
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < images.size(); i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/v1/models/line3/score")).header("Content-Type", "image/png")
            .POST(HttpRequest.BodyPublishers.ofFile(images.get(i))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode got = JSON.readTree(r.body()).get("images").get(0);
        JsonNode want = expected.get(i);
        assertThat(got.get("score").asDouble()).isCloseTo(want.get("score").asDouble(), within(1e-12));
        List<String> levels = List.of("s1", "s2", "pooled");
        for (int l = 0; l < levels.size(); l++) {
          assertThat(got.get("levelDistances").get(levels.get(l)).asDouble())
              .isCloseTo(want.get("levelDistances").get(l).asDouble(), within(1e-12));
        }
        assertThat(got.get("verdict").asText()).isEqualTo(want.get("anomalous").asBoolean() ? "anomalous" : "normal");
        assertThat(got.get("pValue").asDouble()).isCloseTo(want.get("pValue").asDouble(), within(1e-12));
      }
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String e = Files.readString(err, StandardCharsets.UTF_8);
      assertThat(e).contains("stopping", "stopped").doesNotContain("Exception", "\tat ");
      List<String> log = Files.readAllLines(out, StandardCharsets.UTF_8);
      assertThat(log).hasSize(images.size());
      JsonNode first = JSON.readTree(log.get(0));
      assertThat(first.get("route").asText()).isEqualTo("/v1/models/{name}/score");
      assertThat(first.get("status").asInt()).isEqualTo(200);
      assertThat(first.get("model").asText()).isEqualTo("line3");
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void servesAModelFittedWithANamedBackboneAsFitAndScoreTakeIt() throws Exception {
    Path pth = org.maha.zoo.ZooFixtures.tinyResNet(dir, "tiny_resnet.pth");
    Path cache = dir.resolve("cache");
    Path model = dir.resolve("named.maha");
    var fit = CliHarness.run("fit", "-q", "--backbone", "resnet18", "--weights", pth.toString(), "--backbone-cache",
        cache.toString(), "-o", model.toString(), dir.resolve("good").toString());
    assertThat(fit.exitCode()).as(fit.all()).isZero();
    var cli = CliHarness.run("score", "-q", "--backbone", "resnet18", "--weights", pth.toString(), "--backbone-cache",
        cache.toString(), "-m", model.toString(), "--format", "json", images.get(0).toString());
    assertThat(cli.exitCode()).as(cli.all()).isZero();
    JsonNode want = JSON.readTree(cli.out()).get("images").get(0);
    Path out = dir.resolve("named.out");
    Path err = dir.resolve("named.err");
    Process p = CliProcess.start(dir, out, err, "serve", "--backbone", "resnet18", "--weights", pth.toString(),
        "--backbone-cache", cache.toString(), "--model", "n=" + model, "--port", "0", "--threads", "1");
    try {
      int port = awaitPort(p, err);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + port + "/v1/models/n/score")).header("Content-Type", "image/png")
          .POST(HttpRequest.BodyPublishers.ofFile(images.get(0))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("images").get(0).get("score").asDouble())
          .isCloseTo(want.get("score").asDouble(), within(1e-12));
    } finally {
      p.destroyForcibly().waitFor();
    }
    var twoWeights = CliHarness.run("serve", "--backbone", "resnet18", "--backbone", "resnet50", "--weights",
        pth.toString(), "--model", "a=" + model);
    assertThat(twoWeights.exitCode()).isEqualTo(2);
    assertThat(twoWeights.err().strip()).contains("--weights needs exactly one --backbone").doesNotContain("\n");
  }

  @Test
  void watchModelsServesAModelFileReplacedOnDisk() throws Exception {
    Path served = dir.resolve("watched.maha");
    Files.copy(calibrated, served, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path out = dir.resolve("watch.out");
    Path err = dir.resolve("watch.err");
    Process p = CliProcess.start(dir, out, err, "serve", "--onnx", onnx.toString(), "--model", "w=" + served,
        "--watch-models", "--port", "0", "--threads", "1");
    try {
      int port = awaitPort(p, err);
      Path tmp = dir.resolve("watched.maha.tmp");
      Files.copy(plain, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, served, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      String want = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(plain)));
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String got = "";
      while (!got.equals(want) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        got = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/v2/models/w")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("modelSha256").asText();
      }
      assertThat(got).isEqualTo(want);
      assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("model 'w' reloaded from " + served);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  static int awaitPort(Process p, Path err) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String e = Files.readString(err, StandardCharsets.UTF_8);
      Matcher m = LISTENING.matcher(e);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertThat(p.isAlive()).as("maha serve exited: " + e).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("maha serve did not print its port: " + Files.readString(err));
  }

  @Test
  void badOptionsAreRefusedBeforeAnyWork() throws Exception {
    var missing = CliHarness.run("serve", "--model", "a=" + dir.resolve("absent.maha"));
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err().strip()).contains("--model a", "absent.maha", "no such file").doesNotContain("\n");
    var badName = CliHarness.run("serve", "--model", "../x=" + plain);
    assertThat(badName.exitCode()).isEqualTo(2);
    assertThat(badName.err().strip()).contains("model name").doesNotContain("\n");
    var wrongBackbone = CliHarness.run("serve", "--onnx", CliHarness.tinyCnn(dir, "tiny_cnn_batch1.onnx").toString(),
        "--model", "a=" + plain, "--port", "0");
    assertThat(wrongBackbone.exitCode()).isEqualTo(2);
    assertThat(wrongBackbone.err().strip()).contains("none of the backbones given").doesNotContain("\n", "Exception");
    Path corrupt = Files.write(dir.resolve("corrupt.maha"), "not a model".getBytes(StandardCharsets.UTF_8));
    var bad = CliHarness.run("serve", "--onnx", onnx.toString(), "--model", "a=" + corrupt, "--port", "0");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip()).contains("corrupt.maha").doesNotContain("\n", "Exception");
    var noFolder = CliHarness.run("serve", "--onnx", onnx.toString(), "--model", "a=" + plain, "--audit-log",
        dir.resolve("no/such/audit.jsonl").toString());
    assertThat(noFolder.exitCode()).isEqualTo(2);
    assertThat(noFolder.err().strip()).contains("--audit-log", "folder does not exist").doesNotContain("\n");
    Path keys = Files.write(dir.resolve("keys.txt"), "short\n".getBytes(StandardCharsets.UTF_8));
    var weak = CliHarness.run("serve", "--onnx", onnx.toString(), "--model", "a=" + plain, "--api-key-file",
        keys.toString());
    assertThat(weak.exitCode()).isEqualTo(2);
    assertThat(weak.err().strip()).contains("--api-key-file", "at least 16 characters").doesNotContain("\n");
  }
}
