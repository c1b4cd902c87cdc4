package org.maha.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole map path against a PaDiM-style Python pipeline (Ledoit-Wolf in place of cov + 0.01 I). */
class AnomalyMapTest {
  private static float[] grid(JsonNode c, JsonNode levels, int[] channels) {
    List<GridConcat.Level> list = new ArrayList<>();
    for (int i = 0; i < levels.size(); i++) {
      int[] s = MapsFixtures.ints(c.get("shapes").get(i));
      list.add(new GridConcat.Level(MapsFixtures.floats(levels.get(i)), s[0], s[1], s[2]));
    }
    int positions = list.get(0).height() * list.get(0).width();
    return ChannelSubset.select(GridConcat.concatenate(list), positions, channels);
  }

  @Test
  void matchesPadimsTestPathWithLedoitWolfCovariances() throws Exception {
    JsonNode c = MapsFixtures.section("padim").get(0);
    int total = 0;
    for (JsonNode s : c.get("shapes")) {
      total += s.get(0).asInt();
    }
    int[] channels = ChannelSubset.choose(total, c.get("keep").asInt(), c.get("seed").asLong());
    int[] fine = MapsFixtures.ints(c.get("shapes").get(0));
    PositionAccumulator acc = new PositionAccumulator(channels.length, fine[1], fine[2]);
    for (JsonNode image : c.get("train")) {
      acc.add(grid(c, image, channels));
    }
    double[] map = AnomalyMap.of(acc.fit(), grid(c, c.get("test"), channels), c.get("image_height").asInt(),
        c.get("image_width").asInt(), GaussianSmoothing.PADIM_SIGMA_PX);
    double[] expected = MapsFixtures.doubles(c.get("out"));
    // N = 30 rows, 7 channels: the Cholesky vs numpy solve rounding dominates, far below 1e-9 relative
    assertThat(map).containsExactly(expected, within(1e-9 * MapsFixtures.maxAbs(expected)));
  }
}
