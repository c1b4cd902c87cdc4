package org.maha.serve;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.maha.api.Detector;
import org.maha.api.Images;
import org.maha.api.MahaException;
import org.maha.api.Score;
import org.maha.api.Scores;
import org.maha.api.StageTimings;

/**
 * Dynamic micro-batching for one backbone session: requests from many clients queue here, and one worker thread
 * gathers what is queued (waiting up to {@code maxDelay} after the first for more, up to {@code maxBatch} images)
 * and scores each model's share with one {@link Detector#scoreAll} call, so the backbone runs full batches instead
 * of one image per client. A request is never split, so a large one is a batch of its own. When a gathered call
 * fails (one client's image is unreadable), each request of it is scored alone, so only the bad request fails.
 */
final class MicroBatcher implements AutoCloseable {
  /** What a request gets back: its scores, how long it queued, how long its batch took, and the batch's size. */
  /** One request's share of a gathered call; {@code stages} are the whole gathered call's. */
  record Result(List<Score> scores, long queuedNanos, long scoringNanos, int batchImages, StageTimings stages) {}

  private record Job(LoadedModel model, List<byte[]> images, long enqueued, CompletableFuture<Result> done) {}

  private final Detector detector;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final IntConsumer batchSizes;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private volatile boolean closed;
  private Job carried; // taken from the queue but did not fit the last batch; worker thread only

  MicroBatcher(Detector detector, int maxBatch, long maxDelayMillis, IntConsumer batchSizes) {
    this.detector = detector;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
    this.batchSizes = batchSizes;
    this.worker = new Thread(this::loop, "maha-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues {@code images} for {@code model} (whose detector is this batcher's). */
  CompletableFuture<Result> submit(LoadedModel model, List<byte[]> images) {
    Job j = new Job(model, images, System.nanoTime(), new CompletableFuture<>());
    if (closed) {
      j.done.completeExceptionally(new IllegalStateException("the service is stopping"));
      return j.done;
    }
    queue.add(j);
    return j.done;
  }

  private void loop() {
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
          long wait = deadline - System.nanoTime();
          Job next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
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
      List<byte[]> all = new ArrayList<>();
      jobs.forEach(j -> all.addAll(j.images));
      try {
        Scores scores = detector.scoreAll(e.getKey().model(), Images.encoded(all));
        long took = System.nanoTime() - start;
        int from = 0;
        for (Job j : jobs) {
          j.done.complete(new Result(scores.subList(from, from + j.images.size()), start - j.enqueued, took, images,
              scores.timings()));
          from += j.images.size();
        }
      } catch (MahaException ex) {
        if (jobs.size() == 1) {
          jobs.get(0).done.completeExceptionally(ex);
        } else {
          for (Job j : jobs) { // find the bad request: each alone
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
      worker.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
