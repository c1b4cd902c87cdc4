package org.maha.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service's Prometheus metrics, through Micrometer: requests by route, model and outcome with a latency
 * histogram, images by model and outcome, scoring time by model, verdicts by model, requests waiting for a scoring
 * slot, and the JVM's memory and threads. Model labels are only ever served names (or {@code -}), so a client
 * cannot grow the number of series by inventing names.
 */
final class Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /**
   * @param admitted requests admitted (reading their body, waiting or scoring)
   * @param maxConcurrent how many of them may score at once: the rest wait
   */
  Metrics(java.util.function.IntSupplier admitted, int maxConcurrent) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    io.micrometer.core.instrument.Gauge.builder("maha_requests_in_flight", admitted::getAsInt)
        .description("scoring and model requests admitted: reading their body, waiting or scoring").register(registry);
    io.micrometer.core.instrument.Gauge.builder("maha_requests_waiting",
        () -> Math.max(0, admitted.getAsInt() - maxConcurrent))
        .description("admitted requests beyond the scoring slots: the queue").register(registry);
  }

  /** One finished request. */
  void request(String route, String model, int status, long nanos) {
    Counter.builder("maha_requests").description("HTTP requests by route, model and outcome")
        .tags("route", route, "model", model, "outcome", outcome(status)).register(registry).increment();
    Timer.builder("maha_request_duration").description("HTTP request latency, body read to response")
        .tags("route", route).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** {@code n} images of one request, scored ({@code ok}) or refused. */
  void images(String model, String outcome, int n) {
    Counter.builder("maha_images").description("images by model and outcome").tags("model", model, "outcome", outcome)
        .register(registry).increment(n);
  }

  /** Decoding, backbone and statistics of one request's images. */
  void scoring(String model, long nanos) {
    Timer.builder("maha_scoring_duration").description("time in the detector (decode, backbone, statistics)")
        .tags("model", model).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The stages of one scoring call: decoding (summed over the decode threads), the backbone, the statistics. With
   * micro-batching a gathered call is recorded once per request it served.
   */
  void stages(String model, org.maha.api.StageTimings t) {
    stage(model, "decode", t.decode());
    stage(model, "backbone", t.backbone());
    stage(model, "statistics", t.statistics());
  }

  private void stage(String model, String stage, Duration d) {
    Timer.builder("maha_stage_duration").description("time of a scoring stage: decode (summed over the decode "
        + "threads), backbone, statistics").tags("model", model, "stage", stage).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry).record(d);
  }

  /** One gathered backbone batch of {@code images} images (micro-batching). */
  void batch(int images) {
    io.micrometer.core.instrument.DistributionSummary.builder("maha_batch_images")
        .description("images per gathered backbone call (micro-batching)").publishPercentileHistogram()
        .minimumExpectedValue(1.0).maximumExpectedValue(1024.0).register(registry).record(images);
  }

  /** Time a request waited in the micro-batching queue. */
  void queued(String model, long nanos) {
    Timer.builder("maha_queue_duration").description("time waiting to join a backbone batch").tags("model", model)
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One verdict of a calibrated model. */
  void verdict(String model, String verdict) {
    Counter.builder("maha_verdicts").description("verdicts of calibrated models").tags("model", model, "verdict",
        verdict).register(registry).increment();
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }

  static String outcome(int status) {
    if (status < 400) {
      return "ok";
    }
    if (status == 401 || status == 403) {
      return "unauthorized";
    }
    if (status == 503) {
      return "rejected";
    }
    return status < 500 ? "client_error" : "server_error";
  }
}
