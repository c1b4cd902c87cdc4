package org.maha.zoo;

import java.nio.file.Path;
import java.util.Map;
import org.maha.arch.ArchitectureException;
import org.maha.arch.ResNet;
import org.maha.catalog.CatalogEntry;
import org.maha.weights.StateDicts;
import org.maha.weights.Tensor;
import org.maha.weights.WeightFileException;

/** The RESNET family's builder: torchvision state dict → {@link ResNet#toOnnx}. */
final class ResNetGraphs implements GraphBuilderForFamily {
  /** Bump when the graphs this builder writes change, so cached graphs are rebuilt. */
  static final String VERSION = "r1";

  @Override
  public byte[] build(CatalogEntry entry, Path weights, Map<String, String> overrides)
      throws WeightFileException, ArchitectureException, ZooException {
    // the file name only: the graph (and so its SHA-256) must not depend on where the file lies
    Path name = weights.getFileName();
    return build(entry, name == null ? weights.toString() : name.toString(),
        StateDicts.read(weights, GraphBuilders.maxValues(entry)), overrides);
  }

  /** Builds from a state dict in memory (random initialisation); {@code source} names it in messages. */
  static byte[] build(CatalogEntry entry, String source, Map<String, Tensor> stateDict, Map<String, String> overrides)
      throws ArchitectureException, ZooException {
    return ResNet.toOnnx(source, stateDict,
        new ResNet.Options(Overrides.inputSizePx(overrides, entry), Overrides.maps(overrides)));
  }
}
