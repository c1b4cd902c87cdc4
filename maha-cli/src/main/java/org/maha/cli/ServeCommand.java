package org.maha.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.maha.serve.ApiKeys;
import org.maha.serve.Limits;
import org.maha.serve.MahaServer;
import org.maha.serve.ServeConfig;
import org.maha.serve.ServeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code maha serve}: the HTTP service (maha-serve) with its options checked like every command's; runs until
 * SIGTERM or Ctrl-C, then drains the requests in flight.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Score images over HTTP: Open Inference Protocol (KServe v2) routes, a plain JSON route, "
        + "metrics; runs until stopped (SIGTERM/Ctrl-C drain the requests in flight).")
final class ServeCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "NAME=FILE",
      description = "Serve the model FILE (.maha) under NAME (letters, digits, '.', '_', '-'); repeat for more. "
          + "A model fitted with --maps is served with its anomaly maps (kept in memory: about 130 MB at the default "
          + "map settings): POST /v1/models/NAME/score?maps=true adds each image's map overlay.")
  Map<String, Path> models = new LinkedHashMap<>();

  @Option(names = "--onnx", paramLabel = "FILE",
      description = "A backbone ONNX file the models were fitted with (matched by SHA-256); repeat for several. "
          + "Default: the shared ImageNet MobileNetV2 when present.")
  List<Path> onnx = new ArrayList<>();

  @Option(names = "--watch-models",
      description = "Look at the --model files every 2 s and serve one that changes (hot swap from disk, as PUT "
          + "/v1/models/NAME: verified, atomic, requests in flight finish on the old model; a file that is refused "
          + "is logged and the old model keeps serving).")
  boolean watchModels;

  @Option(names = "--backbone", paramLabel = "NAME",
      description = "A named backbone (see `maha backbones list`) the models were fitted with, as fit and score take "
          + "it: its graph is taken from the backbone cache or built from the official weights (downloaded and "
          + "verified on first use); repeat for several; combines with --onnx.")
  List<String> backbone = new ArrayList<>();

  @Option(names = "--weights", paramLabel = "FILE",
      description = "With one --backbone: its weight file instead of downloading (as fit --weights).")
  Path weights;

  @Option(names = "--backbone-cache", paramLabel = "DIR",
      description = "With --backbone: the weight and graph cache. Default: $MAHA_HOME, else ~/.cache/maha.")
  Path backboneCache;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only); 0.0.0.0 for all.")
  String host;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "P",
      description = "TCP port; 0 picks a free one (printed on stderr). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--api-key-file", paramLabel = "FILE",
      description = "Require one of these API keys (one per line, at least 16 characters) on every route but "
          + "health, as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.")
  Path apiKeyFile;

  @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "33554432",
      description = "Largest request body. Default: ${DEFAULT-VALUE} (32 MiB).")
  long maxBodyBytes;

  @Option(names = "--max-images", paramLabel = "N", defaultValue = "64",
      description = "Most images in one request. Default: ${DEFAULT-VALUE}.")
  int maxImages;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "50000000",
      description = "Refuse images whose header claims more pixels than this. Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(names = "--max-model-bytes", paramLabel = "N", defaultValue = "536870912",
      description = "Largest model file, at start and uploaded. Default: ${DEFAULT-VALUE} (512 MiB).")
  long maxModelBytes;

  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "4",
      description = "Requests scored at the same time. Default: ${DEFAULT-VALUE}.")
  int maxConcurrent;

  @Option(names = "--max-queue", paramLabel = "N", defaultValue = "16",
      description = "Further requests that may wait; beyond them the answer is 503 with Retry-After. "
          + "Default: ${DEFAULT-VALUE}.")
  int maxQueue;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "128",
      description = "Most TCP connections accepted at once; beyond them new clients wait to be accepted and idle "
          + "keep-alive connections are closed after 5 s. Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(names = "--max-batch", paramLabel = "N", defaultValue = "4",
      description = "Gather up to N images of concurrent requests for the same backbone into one inference call "
          + "(dynamic micro-batching: each request decodes its images on its own thread, at most --max-concurrent "
          + "at once, then joins a batch; a request of more than N images is scored alone); 1 = off (at most "
          + "--max-concurrent requests score at once, each in its own call). Default: ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(names = "--max-delay-ms", paramLabel = "MS", defaultValue = "5",
      description = "With --max-batch: the longest a batch waits for requests still decoding to join it (it waits "
          + "only while some are; a lone request never waits). "
          + "Default: ${DEFAULT-VALUE}.")
  long maxDelayMs;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime threads per inference (0 = all cores). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--decode-threads", paramLabel = "N", defaultValue = "1",
      description = "Image decoding threads per request. Default: ${DEFAULT-VALUE}.")
  int decodeThreads;

  @Option(names = "--access-log", paramLabel = "FILE", defaultValue = "-",
      description = "Append one JSON line per request here; '-' is stdout. Default: ${DEFAULT-VALUE}.")
  String accessLog;

  @Option(names = "--audit-log", paramLabel = "FILE",
      description = "Append one JSON line per scored image here (time, model and its SHA-256, image SHA-256, score, "
          + "verdict).")
  Path auditLog;

  @Override
  public void validate() throws Exception {
    for (Map.Entry<String, Path> e : models.entrySet()) {
      if (!ServeConfig.NAME.matcher(e.getKey()).matches()) {
        throw new MahaCommand.UsageException("--model: '" + e.getKey().replaceAll("\\p{Cntrl}", "?") + "': a model "
            + "name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
      }
      requireFile("--model " + e.getKey(), e.getValue());
      TileOptions.refuseTiled(e.getValue(), "serve");
    }
    for (Path p : onnx) {
      requireFile("--onnx", p);
    }
    if (weights != null && backbone.size() != 1) {
      throw new MahaCommand.UsageException("--weights needs exactly one --backbone NAME (given "
          + backbone.size() + ")");
    }
    if (backboneCache != null && backbone.isEmpty()) {
      throw new MahaCommand.UsageException("--backbone-cache needs --backbone NAME");
    }
    if (weights != null) {
      requireFile("--weights", weights);
    }
    if (apiKeyFile != null) {
      requireFile("--api-key-file", apiKeyFile);
    }
    if (auditLog != null) {
      appendable("--audit-log", auditLog);
    }
    if (!accessLog.equals("-")) {
      appendable("--access-log", Path.of(accessLog));
    }
  }

  /** A log file to append to: not a folder, in a folder that exists. */
  private static void appendable(String option, Path p) throws MahaCommand.UsageException {
    Path parent = p.toAbsolutePath().getParent();
    if (Files.isDirectory(p) || parent == null || !Files.isDirectory(parent)) {
      throw new MahaCommand.UsageException(option + ": " + p + ": " + (Files.isDirectory(p) ? "is a folder"
          : "its folder does not exist"));
    }
  }

  private static void requireFile(String option, Path p) throws MahaCommand.UsageException {
    if (!Files.isRegularFile(p)) {
      throw new MahaCommand.UsageException(option + ": " + p + ": " + (Files.exists(p) ? "not a file" : "no such file"));
    }
  }

  @Override
  public Integer call() throws Exception {
    // Jetty logs through SLF4J (slf4j-simple in the jar): its start/stop banners are noise beside our own lines
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    PrintWriter err = spec.commandLine().getErr();
    Consumer<String> log = line -> {
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    };
    Optional<ApiKeys> keys = Optional.empty();
    if (apiKeyFile != null) {
      try {
        keys = Optional.of(ApiKeys.read(apiKeyFile));
      } catch (IllegalArgumentException | IOException e) {
        throw new MahaCommand.UsageException("--api-key-file: " + (e instanceof IOException ? apiKeyFile + ": cannot "
            + "read it" : e.getMessage()));
      }
    }
    List<Path> backbones = new ArrayList<>(onnx);
    for (String name : backbone) { // built or taken from the cache exactly as fit and score do
      BackboneOptions named = new BackboneOptions();
      named.backboneName = name;
      named.weights = weights;
      named.backboneCache = backboneCache;
      backbones.add(named.resolveOnnx());
    }
    if (backbones.isEmpty()) {
      DefaultBackbone.find().ifPresent(backbones::add);
    }
    PrintStream access = accessLog.equals("-") ? System.out : new PrintStream(Files.newOutputStream(Path.of(accessLog),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
    Consumer<String> accessSink = line -> {
      synchronized (access) {
        access.println(line);
        access.flush();
      }
    };
    Optional<Consumer<String>> audit = Optional.empty();
    if (auditLog != null) {
      PrintStream a = new PrintStream(Files.newOutputStream(auditLog, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
      audit = Optional.of(line -> {
        synchronized (a) {
          a.println(line);
          a.flush();
        }
      });
    }
    Limits limits;
    try {
      limits = new Limits(maxBodyBytes, maxImages, maxPixels, maxModelBytes, maxConcurrent, maxQueue,
          maxConnections);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException(e.getMessage());
    }
    MahaServer server;
    try {
      server = MahaServer.start(new ServeConfig(host, port, models, backbones, keys, limits, threads, decodeThreads,
          accessSink, log, audit, maxBatch, maxDelayMs));
    } catch (ServeException e) {
      throw new MahaCommand.UsageException(e.getMessage());
    }
    if (watchModels) {
      server.watchModelFiles(java.time.Duration.ofSeconds(2));
    }
    Thread hook = new Thread(() -> {
      log.accept("maha serve: stopping: finishing the requests in flight");
      server.close();
      log.accept("maha serve: stopped");
    }, "maha-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.accept("maha serve: listening on http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + server.port() + " (models: " + String.join(", ", models.keySet()) + ")");
    server.join();
    return 0;
  }
}
