package org.maha.pipeline;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.maha.image.RgbImage;
import org.maha.model.ImageSetDigest;

/**
 * The {@link ImageSetDigest} of the images an extraction actually used: {@link #wrap} a source so that each image's
 * content SHA-256 is computed on the decoding thread as it is decoded, and call {@link #accept} from the sink for
 * each image whose features were taken. Skipped images never reach the sink, so they are not counted. Hashes wait
 * here only between decode and sink, so memory is bounded by the extraction's decode-ahead window.
 *
 * <p>Not thread-safe for {@link #accept} (the extraction calls its sink on one thread, in order).
 */
public final class ImageDigests {
  private final ConcurrentHashMap<Integer, byte[]> pending = new ConcurrentHashMap<>();
  private ImageSetDigest digest = ImageSetDigest.EMPTY;

  /**
   * {@code inner}, hashing each image as it is decoded. Image {@code i} (by index, or the i-th of
   * {@link FeatureExtractor.ImageSource#items()}) is what the extraction's sink calls index {@code i}.
   */
  public FeatureExtractor.ImageSource wrap(FeatureExtractor.ImageSource inner) {
    return new FeatureExtractor.ImageSource() {
      @Override
      public int size() {
        return inner.size();
      }

      @Override
      public Path name(int i) {
        return inner.name(i);
      }

      @Override
      public RgbImage decode(int i) throws InputException {
        return hashed(i, inner.decode(i));
      }

      @Override
      public Iterator<FeatureExtractor.Item> items() {
        Iterator<FeatureExtractor.Item> items = inner.items();
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return items.hasNext();
          }

          @Override
          public FeatureExtractor.Item next() {
            FeatureExtractor.Item item = items.next();
            int i = next++;
            return new FeatureExtractor.Item(item.name(), () -> hashed(i, item.decoder().decode()));
          }
        };
      }
    };
  }

  private RgbImage hashed(int i, RgbImage image) {
    pending.put(i, image.contentSha256());
    return image;
  }

  /** Counts image {@code i}, whose features the sink just took. */
  public void accept(int i) {
    byte[] sha = pending.remove(i);
    if (sha == null) {
      throw new IllegalStateException("image " + i + " reached the sink without being decoded through the digest");
    }
    digest = digest.plus(sha);
  }

  /** The digest of every image {@link #accept}ed so far. */
  public ImageSetDigest digest() {
    return digest;
  }
}
