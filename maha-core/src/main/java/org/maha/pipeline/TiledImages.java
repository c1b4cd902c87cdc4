package org.maha.pipeline;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.maha.image.RgbImage;
import org.maha.tiles.Tile;
import org.maha.tiles.TileGrid;
import org.maha.tiles.Tiling;

/**
 * The tiles of images, as a stream of images for {@link FeatureExtractor}: each image of the wrapped source is
 * decoded once (on the thread pulling {@link #items()}), cut by its {@link TileGrid}, and its tiles follow as
 * items named by the image (cropped on the decoding threads, then resized to the backbone input like any image).
 * Tiles of many images share batches. An image that cannot be decoded, or needs more than
 * {@link Tiling#MAX_TILES} tiles, becomes one failing item, so the extraction skips it (with
 * {@code skipUnreadable}) or stops on it as on any unreadable file.
 *
 * <p>The sink of the extraction, called in input order on the same thread, takes each tile's place with
 * {@link #next()}. Single use: one extraction per instance. Memory: the decoded images whose tiles are in flight
 * (the extraction's window of items ahead).
 */
public final class TiledImages implements FeatureExtractor.ImageSource {
  /** Where one tile of the extraction's output belongs: its image, the image's grid, the tile, and whether last. */
  public record Position(Path image, TileGrid grid, Tile tile, boolean last) {}

  private record Cut(Path image, TileGrid grid) {}

  private final FeatureExtractor.ImageSource images;
  private final Tiling tiling;
  /** Images whose tiles were handed out and not yet all placed by {@link #next()}, in order. */
  private final Deque<Cut> cuts = new ArrayDeque<>();
  /** Cumulative items handed out at the end of each image (its tiles, or 1 for a failing image). */
  private final List<Long> itemEnds = new ArrayList<>();
  private int placed;
  private long tiles;
  private boolean started;

  public TiledImages(FeatureExtractor.ImageSource images, Tiling tiling) {
    this.images = images;
    this.tiling = tiling;
  }

  public Tiling tiling() {
    return tiling;
  }

  /** A stream: the number of tiles is known only once each image is decoded. */
  @Override
  public int size() {
    return UNKNOWN_SIZE;
  }

  @Override
  public Path name(int i) {
    throw new UnsupportedOperationException("tiles are a stream: read them through items()");
  }

  @Override
  public RgbImage decode(int i) {
    throw new UnsupportedOperationException("tiles are a stream: read them through items()");
  }

  /** Tiles handed out so far (all of them once the extraction is over). */
  public long tiles() {
    return tiles;
  }

  @Override
  public Iterator<FeatureExtractor.Item> items() {
    if (started) {
      throw new IllegalStateException("the tiles of these images were already read");
    }
    started = true;
    Iterator<FeatureExtractor.Item> source = images.items();
    return new Iterator<>() {
      private final Deque<FeatureExtractor.Item> ready = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && source.hasNext()) {
          cut(source.next());
        }
        return !ready.isEmpty();
      }

      @Override
      public FeatureExtractor.Item next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }

      private void cut(FeatureExtractor.Item item) {
        Path name = item.name();
        long before = itemEnds.isEmpty() ? 0 : itemEnds.get(itemEnds.size() - 1);
        RgbImage image;
        TileGrid grid;
        try {
          image = item.decoder().decode();
          try {
            grid = tiling.grid(image.width(), image.height());
          } catch (IllegalArgumentException e) {
            throw new InputException(name, e.getMessage());
          }
        } catch (InputException e) {
          ready.add(new FeatureExtractor.Item(name, () -> {
            throw e;
          }));
          itemEnds.add(before + 1);
          return;
        }
        cuts.add(new Cut(name, grid));
        for (Tile t : grid.tiles()) {
          ready.add(new FeatureExtractor.Item(name, () -> image.crop(t.x(), t.y(), t.width(), t.height())));
        }
        tiles += grid.size();
        itemEnds.add(before + grid.size());
      }
    };
  }

  /**
   * The place of the next tile that reached the extraction's sink (call once per sink call, in order).
   *
   * @throws IllegalStateException when more tiles are placed than were handed out
   */
  public Position next() {
    Cut c = cuts.peek();
    if (c == null) {
      throw new IllegalStateException("a tile arrived that was never handed out");
    }
    Tile t = c.grid().tile(placed++);
    boolean last = placed == c.grid().size();
    if (last) {
      cuts.poll();
      placed = 0;
    }
    return new Position(c.image(), c.grid(), t, last);
  }

  /**
   * {@code outer} told of images finished instead of tiles: the extraction reports items (tiles) done with an
   * unknown total; this counts an image done when its last tile (or its failure) is, out of {@code totalImages}
   * (0 if unknown).
   */
  public ProgressListener imageProgress(ProgressListener outer, long totalImages) {
    return (task, done, total) -> {
      int lo = 0;
      int hi = itemEnds.size();
      while (lo < hi) { // images whose last item is done: ends <= done
        int mid = (lo + hi) >>> 1;
        if (itemEnds.get(mid) <= done) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      outer.progress(task + " (images, " + tiling.describe() + ")", lo, totalImages);
    };
  }
}
