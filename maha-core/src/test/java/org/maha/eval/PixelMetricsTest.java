package org.maha.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PixelMetricsTest {
  static Stream<JsonNode> referenceCases() {
    return Fixtures.cases("pixel_cases.json").stream();
  }

  private static PixelMetrics.Result compute(JsonNode c) {
    PixelMetrics metrics = new PixelMetrics(PixelMetrics.MAX_PIXELS);
    for (JsonNode image : c.get("images")) {
      int w = image.get("width").asInt();
      int h = image.get("height").asInt();
      double[] scores = Fixtures.vector(image.get("scores"));
      float[] map = new float[scores.length];
      boolean[] mask = new boolean[scores.length];
      for (int i = 0; i < map.length; i++) {
        map[i] = (float) scores[i]; // the fixture holds float32 values, exactly
        mask[i] = image.get("mask").get(i).asInt() != 0;
      }
      metrics.add(map, mask, w, h);
    }
    return metrics.result(PixelMetrics.PAPER_FPR_LIMIT);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("referenceCases")
  void matchesSklearnAurocAndProFromItsDefinition(JsonNode c) {
    PixelMetrics.Result r = compute(c);
    String name = c.get("name").asText();
    assertThat(r.regions()).as(name).isEqualTo(c.get("regions").asInt());
    assertThat(r.defectPixels()).as(name).isEqualTo(c.get("defect_pixels").asLong());
    if (c.has("auroc")) {
      // sklearn integrates trapezoids in float64, maha divides exact counts: rounding only.
      assertThat(r.auroc().getAsDouble()).as(name).isCloseTo(c.get("auroc").asDouble(), within(1e-12));
      // Same curve points, summed in a different order (per pixel vs per threshold): rounding only.
      assertThat(r.aupro().getAsDouble()).as(name).isCloseTo(c.get("aupro").asDouble(), within(1e-12));
    } else {
      assertThat(r.auroc()).as(name).isEmpty();
      assertThat(r.aupro()).as(name).isEmpty();
    }
  }

  @Test
  void constantMapGivesTheDiagonal() {
    boolean[] mask = {true, true, false, false, false, false};
    PixelMetrics m = new PixelMetrics(100);
    m.add(new float[] {2, 2, 2, 2, 2, 2}, mask, 3, 2);
    PixelMetrics.Result r = m.result(0.3);
    assertThat(r.auroc().getAsDouble()).isEqualTo(0.5);
    // the curve is the line PRO = FPR: area 0.3²/2 = 0.045, normalised 0.15
    assertThat(r.aupro().getAsDouble()).isCloseTo(0.15, within(1e-15));
  }

  @Test
  void splittingImagesDoesNotChangeTheMetrics() {
    Random rnd = new Random(7);
    int w = 16;
    int h = 12;
    float[] map = new float[w * h];
    boolean[] mask = new boolean[w * h];
    for (int i = 0; i < map.length; i++) {
      mask[i] = (i % w) > 10 && (i / w) < 5;
      map[i] = (float) (rnd.nextGaussian() + (mask[i] ? 1 : 0));
    }
    PixelMetrics whole = new PixelMetrics(1000);
    whole.add(map, mask, w, h);
    // the same pixels as two images split between rows 5 and 6 (the region lies in rows 0..4 only)
    PixelMetrics split = new PixelMetrics(1000);
    split.add(java.util.Arrays.copyOfRange(map, 0, 6 * w), java.util.Arrays.copyOfRange(mask, 0, 6 * w), w, 6);
    split.add(java.util.Arrays.copyOfRange(map, 6 * w, h * w), java.util.Arrays.copyOfRange(mask, 6 * w, h * w), w, 6);
    assertThat(split.result(0.3)).isEqualTo(whole.result(0.3));
  }

  @Test
  void negativeZeroTiesWithZero() {
    boolean[] mask = {true, false};
    PixelMetrics m = new PixelMetrics(10);
    m.add(new float[] {0.0f, -0.0f}, mask, 2, 1);
    assertThat(m.result(0.3).auroc().getAsDouble()).isEqualTo(0.5);
  }

  @Test
  void refusesPixelsBeyondTheLimitBeforeAllocating() {
    PixelMetrics m = new PixelMetrics(10);
    m.add(new float[6], new boolean[6], 3, 2);
    assertThatThrownBy(() -> m.add(new float[6], new boolean[6], 3, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limited to 10 pixels");
    assertThat(m.pixels()).isEqualTo(6);
    assertThatThrownBy(() -> new PixelMetrics(PixelMetrics.MAX_PIXELS + 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesNonFiniteScoresAndSizeMismatch() {
    PixelMetrics m = new PixelMetrics(100);
    assertThatThrownBy(() -> m.add(new float[] {1, Float.NaN}, new boolean[2], 2, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixel 1");
    assertThatThrownBy(() -> m.add(new float[4], new boolean[3], 2, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x 2");
    assertThatThrownBy(() -> m.result(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(m.pixels()).isZero();
  }

  @Test
  void regionsAreEightConnectedAndNumberedLikeScipy() {
    boolean[] mask = {
      true, false, false, true,
      false, true, false, false,
      false, false, false, true,
      true, false, true, true};
    Regions r = Regions.label(mask, 4, 4);
    assertThat(r.count()).isEqualTo(4);
    assertThat(r.labels()).containsExactly(1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 3, 4, 0, 3, 3);
  }
}
