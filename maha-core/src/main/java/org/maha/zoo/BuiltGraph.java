package org.maha.zoo;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.maha.catalog.CatalogEntry;

/**
 * A named backbone's ONNX graph in the cache.
 *
 * @param entry      the catalog entry it was built for (levels, normalisation, input size)
 * @param onnx       the graph file; its name without {@code .onnx} is {@link #displayName()}, which is how
 *                   {@code OnnxBackbone} names the backbone
 * @param provenance where it came from, as also written beside it
 * @param built      true when this call built it, false when a cached graph was reused
 * @param note       a warning for the user (unverified weights), when there is one
 */
public record BuiltGraph(CatalogEntry entry, Path onnx, Provenance provenance, boolean built, Optional<String> note) {
  public BuiltGraph {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(onnx, "onnx");
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(note, "note");
  }

  /** The name model files and reports show, e.g. {@code resnet18 (random init, NOT pretrained)}. */
  public String displayName() {
    return provenance.displayName();
  }

  /** The graph outputs to use as levels: the catalog's ({@code L0, L1, ...}). */
  public List<String> levelNames() {
    return entry.levelNames();
  }

  /** The {@code provenance.json} beside the graph. */
  public Path provenanceFile() {
    return onnx.resolveSibling(BackboneZoo.PROVENANCE_FILE);
  }
}
