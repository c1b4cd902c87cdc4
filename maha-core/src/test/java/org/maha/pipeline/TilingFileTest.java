package org.maha.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maha.model.GaussianAdModel;
import org.maha.model.ModelFile;
import org.maha.model.ModelFileException;
import org.maha.tiles.Tiling;

/** The tiling section of a model file: round trip, absent in other files, next to the maps, refused when bad. */
class TilingFileTest {
  @TempDir Path dir;

  @Test
  void roundTripsAndLeavesTheModelAsItWas() throws Exception {
    GaussianAdModel model = MapModelFileTest.imageModel();
    Path tiled = dir.resolve("tiled.maha");
    Path plain = dir.resolve("plain.maha");
    ModelFile.write(model, tiled, List.of(TilingFile.section(new Tiling(224, 32))));
    ModelFile.write(model, plain);
    assertThat(TilingFile.read(tiled)).contains(new Tiling(224, 32));
    assertThat(TilingFile.read(plain)).isEmpty();
    // the image model reads the same from both
    double[][] x = {{1, 2, 0.5, -1}, {1, 1.5, 0.2, 2, 1, 0.3, 1.1}};
    assertThat(ModelFile.read(tiled).score(x).levelDistances())
        .containsExactly(ModelFile.read(plain).score(x).levelDistances());
  }

  @Test
  void sitsBesideTheMapSection() throws Exception {
    GaussianAdModel model = MapModelFileTest.imageModel();
    Path f = dir.resolve("both.maha");
    MapModelFile.write(model, MapModelFileTest.mapModel(), null, f, List.of(TilingFile.section(new Tiling(64, 0))));
    assertThat(TilingFile.read(f)).contains(new Tiling(64, 0));
    assertThat(MapModelFile.read(f).maps()).isNotNull();
  }

  @Test
  void refusesOutOfRangeOrUnknownRules() throws Exception {
    GaussianAdModel model = MapModelFileTest.imageModel();
    for (ObjectNode bad : List.of(node(224, 224, TilingFile.RULE), node(4, 0, TilingFile.RULE),
        node(224, 0, "mean over tiles"), JsonNodeFactory.instance.objectNode().put("size", "big"))) {
      Path f = dir.resolve("bad.maha");
      ModelFile.write(model, f, List.of(new ModelFile.Section(TilingFile.KEY, bad, Map.of())));
      assertThatThrownBy(() -> TilingFile.read(f)).isInstanceOf(ModelFileException.class)
          .hasMessageStartingWith(f + ": tiling: ").hasMessageNotContaining("\n");
    }
  }

  private static ObjectNode node(int size, int overlap, String rule) {
    return JsonNodeFactory.instance.objectNode().put("size", size).put("overlap", overlap).put("imageScore", rule);
  }
}
