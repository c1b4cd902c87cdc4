package org.maha.serve;

/**
 * What one request may cost, checked before the memory is allocated: the body (Content-Length is refused with 413
 * before a byte is read; a chunked body is cut at the limit), the images in it, each image's pixel count (refused
 * from the image header by the decoder), a model upload's size, and how many requests may hold a body at once
 * (scoring plus waiting; beyond it the answer is 503 with Retry-After). So the service's memory is bounded by about
 * {@code (maxConcurrent + maxQueue) * maxBodyBytes} plus the models, whatever clients send. Open connections are
 * bounded too ({@code maxConnections}): beyond them the server stops accepting until one closes (new clients wait
 * in the kernel's accept queue, idle keep-alive connections are closed sooner), so sockets and their buffers stay
 * bounded under a flood of clients.
 *
 * @param maxBodyBytes largest request body, in bytes
 * @param maxImages most images in one request
 * @param maxPixels largest image, width x height
 * @param maxModelBytes largest model file accepted by {@code PUT /v1/models/{name}}
 * @param maxConcurrent requests scoring at the same time
 * @param maxQueue further requests allowed to wait (holding their bodies) for a scoring slot
 * @param maxConnections most TCP connections accepted at once
 */
public record Limits(long maxBodyBytes, int maxImages, long maxPixels, long maxModelBytes, int maxConcurrent,
    int maxQueue, int maxConnections) {

  /** The default of {@link #maxConnections()}: many cameras and a few operators' browsers on one host. */
  public static final int DEFAULT_MAX_CONNECTIONS = 128;

  /**
   * Defaults for one line-side camera host: 32 MiB bodies, 64 images, 50 Mpx, 512 MiB models, 4 + 16 requests,
   * 128 connections.
   */
  public static final Limits DEFAULT = new Limits(32L << 20, 64, 50_000_000L, 512L << 20, 4, 16);

  /**
   * Limits with the default connection bound ({@link #DEFAULT_MAX_CONNECTIONS}).
   *
   * @param maxBodyBytes largest request body, in bytes
   * @param maxImages most images in one request
   * @param maxPixels largest image, width x height
   * @param maxModelBytes largest model file accepted by {@code PUT /v1/models/{name}}
   * @param maxConcurrent requests scoring at the same time
   * @param maxQueue further requests allowed to wait (holding their bodies) for a scoring slot
   * @throws IllegalArgumentException naming the bad value
   */
  public Limits(long maxBodyBytes, int maxImages, long maxPixels, long maxModelBytes, int maxConcurrent,
      int maxQueue) {
    this(maxBodyBytes, maxImages, maxPixels, maxModelBytes, maxConcurrent, maxQueue, DEFAULT_MAX_CONNECTIONS);
  }

  /**
   * Checks every bound is positive (the queue may be 0).
   *
   * @param maxBodyBytes largest request body, in bytes
   * @param maxImages most images in one request
   * @param maxPixels largest image, width x height
   * @param maxModelBytes largest model file accepted by {@code PUT /v1/models/{name}}
   * @param maxConcurrent requests scoring at the same time
   * @param maxQueue further requests allowed to wait (holding their bodies) for a scoring slot
   * @param maxConnections most TCP connections accepted at once
   * @throws IllegalArgumentException naming the bad value
   */
  public Limits {
    positive("maxBodyBytes", maxBodyBytes);
    positive("maxImages", maxImages);
    positive("maxPixels", maxPixels);
    positive("maxModelBytes", maxModelBytes);
    positive("maxConcurrent", maxConcurrent);
    positive("maxConnections", maxConnections);
    if (maxQueue < 0) {
      throw new IllegalArgumentException("maxQueue must be at least 0, got " + maxQueue);
    }
  }

  private static void positive(String name, long v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + v);
    }
  }
}
