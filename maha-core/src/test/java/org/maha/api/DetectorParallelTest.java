package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Detector.Builder#parallelImages}: fitting and scoring with several inference calls at once gives the model
 * and the scores of one call at a time, to the last bit (both with one ONNX Runtime thread per call).
 */
class DetectorParallelTest {
  private static Detector.Builder tiny() throws Exception {
    return Detector.builder().onnx(ApiFixtures.tinyCnn()).levels("s1", "s2", "pooled").threads(1);
  }

  @Test
  void parallelImagesFitAndScoreAsOneAtATime() throws Exception {
    List<byte[]> train = ApiFixtures.pngs(1, 21);
    List<byte[]> test = ApiFixtures.pngs(200, 9);
    double[] a;
    double[] b;
    FittedModel one;
    try (Detector d = tiny().batchSize(1).build()) {
      one = d.fit(Images.encoded(train));
      a = d.scoreAll(one, Images.encoded(test)).stream().mapToDouble(Score::score).toArray();
    }
    try (Detector d = tiny().batchSize(2).parallelImages(3).build()) {
      FittedModel par = d.fit(Images.encoded(train));
      b = d.scoreAll(par, Images.encoded(test)).stream().mapToDouble(Score::score).toArray();
      assertThat(d.scoreAll(one, Images.encoded(test)).stream().mapToDouble(Score::score).toArray())
          .as("the first detector's model, scored in parallel").containsExactly(a);
    }
    assertThat(b).containsExactly(a);
    assertThatThrownBy(() -> Detector.builder().parallelImages(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parallelImages");
  }
}
