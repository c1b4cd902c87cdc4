package org.maha.serve;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * How to run the service: where to listen, which models under which names, the backbone ONNX files they were
 * fitted with (each model is matched to its file by SHA-256), the API keys, the limits, and where the access log
 * and the service's own messages go.
 *
 * @param host address to bind; 127.0.0.1 unless the operator says otherwise
 * @param port TCP port; 0 picks a free one ({@link MahaServer#port()} tells which)
 * @param models model name to {@code .maha} file, in order; names match {@link #NAME}
 * @param backbones the ONNX backbone files the models may need
 * @param apiKeys keys required for everything but health; empty: no authentication
 * @param limits what one request may cost
 * @param threads ONNX Runtime threads per inference (0: one per core)
 * @param decodeThreads image decoding threads per call
 * @param accessLog receives one JSON line per request
 * @param log receives the service's own messages (start, stop, model swaps, internal errors with their traces)
 * @param audit when present, receives one JSON line per scored image (time, model and its hash, image SHA-256,
 *     score, verdict): an append-only record of what was decided
 * @param maxBatch most images gathered from concurrent requests into one backbone call; 1 turns batching off
 * @param maxDelayMillis the longest a gathered batch waits for requests still decoding to join it (it waits only
 *     while some are)
 */
public record ServeConfig(String host, int port, Map<String, Path> models, List<Path> backbones,
    Optional<ApiKeys> apiKeys, Limits limits, int threads, int decodeThreads, Consumer<String> accessLog,
    Consumer<String> log, Optional<Consumer<String>> audit, int maxBatch, long maxDelayMillis) {

  /** Model names: safe in URL paths, file names, metric labels and logs, so never a path trick. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /**
   * Copies the collections and checks names, port and that there is something to serve.
   *
   * @param host address to bind; 127.0.0.1 unless the operator says otherwise
   * @param port TCP port; 0 picks a free one ({@link MahaServer#port()} tells which)
   * @param models model name to {@code .maha} file, in order; names match {@link #NAME}
   * @param backbones the ONNX backbone files the models may need
   * @param apiKeys keys required for everything but health; empty: no authentication
   * @param limits what one request may cost
   * @param threads ONNX Runtime threads per inference (0: one per core)
   * @param decodeThreads image decoding threads per call
   * @param accessLog receives one JSON line per request
   * @param log receives the service's own messages (start, stop, model swaps, internal errors with their traces)
   * @param audit when present, receives one JSON line per scored image (time, model and its hash, image SHA-256,
   *     score, verdict): an append-only record of what was decided
   * @param maxBatch most images gathered from concurrent requests into one backbone call; 1 turns batching off
   * @param maxDelayMillis the longest a gathered batch waits for requests still decoding to join it (it waits only
   *     while some are)
   * @throws IllegalArgumentException naming the bad value
   */
  public ServeConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no model to serve");
    }
    for (String name : models.keySet()) {
      requireName(name);
    }
    backbones = List.copyOf(backbones);
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(audit, "audit");
    if (maxBatch < 1 || maxBatch > 1024) {
      throw new IllegalArgumentException("maxBatch must be between 1 and 1024, got " + maxBatch);
    }
    if (maxDelayMillis < 0 || maxDelayMillis > 10_000) {
      throw new IllegalArgumentException("maxDelayMillis must be between 0 and 10000, got " + maxDelayMillis);
    }
  }

  /**
   * Checks a model name.
   *
   * @param name a model name
   * @return the name
   * @throws IllegalArgumentException when it is not 1 to 64 letters, digits, '.', '_' or '-' starting with a letter
   *     or digit (the message does not echo it)
   */
  public static String requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a model name must be 1 to 64 letters, digits, '.', '_' or '-', starting "
          + "with a letter or digit");
    }
    return name;
  }
}
