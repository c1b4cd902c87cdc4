package org.maha.catalog;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A weight file the user named ({@code --weights FILE}) after checking it against a catalog entry.
 *
 * @param path     the file, as given
 * @param sha256   its full SHA-256, lowercase hex, for the model's provenance
 * @param verified true when the hash matches the official file's
 * @param note     when not verified: one line saying why the file is used anyway, for the caller to show
 */
public record LocalWeights(Path path, String sha256, boolean verified, Optional<String> note) {
  public LocalWeights {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(note, "note");
    if (verified == note.isPresent()) {
      throw new IllegalArgumentException("a note is given exactly when the file is not verified");
    }
  }
}
