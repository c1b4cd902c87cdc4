package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.backbone.BackboneOptions;
import org.maha.backbone.OnnxBackbone;
import org.maha.image.DecodeLimits;
import org.maha.image.TestFrames;

/**
 * {@link BackboneOptions#parallel()}: a pipeline that runs several inference calls at once hands the sink the same
 * features, in the same order, with the same skipped images, as one call at a time; a failing image stops it with
 * its own message, and no call is left running on the session when it returns.
 */
class ParallelRunsTest {
  @TempDir Path dir;

  private static final List<String> LEVELS = List.of("s1", "s2", "pooled");

  private static Path tinyCnn() throws Exception {
    URL onnx = ParallelRunsTest.class.getResource("/org/maha/backbone/tiny_cnn.onnx");
    assertThat(onnx).as("tiny CNN test resource").isNotNull();
    return Path.of(onnx.toURI());
  }

  private List<Path> files(int n, int unreadableAt) throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path p = dir.resolve(String.format("img%02d.png", i));
      if (i == unreadableAt) {
        Files.write(p, new byte[] {'n', 'o', 't'});
      } else {
        Files.write(p, TestFrames.png(TestFrames.ofType(TestFrames.argb(10 + i, 40 + i % 7, 30, true), 40 + i % 7,
            30, BufferedImage.TYPE_INT_RGB)));
      }
      files.add(p);
    }
    return files;
  }

  private record Run(List<Integer> indices, List<Path> names, List<double[][]> features, List<Skipped> skipped) {}

  private static Run run(int parallel, int batch, List<Path> files, boolean skip) throws Exception {
    try (OnnxBackbone b = OnnxBackbone.open(tinyCnn(), new BackboneOptions(LEVELS, null, 1, batch, parallel))) {
      assertThat(b.parallelRuns()).isEqualTo(parallel);
      FeatureExtractor ex = new FeatureExtractor(b, DecodeLimits.DEFAULT, 2);
      List<Integer> indices = new ArrayList<>();
      List<Path> names = new ArrayList<>();
      List<double[][]> features = new ArrayList<>();
      String caller = Thread.currentThread().getName();
      List<Skipped> skipped = ex.extract(files, skip, "test", ProgressListener.NONE, (i, p, f) -> {
        assertThat(Thread.currentThread().getName()).as("the sink runs on the calling thread").isEqualTo(caller);
        indices.add(i);
        names.add(p);
        features.add(f);
      });
      return new Run(indices, names, features, skipped);
    }
  }

  @Test
  void parallelCallsGiveTheSameFeaturesInTheSameOrderAsOneAtATime() throws Exception {
    List<Path> files = files(23, 9);
    for (int batch : new int[] {1, 3}) {
      Run one = run(1, batch, files, true);
      for (int parallel : new int[] {2, 3}) {
        Run par = run(parallel, batch, files, true);
        assertThat(par.indices()).as("batch %d, %d at once", batch, parallel).isEqualTo(one.indices());
        assertThat(par.names()).isEqualTo(one.names());
        assertThat(par.skipped()).isEqualTo(one.skipped()).hasSize(1);
        for (int i = 0; i < one.features().size(); i++) {
          for (int l = 0; l < LEVELS.size(); l++) {
            assertThat(par.features().get(i)[l]).containsExactly(one.features().get(i)[l]);
          }
        }
      }
      assertThat(one.indices()).hasSize(22).doesNotContain(9);
    }
  }

  @Test
  void anUnreadableImageStopsAParallelRunWithItsNameAndLeavesNoCallRunning() throws Exception {
    List<Path> files = files(17, 11);
    assertThatThrownBy(() -> run(2, 1, files, false)).hasMessageContaining("img11.png");
    // every inference thread has ended: none is left to touch the closed session
    Thread.sleep(50);
    assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("maha-infer")
        && t.isAlive())).isEmpty();
  }
}
