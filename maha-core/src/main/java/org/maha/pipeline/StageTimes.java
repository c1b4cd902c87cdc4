package org.maha.pipeline;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of one extraction went, so that a service can say which stage is slow: decoding and preprocessing
 * (summed over the decode threads, which run in parallel with each other and with inference, so it may exceed the
 * wall time), the backbone's inference calls, and what the caller does with the features (the statistics: the
 * Mahalanobis scores, or the accumulators when fitting). Thread-safe adders.
 */
public final class StageTimes {
  private final LongAdder decode = new LongAdder();
  private final LongAdder backbone = new LongAdder();
  private final LongAdder statistics = new LongAdder();

  void decode(long nanos) {
    decode.add(nanos);
  }

  void backbone(long nanos) {
    backbone.add(nanos);
  }

  void statistics(long nanos) {
    statistics.add(nanos);
  }

  public long decodeNanos() {
    return decode.sum();
  }

  public long backboneNanos() {
    return backbone.sum();
  }

  public long statisticsNanos() {
    return statistics.sum();
  }
}
