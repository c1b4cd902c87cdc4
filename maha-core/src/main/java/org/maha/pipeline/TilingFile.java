package org.maha.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.maha.model.ModelFile;
import org.maha.model.ModelFileException;
import org.maha.tiles.Tiling;

/**
 * The tiling a model was fitted with, in its {@code .maha} file: the manifest's optional {@code tiling} section
 * ({@link ModelFile.Section}, no entries of its own) holding the tile size, the overlap and the rule that makes an
 * image's score from its tiles. A model fitted on tiles scores tiles: {@code maha score} reads the section before
 * the model and cuts images the same way. Files without the section (every file written before tiling, and every
 * untiled fit) are unchanged and load as before; a maha that does not know the section loads the image model and
 * ignores it.
 */
public final class TilingFile {
  public static final String KEY = "tiling";
  /** The image score rule recorded with the tiling ({@link org.maha.tiles.TileScores}). */
  public static final String RULE = "max over tiles of the combined score; per level, max over tiles";

  private TilingFile() {}

  /** The section recording {@code tiling}. */
  public static ModelFile.Section section(Tiling tiling) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("size", tiling.size());
    n.put("overlap", tiling.overlap());
    n.put("imageScore", RULE);
    return new ModelFile.Section(KEY, n, Map.of());
  }

  /**
   * The tiling recorded in {@code file}, empty for a model fitted on whole images.
   *
   * @throws ModelFileException naming the file when its manifest is bad or its tiling out of range
   */
  public static Optional<Tiling> read(Path file) throws ModelFileException {
    JsonNode n = ModelFile.manifestField(file, KEY);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isObject() || !n.path("size").canConvertToInt() || !n.path("overlap").canConvertToInt()) {
      throw new ModelFileException(file + ": tiling: size and overlap must be whole numbers");
    }
    if (!RULE.equals(n.path("imageScore").asText())) {
      throw new ModelFileException(file + ": tiling: image score rule '" + n.path("imageScore").asText()
          + "' is not the one this maha knows ('" + RULE + "')");
    }
    try {
      return Optional.of(new Tiling(n.path("size").asInt(), n.path("overlap").asInt()));
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file + ": tiling: " + e.getMessage().replace("--tile-overlap", "overlap")
          .replace("--tile", "size"));
    }
  }
}
