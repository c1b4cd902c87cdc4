package org.maha.catalog;

import java.net.URI;

/**
 * Receives download progress so a caller can draw a progress bar; the library itself never prints. Methods are
 * called on the thread that called {@link WeightCache#fetch}, never concurrently, roughly ten times a second.
 */
@FunctionalInterface
public interface DownloadListener {

  /** Ignores everything. */
  DownloadListener NONE = (bytesDone, bytesTotal) -> { };

  /**
   * Bytes of the file on disk so far (including a resumed part) and the file's full length, or -1 when the server
   * did not say.
   */
  void progress(long bytesDone, long bytesTotal);

  /** A request to {@code url} is about to be sent; {@code resumeFrom} &gt; 0 when it asks for the rest of a part. */
  default void started(CatalogEntry entry, URI url, long resumeFrom) {
  }
}
