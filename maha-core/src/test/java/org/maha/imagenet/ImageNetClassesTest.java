package org.maha.imagenet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageNetClassesTest {

  @Test
  void namesAThousandWayOutputDirectlyAndA1001WayOutputAfterItsBackgroundClass() {
    assertThat(ImageNetClasses.className(0, 1000)).isEqualTo("tench");
    assertThat(ImageNetClasses.className(285, 1000)).isEqualTo("Egyptian cat");
    assertThat(ImageNetClasses.className(0, 1001)).isEqualTo("background");
    assertThat(ImageNetClasses.className(286, 1001)).isEqualTo("Egyptian cat");
    assertThat(ImageNetClasses.className(1000, 1001)).isEqualTo("toilet tissue");
    assertThat(ImageNetClasses.className(3, 10)).isEqualTo("class 3");
  }

  @Test
  void softmaxIsStableForLargeScoresAndTopKSortsByProbability() {
    // exp(1000) overflows even a double: a naive softmax would give NaN
    double[] p = ClassRanking.softmax(new float[] {1000f, 1001f, -5f});
    assertThat(p[0]).isCloseTo(1 / (1 + Math.E), within(1e-12));
    assertThat(p[1]).isCloseTo(Math.E / (1 + Math.E), within(1e-12));
    List<ClassRanking.Ranked> top = ClassRanking.topK(p, 2);
    assertThat(top).extracting(ClassRanking.Ranked::index).containsExactly(1, 0);
  }
}
