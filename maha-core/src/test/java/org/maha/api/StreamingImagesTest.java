package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.image.TestFrames;

/**
 * Images from an {@link Iterable} or a {@link java.util.stream.Stream} are read as the detector goes, never all at
 * once: a generator of 5000 frames is never more than the decode-ahead window ahead of what has been scored, and
 * streamed images give the numbers their lists give, to the last bit.
 */
class StreamingImagesTest {
  static final int BATCH = 16;
  static final int DECODE_THREADS = 2;
  /** FeatureExtractor's decode-ahead window, max(2 × batch, 4 × decode threads): all a stream may be ahead. */
  static final int WINDOW = Math.max(2 * BATCH, 4 * DECODE_THREADS);

  @TempDir static Path dir;
  static Detector detector;
  static FittedModel model;
  static final AtomicLong scored = new AtomicLong();

  @BeforeAll
  static void fit() throws Exception {
    detector = Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").batchSize(BATCH)
        .decodeThreads(DECODE_THREADS).progress((task, done, total) -> scored.set(done)).build();
    model = detector.fit(Images.of(frames(100, 12)));
  }

  @AfterAll
  static void close() {
    if (detector != null) {
      detector.close();
    }
  }

  static BufferedImage frame(long seed) {
    return TestFrames.ofType(TestFrames.argb(seed, 40, 30, true), 40, 30, BufferedImage.TYPE_3BYTE_BGR);
  }

  static List<BufferedImage> frames(long seed, int n) {
    List<BufferedImage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(frame(seed + i));
    }
    return out;
  }

  /** Makes frames on demand and records how far ahead of the scored count its consumer ever got. */
  static final class Generator implements Iterable<BufferedImage> {
    final int count;
    long produced;
    long maxAhead;

    Generator(int count) {
      this.count = count;
    }

    @Override
    public Iterator<BufferedImage> iterator() {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return produced < count;
        }

        @Override
        public BufferedImage next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          produced++;
          maxAhead = Math.max(maxAhead, produced - scored.get());
          return frame(7000 + produced % 50);
        }
      };
    }
  }

  @Test
  void fiveThousandGeneratedFramesAreScoredWithAtMostTheDecodeWindowInMemory() throws Exception {
    Generator frames = new Generator(5000);
    Scores scores = detector.scoreAll(model, Images.stream(frames));
    assertThat(scores).hasSize(5000);
    assertThat(frames.produced).isEqualTo(5000);
    // a list would have been 5000 ahead; a stream is at most the window ahead of the scored images
    assertThat(frames.maxAhead).isPositive().isLessThanOrEqualTo(WINDOW);
    assertThat(scores.get(4999).name()).isEqualTo("frame-4999");
    // the same frame (every 50th) scores the same wherever it is in the stream and in its batch
    assertThat(scores.get(4999).score()).isEqualTo(scores.get(49).score());
  }

  @Test
  void streamsScoreAndFitExactlyAsListsDo() throws Exception {
    List<BufferedImage> probes = frames(300, 37); // two full batches and a partial one
    Scores fromList = detector.scoreAll(model, Images.of(probes));
    Scores fromStream = detector.scoreAll(model, Images.stream(probes.stream()));
    Scores fromIterable = detector.scoreAll(model, Images.stream((Iterable<BufferedImage>) probes));
    List<byte[]> encoded = probes.stream().map(TestFrames::png).toList();
    Scores fromBytes = detector.scoreAll(model, Images.streamEncoded(encoded.stream()));
    for (int i = 0; i < probes.size(); i++) {
      for (Scores s : List.of(fromStream, fromIterable, fromBytes)) {
        assertThat(Double.doubleToRawLongBits(s.get(i).score())).isEqualTo(
            Double.doubleToRawLongBits(fromList.get(i).score()));
        assertThat(s.get(i).name()).isEqualTo(fromList.get(i).name());
      }
    }
    FittedModel fromStreamFit = detector.fit(Images.stream(frames(100, 12).stream()));
    Score a = detector.score(model, Images.of(frame(5)));
    Score b = detector.score(fromStreamFit, Images.of(frame(5)));
    assertThat(Double.doubleToRawLongBits(b.score())).isEqualTo(Double.doubleToRawLongBits(a.score()));
  }

  @Test
  void streamedFilesAreNamedByPathAndUnreadableOnesAreSkippedWhenAsked() throws Exception {
    Path good = dir.resolve("a.png");
    Files.write(good, TestFrames.png(frame(1)));
    Path bad = Files.writeString(dir.resolve("b.png"), "not a png");
    Scores s = detector.scoreAll(model, Images.streamFiles(List.of(good, bad, good)).skippingUnreadable());
    assertThat(s).extracting(Score::name).containsExactly(good.toString(), good.toString());
    assertThat(s.skipped()).extracting(Skipped::name).containsExactly(bad.toString());
    assertThatThrownBy(() -> detector.scoreAll(model, Images.streamFiles(List.of(good, bad))))
        .isInstanceOf(MahaException.class).hasMessageContaining("b.png");
  }

  @Test
  void aStreamIsReadOnceAndCannotBeAugmentedOrScoredAsOneImage() throws Exception {
    Images once = Images.stream(IntStream.range(0, 3).mapToObj(StreamingImagesTest::frame));
    assertThat(detector.scoreAll(model, once)).hasSize(3);
    assertThatThrownBy(() -> detector.scoreAll(model, once)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stream");
    assertThatThrownBy(() -> detector.fit(Images.stream(frames(1, 4)),
        FitOptions.defaults().withAugmentation(2, 0, "default")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a stream");
    assertThatThrownBy(() -> detector.score(model, Images.stream(frames(1, 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scoreAll");
  }
}
