package org.maha.catalog;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one catalog entry's file in the cache, as {@code backbones verify} reports it.
 *
 * @param entry        the catalog entry checked
 * @param path         where its file is (or would be) in the cache
 * @param status       what was found
 * @param actualSha256 the file's SHA-256 when it exists
 */
public record Verification(CatalogEntry entry, Path path, Status status, Optional<String> actualSha256) {

  /** Outcome of re-hashing a cached file. */
  public enum Status {
    /** The file is there and has the expected hash. */
    VERIFIED,
    /** No file in the cache (never fetched, or removed). */
    MISSING,
    /** The file is there but its hash differs: damaged or replaced. */
    MISMATCH
  }

  public Verification {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(actualSha256, "actualSha256");
    if (actualSha256.isPresent() == (status == Status.MISSING)) {
      throw new IllegalArgumentException("actualSha256 must be present exactly when the file exists");
    }
  }
}
