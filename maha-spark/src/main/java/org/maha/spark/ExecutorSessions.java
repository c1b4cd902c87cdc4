package org.maha.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.broadcast.Broadcast;
import org.maha.api.Detector;
import org.maha.api.FittedModel;
import org.maha.api.MahaException;

/**
 * What an executor JVM opens once and keeps for all its tasks: the ONNX graph written to a local file (read from
 * its broadcast on first use, so it crosses the network once per executor, not per task), one backbone session
 * per graph and settings, and the scored model. Opened lazily by the first task that needs it; closed, and the
 * files deleted, when the JVM shuts down. Tasks of one executor share the thread-safe {@link Detector}, for fitting
 * ({@link Detector#accumulate}) and scoring alike.
 */
final class ExecutorSessions {
  private ExecutorSessions() {}

  private static final Map<String, Path> GRAPHS = new ConcurrentHashMap<>();
  private static final Map<String, Detector> DETECTORS = new ConcurrentHashMap<>();
  private static final Map<String, FittedModel> MODELS = new ConcurrentHashMap<>();
  private static final Map<String, Path> FILES = new ConcurrentHashMap<>();
  /** Sessions opened in this JVM (one detector per graph and settings): tests check it stays at one. */
  private static final java.util.concurrent.atomic.AtomicInteger OPENED = new java.util.concurrent.atomic.AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorSessions::closeAll, "maha-spark-close"));
  }

  /** The detector (for fitting and scoring) of {@code graph} with {@code settings}. */
  static Detector detector(Broadcast<byte[]> graph, String graphSha256, SparkBackbone settings) {
    return DETECTORS.computeIfAbsent(settings.key(graphSha256), k -> {
      try {
        Detector d = settings.detector(localGraph(graph, graphSha256)).build();
        OPENED.incrementAndGet();
        return d;
      } catch (MahaException e) {
        throw new IllegalStateException("cannot open the backbone on this executor: " + e.getMessage(), e);
      }
    });
  }

  /** The model whose file bytes are {@code model} (SHA-256 {@code modelSha256}), read once per executor. */
  static FittedModel model(Broadcast<byte[]> model, String modelSha256) {
    return MODELS.computeIfAbsent(modelSha256, k -> {
      try {
        return FittedModel.load(localFile(model, modelSha256, ".maha"));
      } catch (MahaException e) {
        throw new IllegalStateException("cannot read the model on this executor: " + e.getMessage(), e);
      }
    });
  }

  /** Backbone sessions this JVM has opened for tasks so far. */
  static int opened() {
    return OPENED.get();
  }

  private static Path localGraph(Broadcast<byte[]> graph, String sha256) {
    return GRAPHS.computeIfAbsent(sha256, k -> localFile(graph, sha256, ".onnx"));
  }

  private static Path localFile(Broadcast<byte[]> bytes, String sha256, String suffix) {
    return FILES.computeIfAbsent(sha256 + suffix, k -> {
      try {
        Path f = Files.createTempFile("maha-" + sha256.substring(0, 12) + "-", suffix);
        Files.write(f, bytes.value());
        return f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void closeAll() {
    DETECTORS.values().forEach(Detector::close);
    for (Path f : FILES.values()) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException ignored) {
        // the JVM is going away; a temp file left behind is all that can go wrong
      }
    }
  }
}
