package org.maha.serve;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.maha.api.Detector;
import org.maha.api.Images;
import org.maha.api.MahaException;
import org.maha.api.PreparedImages;
import org.maha.api.Score;
import org.maha.api.Scores;
import org.maha.api.StageTimings;

/**
 * Dynamic micro-batching for one backbone session: requests decode their own images on their own threads
 * ({@link Detector#prepare}), so decoding runs beside the backbone, then queue here; each of {@link #WORKERS} worker
 * threads gathers what is queued, up to {@code maxBatch} images, and scores each model's share with one
 * {@link Detector#scoreAll(org.maha.api.FittedModel, PreparedImages)} call, so the backbone runs full batches instead
 * of one image per client. The gathering window is adaptive: after taking what is queued, the worker waits (at most
 * {@code maxDelay}) only while other requests are still decoding and so about to join; when none is, the batch
 * runs at once, so a lone client never waits for company. A request is never split (one of more than
 * {@code maxBatch} images does not come here: {@link Endpoints} scores it in a call of its own). When a gathered call
 * fails, each request of it is scored alone, so only the failing request fails.
 */
final class MicroBatcher implements AutoCloseable {
  /** One request's share of a gathered call: its scores, how long it queued, how long its batch took, the batch's
   * size, and the whole gathered call's stage timings. */
  record Result(List<Score> scores, long queuedNanos, long scoringNanos, int batchImages, StageTimings stages) {}

  private record Job(LoadedModel model, PreparedImages images, long enqueued, CompletableFuture<Result> done) {}

  /**
   * Gathered calls in flight at once: two, so that one call's statistics and the answers to its clients overlap the
   * next call's backbone (measured on the shared 2-core machine at 16 clients: 6.4 and 7.3 images/s with two, 5.3
   * and 5.6 with one, in the same runs).
   */
  static final int WORKERS = 2;

  /** How long a worker sleeps between looks at the decoding requests while it waits for them. */
  private static final long WAIT_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final Detector detector;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final IntConsumer batchSizes;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger decoding = new AtomicInteger();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

  MicroBatcher(Detector detector, int maxBatch, long maxDelayMillis, IntConsumer batchSizes) {
    this.detector = detector;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
    this.batchSizes = batchSizes;
    for (int i = 0; i < WORKERS; i++) {
      Thread t = new Thread(this::loop, "maha-batcher-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** How many images one gathered call holds at most (a larger request is scored alone, not through here). */
  int maxBatch() {
    return maxBatch;
  }

  /**
   * Prepares {@code images} on the calling (request) thread, holding one of {@code decoders}' permits while it
   * decodes, and lets the worker know a request is on its way meanwhile, so the gathering window waits for it; the
   * caller then {@link #submit}s the result.
   */
  PreparedImages prepare(Images images, Semaphore decoders) throws MahaException, InterruptedException {
    decoding.incrementAndGet();
    try {
      decoders.acquire(); // more decoders than cores would only take the backbone's CPU
      try {
        return detector.prepare(images);
      } finally {
        decoders.release();
      }
    } finally {
      decoding.decrementAndGet();
    }
  }

  /** Queues {@code images} (prepared by this batcher's detector) for {@code model}. */
  CompletableFuture<Result> submit(LoadedModel model, PreparedImages images) {
    Job j = new Job(model, images, System.nanoTime(), new CompletableFuture<>());
    if (closed) {
      j.done.completeExceptionally(new IllegalStateException("the service is stopping"));
      return j.done;
    }
    queue.add(j);
    return j.done;
  }

  private void loop() {
    Job carried = null; // taken from the queue but did not fit the last batch
    while (!closed || carried != null || !queue.isEmpty()) {
      try {
        Job first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
          continue;
        }
        List<Job> batch = new ArrayList<>();
        batch.add(first);
        int n = first.images.size();
        long deadline = System.nanoTime() + maxDelayNanos;
        while (n < maxBatch) {
          Job next = queue.poll();
          if (next == null) { // nothing queued: wait only while a request is decoding, and not past the deadline
            long wait = deadline - System.nanoTime();
            if (wait <= 0 || decoding.get() == 0) {
              break;
            }
            next = queue.poll(Math.min(wait, WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
            if (next == null) {
              continue;
            }
          }
          if (n + next.images.size() > maxBatch) {
            carried = next;
            break;
          }
          batch.add(next);
          n += next.images.size();
        }
        run(batch, n);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Scores each model's share of {@code batch} in one call, and hands every request its own scores. */
  private void run(List<Job> batch, int images) {
    batchSizes.accept(images);
    long start = System.nanoTime();
    Map<LoadedModel, List<Job>> byModel = new IdentityHashMap<>();
    for (Job j : batch) {
      byModel.computeIfAbsent(j.model, k -> new ArrayList<>()).add(j);
    }
    for (Map.Entry<LoadedModel, List<Job>> e : byModel.entrySet()) {
      List<Job> jobs = e.getValue();
      try {
        Scores scores = detector.scoreAll(e.getKey().model(),
            PreparedImages.concat(jobs.stream().map(Job::images).toList()));
        long took = System.nanoTime() - start;
        int from = 0;
        for (Job j : jobs) {
          j.done.complete(new Result(scores.subList(from, from + j.images.size()), start - j.enqueued, took, images,
              scores.timings()));
          from += j.images.size();
        }
      } catch (MahaException | IllegalArgumentException ex) {
        if (jobs.size() == 1) {
          jobs.get(0).done.completeExceptionally(ex);
        } else {
          for (Job j : jobs) { // find the failing request: each alone
            run(List.of(j), j.images.size());
          }
        }
      } catch (Throwable t) { // out of memory, stopping: every request of it is told
        jobs.forEach(j -> j.done.completeExceptionally(t));
      }
    }
  }

  /** Scores what is queued, then stops the worker. */
  @Override
  public void close() {
    closed = true;
    try {
      for (Thread t : workers) {
        t.join(60_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
