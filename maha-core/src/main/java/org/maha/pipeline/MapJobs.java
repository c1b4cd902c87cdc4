package org.maha.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.maha.backbone.Backbone;
import org.maha.backbone.LevelGrid;
import org.maha.maps.ChannelSubset;
import org.maha.maps.PositionAccumulator;
import org.maha.maps.PositionGaussians;
import org.maha.model.AnomalyScore;
import org.maha.model.FitException;
import org.maha.model.GaussianAdFitter;
import org.maha.model.GaussianAdModel;
import org.maha.model.Variant;
import org.maha.stats.NotPositiveDefiniteException;

/**
 * Fit and score with anomaly maps, in memory: one inference run per image gives both the pooled features of the
 * paper's image model (fitted and scored exactly as {@link Jobs} does, so image scores do not change) and the
 * level maps of the {@link MapModel}. Fitting streams the maps into a {@link PositionAccumulator}, so memory does
 * not grow with the number of training images ({@link MapSettings#fitBytes}).
 */
public final class MapJobs {
  private MapJobs() {}

  /** The image model (with its skipped files and warnings) and the map model fitted on the same images. */
  public record MapFitOutcome(Jobs.FitOutcome image, MapModel maps) {}

  /**
   * One scored image: the image model's score and its anomaly map ({@link MapModel#map}), row-major
   * {@code height × width}, the image's size as decoded.
   */
  public record MappedImage(Path path, AnomalyScore score, double[] map, int width, int height) {}

  /** Receives each scored image in input order. */
  @FunctionalInterface
  public interface MappedSink {
    void accept(int index, MappedImage image) throws Exception;
  }

  /**
   * Fits the image model (as {@link Jobs#fit(FeatureExtractor, FeatureExtractor.ImageSource, Variant, String,
   * String, boolean, ProgressListener)}) and a map model with {@code settings} on {@code images}, all assumed
   * normal, in one pass. The map fit's memory is checked against the heap before any image is read.
   *
   * @throws FitException when the settings do not fit the backbone (no such level, no default level), the map fit
   *     would not fit in this heap, fewer than 2 images are readable, or a position's covariance cannot be
   *     factorised
   * @throws UnsupportedOperationException when the extractor's backbone gives no maps
   */
  public static MapFitOutcome fit(FeatureExtractor extractor, FeatureExtractor.ImageSource images, Variant variant,
      String trainSource, String backboneFile, MapSettings settings, boolean skipUnreadable,
      ProgressListener progress) throws Exception {
    Backbone backbone = extractor.backbone();
    List<LevelGrid> backboneGrids = backbone.levelGrids();
    int[] mapLevels = settings.levelIndices(backbone.spec(), backboneGrids);
    List<String> levelNames = IntStream.of(mapLevels).mapToObj(backbone.spec().levelNames()::get).toList();
    List<LevelGrid> grids = IntStream.of(mapLevels).mapToObj(backboneGrids::get).toList();
    int total = MapModel.concatenated(grids);
    int[] channels = ChannelSubset.choose(total, Math.min(settings.channels(), total), settings.seed());
    LevelGrid first = grids.get(0);
    long bytes = MapSettings.fitBytes(first.positions(), channels.length);
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap) {
      throw new FitException("anomaly maps on a " + first.height() + " x " + first.width() + " grid with "
          + channels.length + " channels need about " + (bytes >> 20) + " MB to fit, more than this Java heap ("
          + (heap >> 20) + " MB); keep fewer map channels or give Java more memory (e.g. MAHA_JAVA_OPTS=-Xmx8g)");
    }
    GaussianAdFitter fitter = new GaussianAdFitter(backbone.spec(), backboneFile, variant);
    PositionAccumulator positions = new PositionAccumulator(channels.length, first.height(), first.width());
    ImageDigests digests = new ImageDigests();
    List<Skipped> skipped = extractor.extractWithMaps(digests.wrap(images), mapLevels, skipUnreadable,
        "fit: features and maps", progress, (i, p, f, maps, w, h) -> {
          fitter.add(f);
          digests.accept(i);
          positions.add(MapModel.embed(grids, channels, maps));
        });
    fitter.recordImages(digests.digest());
    Jobs.FitOutcome image = Jobs.finish(fitter, skipped, trainSource);
    PositionGaussians gaussians;
    try {
      gaussians = positions.fit();
    } catch (NotPositiveDefiniteException e) {
      throw new FitException(trainSource + ": anomaly maps cannot be fitted (" + e.getMessage() + ")");
    }
    List<Integer> kept = IntStream.of(channels).boxed().toList();
    return new MapFitOutcome(image, new MapModel(levelNames, grids, kept, settings.seed(), settings.sigmaPx(),
        gaussians));
  }

  /**
   * Scores {@code images} with {@code model} (scores exactly as {@link Jobs#score}) and gives each its anomaly map
   * from {@code maps}; the extractor's backbone must be the models'. Per image, the map at the image's size is
   * 8 bytes per pixel, alive until the sink returns unless it keeps it.
   *
   * @return the files left out
   * @throws IllegalArgumentException when the backbone lacks one of the map model's levels or gives it at
   *     another size
   */
  public static List<Skipped> score(FeatureExtractor extractor, GaussianAdModel model, MapModel maps,
      FeatureExtractor.ImageSource images, boolean skipUnreadable, ProgressListener progress, MappedSink sink)
      throws Exception {
    Backbone backbone = extractor.backbone();
    int[] mapLevels = maps.levelIndices(backbone.spec(), backbone.levelGrids());
    int s = backbone.spec().inputSizePx();
    return extractor.extractWithMaps(images, mapLevels, skipUnreadable, "score with maps", progress,
        (i, p, f, levelMaps, w, h) -> sink.accept(i,
            new MappedImage(p, model.score(f), maps.map(levelMaps, s, w, h), w, h)));
  }
}
