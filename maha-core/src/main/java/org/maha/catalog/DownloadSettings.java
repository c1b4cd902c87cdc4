package org.maha.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * Network timeouts of a {@link WeightCache}. A download is given up when connecting takes longer than
 * {@code connectTimeout} or when no byte arrives for {@code idleTimeout} (so a slow but steady download of a
 * 260 MB file is never cut off, while a stalled one is).
 *
 * @param connectTimeout longest wait for a TCP/TLS connection
 * @param idleTimeout    longest wait for the response headers or for the next bytes of the body
 */
public record DownloadSettings(Duration connectTimeout, Duration idleTimeout) {

  /** 30 s to connect, 60 s without data. */
  public static final DownloadSettings DEFAULT = new DownloadSettings(Duration.ofSeconds(30), Duration.ofSeconds(60));

  public DownloadSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be > 0, found " + connectTimeout + " and " + idleTimeout);
    }
  }
}
