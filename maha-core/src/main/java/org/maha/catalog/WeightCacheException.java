package org.maha.catalog;

/**
 * A weight file could not be had or trusted: offline or unreachable server, HTTP error, wrong hash, unwritable
 * cache folder, missing or damaged local file. The message names the URL or file, the problem, and, for downloads,
 * where to put a file fetched by hand.
 */
public final class WeightCacheException extends Exception {
  private static final long serialVersionUID = 1L;

  public WeightCacheException(String message) {
    super(message);
  }

  public WeightCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
