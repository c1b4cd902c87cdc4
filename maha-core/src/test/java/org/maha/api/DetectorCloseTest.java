package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.maha.image.TestFrames;

/**
 * {@link Detector#close()} while other threads score: calls in progress finish with the numbers a serial run gives,
 * close returns only after them, and every later call fails with {@link IllegalStateException}; never a freed
 * native session under a running call (which would crash the JVM or fail mid-batch).
 */
class DetectorCloseTest {

  static Detector.Builder tiny() throws Exception {
    return Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").batchSize(4).decodeThreads(2);
  }

  static BufferedImage frame(long seed) {
    return TestFrames.ofType(TestFrames.argb(seed, 40, 30, true), 40, 30, BufferedImage.TYPE_INT_RGB);
  }

  @Test
  void closeWaitsForACallInProgressWhichFinishesWithCorrectScores() throws Exception {
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      frames.add(frame(400 + i));
    }
    List<Score> expected;
    FittedModel model;
    try (Detector reference = tiny().build()) {
      model = reference.fit(Images.of(frames.subList(0, 10)));
      expected = reference.scoreAll(model, Images.of(frames));
    }
    AtomicLong finished = new AtomicLong(); // when the call's last image was done, inside the call
    Detector detector = tiny().progress((task, done, total) -> {
      if (done == frames.size()) {
        finished.set(System.nanoTime());
      }
    }).build();
    CountDownLatch inside = new CountDownLatch(1);
    // a stream that pauses half way: the call is then in progress over several batches of the native session
    Iterable<BufferedImage> slow = () -> new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return next < frames.size();
      }

      @Override
      public BufferedImage next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        if (next == 12) {
          inside.countDown();
          try {
            Thread.sleep(300); // close() is called meanwhile, and must wait
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return frames.get(next++);
      }
    };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Scores> running = pool.submit(() -> detector.scoreAll(model, Images.stream(slow)));
      assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
      detector.close();
      long closed = System.nanoTime();
      Scores scores = running.get(30, TimeUnit.SECONDS);
      assertThat(finished.get()).as("the call finished before close returned").isPositive().isLessThan(closed);
      assertThat(scores).hasSize(frames.size());
      for (int i = 0; i < frames.size(); i++) {
        assertThat(scores.get(i).score()).isEqualTo(expected.get(i).score());
      }
      assertThatThrownBy(() -> detector.score(model, Images.of(frames.get(0))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("Detector is closed");
      detector.close(); // idempotent
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closeDuringEightThreadsOfScoringLeavesOnlyCorrectScoresAndIllegalStateExceptions() throws Exception {
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      frames.add(frame(900 + i));
    }
    Detector detector = tiny().build();
    FittedModel model = detector.fit(Images.of(frames.subList(0, 8)));
    double[] serial = new double[frames.size()];
    for (int i = 0; i < frames.size(); i++) {
      serial[i] = detector.score(model, Images.of(frames.get(i))).score();
    }
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch warm = new CountDownLatch(40);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int offset = t;
      workers.add(pool.submit(() -> {
        int ok = 0;
        for (int i = offset; ; i++) {
          int k = i % frames.size();
          double s;
          try {
            s = k % 3 == 0 ? detector.scoreAll(model, Images.of(frames.get(k), frames.get(k))).get(1).score()
                : detector.score(model, Images.of(frames.get(k))).score();
          } catch (IllegalStateException e) {
            assertThat(e).hasMessageContaining("Detector is closed"); // not the session's: nothing freed under us
            return ok;
          }
          assertThat(s).isEqualTo(serial[k]);
          ok++;
          calls.incrementAndGet();
          warm.countDown();
        }
      }));
    }
    try {
      assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
      detector.close();
      int total = 0;
      for (Future<Integer> w : workers) {
        total += w.get(60, TimeUnit.SECONDS); // rethrows a wrong score or any other exception
      }
      assertThat(total).isEqualTo(calls.get()).isGreaterThanOrEqualTo(40);
    } finally {
      pool.shutdownNow();
    }
  }
}
