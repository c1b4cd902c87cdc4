package org.maha.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.maha.model.ModelFileException;
import org.maha.pipeline.TilingFile;
import org.maha.tiles.Tiling;
import picocli.CommandLine.Option;

/**
 * Tiling of large images for `fit`, `score` and `evaluate` (issue 10 item 4): {@code --tile SIZE} cuts each image
 * into SIZE-px tiles at native resolution, {@code --tile-overlap PX} makes neighbours share PX pixels. Ranges in
 * {@link OptionBounds}; overlap below size checked here, before any work.
 */
final class TileOptions {
  @Option(names = "--tile", paramLabel = "SIZE",
      description = {"Cut each image into SIZE x SIZE tiles at native resolution (the backbone input size, e.g. "
          + "224, keeps them unscaled; the last tile of a row or column is flush with the border) and score every "
          + "tile: an image's score is the maximum over its tiles, its map the tiles' maps stitched (overlaps "
          + "averaged). For small defects in large images. fit records it in the model; score uses it."})
  Integer size;

  @Option(names = "--tile-overlap", paramLabel = "PX",
      description = "With --tile: pixels shared by neighbouring tiles, 0 to SIZE - 1 (a defect on a tile border is "
          + "then whole in one tile if it is at most PX wide). Default: 0.")
  Integer overlap;

  /** The tiling asked for, or null without {@code --tile}. */
  Tiling tiling() throws MahaCommand.UsageException {
    if (size == null) {
      if (overlap != null) {
        throw new MahaCommand.UsageException("--tile-overlap: needs --tile SIZE");
      }
      return null;
    }
    try {
      return new Tiling(size, overlap == null ? 0 : overlap);
    } catch (IllegalArgumentException e) {
      throw new MahaCommand.UsageException(e.getMessage());
    }
  }

  /**
   * Refuses a model fitted on tiles in a command that handles whole images only ({@code update}, {@code merge},
   * {@code serve}): its scores are maxima over tiles, and whole images scored against it, or added to it, would
   * mix two scales silently.
   */
  static void refuseTiled(Path model, String command) throws ModelFileException, MahaCommand.UsageException {
    Optional<Tiling> t = TilingFile.read(model);
    if (t.isPresent()) {
      throw new MahaCommand.UsageException(model + ": fitted on tiles (" + t.get().describe() + "); " + command
          + " handles models of whole images only; use `maha fit --tile` and `maha score` for it");
    }
  }
}
