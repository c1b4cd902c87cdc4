package org.maha.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.maha.model.AnomalyScore;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;
import org.maha.tiles.MapStitcher;
import org.maha.tiles.TileScores;
import org.maha.tiles.Tiling;

/**
 * Fit, calibrate and score with tiling ({@link Tiling}): every tile of a good image is one training vector of the
 * paper's image model (and of the map model); an image's score is the maximum over its tiles
 * ({@link TileScores}); its map is its tiles' maps stitched ({@link MapStitcher}). Streams like {@link Jobs}:
 * tiles of several images share batches, and only the images in flight are held.
 */
public final class TileJobs {
  private TileJobs() {}

  /** Scores and tile counts of a tiled run, in input order, and the images left out. */
  public record TiledOutcome(List<ScoredImage> scores, List<Integer> tiles, List<Skipped> skipped) {}

  /**
   * Fits the image model on every tile of {@code images} (all good), as {@link Jobs#fit} does on whole images.
   * The model's training count is the number of tiles.
   */
  public static Jobs.FitOutcome fit(FeatureExtractor extractor, FeatureExtractor.ImageSource images, Tiling tiling,
      Variant variant, String trainSource, String backboneFile, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    TiledImages tiles = new TiledImages(images, tiling);
    return Jobs.fit(extractor, tiles, variant, trainSource, backboneFile, skipUnreadable, null,
        tiles.imageProgress(progress, Math.max(0, images.size())));
  }

  /** As {@link MapJobs#fit}, every tile of {@code images} a training image of both models. */
  public static MapJobs.MapFitOutcome fitWithMaps(FeatureExtractor extractor, FeatureExtractor.ImageSource images,
      Tiling tiling, Variant variant, String trainSource, String backboneFile, MapSettings settings,
      boolean skipUnreadable, ProgressListener progress) throws Exception {
    TiledImages tiles = new TiledImages(images, tiling);
    return MapJobs.fit(extractor, tiles, variant, trainSource, backboneFile, settings, skipUnreadable,
        tiles.imageProgress(progress, Math.max(0, images.size())));
  }

  /**
   * Scores {@code images} tile by tile: each result is the image's {@link TileScores#max} as an
   * {@link AnomalyScore} (combined score = the maximum over tiles of the tiles' combined scores; level distances
   * = each level's maximum over tiles).
   */
  public static TiledOutcome score(FeatureExtractor extractor, GaussianAdModel model,
      FeatureExtractor.ImageSource images, Tiling tiling, boolean skipUnreadable, ProgressListener progress)
      throws Exception {
    TiledImages tiles = new TiledImages(images, tiling);
    List<ScoredImage> out = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    ImageTiles current = new ImageTiles();
    List<Skipped> skipped = extractor.extract(tiles, skipUnreadable, "score", tiles.imageProgress(progress,
        Math.max(0, images.size())), (i, p, f) -> {
          TiledImages.Position at = tiles.next();
          current.add(model.score(f));
          if (at.last()) {
            out.add(new ScoredImage(at.image(), current.combined()));
            counts.add(at.grid().size());
            current.clear();
          }
        });
    return new TiledOutcome(out, counts, skipped);
  }

  /**
   * Scores {@code images} tile by tile with their stitched anomaly maps: the sink gets each image (in input order)
   * with its {@link #score} result and the map of its whole size, each tile's {@link MapModel#map} placed at its
   * origin and overlaps averaged. Per image in flight, 12 bytes per pixel.
   */
  public static List<Skipped> scoreWithMaps(FeatureExtractor extractor, GaussianAdModel model, MapModel maps,
      FeatureExtractor.ImageSource images, Tiling tiling, boolean skipUnreadable, ProgressListener progress,
      MapJobs.MappedSink sink) throws Exception {
    TiledImages tiles = new TiledImages(images, tiling);
    ImageTiles current = new ImageTiles();
    MapStitcher[] stitcher = new MapStitcher[1];
    int[] index = {0};
    return MapJobs.score(extractor, model, maps, tiles, skipUnreadable, tiles.imageProgress(progress,
        Math.max(0, images.size())), (i, tile) -> {
          TiledImages.Position at = tiles.next();
          if (stitcher[0] == null) {
            stitcher[0] = new MapStitcher(at.grid().width(), at.grid().height());
          }
          stitcher[0].add(at.tile(), tile.map());
          current.add(tile.score());
          if (at.last()) {
            double[] map = stitcher[0].map();
            stitcher[0] = null;
            AnomalyScore s = current.combined();
            current.clear();
            sink.accept(index[0]++, new MapJobs.MappedImage(at.image(), s, map, at.grid().width(),
                at.grid().height()));
          }
        });
  }

  /**
   * As {@link Jobs#calibrate}, with each calibration image's score taken from its tiles (so the threshold is on
   * the scale of tiled scores, for images of the calibration images' size).
   */
  public static Jobs.CalibrationOutcome calibrate(FeatureExtractor extractor, GaussianAdModel model,
      FeatureExtractor.ImageSource goodImages, Tiling tiling, double targetFpr, String source,
      boolean skipUnreadable, ProgressListener progress) throws Exception {
    TiledOutcome scored = score(extractor, model, goodImages, tiling, skipUnreadable, progress);
    return Jobs.calibrated(model, scored.scores(), scored.skipped(), targetFpr, source);
  }

  /** One image's tile scores so far. */
  static final class ImageTiles {
    private final List<AnomalyScore> scores = new ArrayList<>();

    void add(AnomalyScore s) {
      scores.add(s);
    }

    void clear() {
      scores.clear();
    }

    /** {@link TileScores#max} of the tiles added, as an {@link AnomalyScore}. */
    AnomalyScore combined() {
      double[] c = new double[scores.size()];
      double[][] d = new double[scores.size()][];
      for (int t = 0; t < c.length; t++) {
        c[t] = scores.get(t).score();
        d[t] = scores.get(t).levelDistances();
      }
      TileScores.Combined m = TileScores.max(c, d);
      return new AnomalyScore(m.score(), m.levels());
    }
  }
}
