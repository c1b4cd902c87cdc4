package org.maha.zoo;

import java.nio.file.Path;
import java.util.Map;
import org.maha.arch.ArchitectureException;
import org.maha.catalog.CatalogEntry;
import org.maha.weights.WeightFileException;

/**
 * Turns one family's weight file into an ONNX graph with the catalog's level outputs ({@code L0, L1, ...}, each
 * pooled to [N, C]). Registered per family in {@link GraphBuilders}; the zoo handles caching and provenance.
 */
@FunctionalInterface
public interface GraphBuilderForFamily {

  /**
   * Builds the graph.
   *
   * @param entry     the catalog entry (input size, levels) the weights belong to
   * @param weights   the weight file, already verified or accepted by the caller; the graph must depend only on
   *                  its content and file name (not its folder), so the same weights give the same ONNX SHA-256
   *                  on every machine
   * @param overrides build options by key, e.g. {@link BackboneZoo#OVERRIDE_MAPS}; unknown keys are ignored
   * @return the ONNX ModelProto bytes
   */
  byte[] build(CatalogEntry entry, Path weights, Map<String, String> overrides)
      throws WeightFileException, ArchitectureException, ZooException;
}
