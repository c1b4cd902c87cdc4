package org.maha.zoo;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.maha.arch.EfficientNet;
import org.maha.arch.MobileNetV2;
import org.maha.catalog.BackboneFamily;
import org.maha.weights.StateDicts;
import org.maha.weights.TfliteModel;

/**
 * Which {@link GraphBuilderForFamily} builds each {@link BackboneFamily}, with a version string per builder that
 * becomes part of the cache key (bump it when the builder's graphs change). Immutable; {@link #with} returns a
 * copy, so tests and callers can register builders without global state.
 */
public final class GraphBuilders {

  /**
   * One family's builder.
   *
   * @param family  the family built
   * @param version short identifier of the builder's output, letters, digits and dots (e.g. {@code r1})
   * @param builder the builder
   */
  public record Registration(BackboneFamily family, String version, GraphBuilderForFamily builder) {
    public Registration {
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(builder, "builder");
      if (version == null || !version.matches("[A-Za-z0-9.]{1,16}")) {
        throw new IllegalArgumentException("version: expected 1 to 16 letters, digits or dots, found '" + version
            + "'");
      }
    }
  }

  private final Map<BackboneFamily, Registration> byFamily;

  private GraphBuilders(Map<BackboneFamily, Registration> byFamily) {
    this.byFamily = Collections.unmodifiableMap(byFamily);
  }

  /** No builder at all. */
  public static GraphBuilders none() {
    return new GraphBuilders(new EnumMap<>(BackboneFamily.class));
  }

  /** The builders this version of maha has. */
  public static GraphBuilders defaults() {
    // sources are file NAMES (not paths), so a graph's SHA-256 does not depend on the folder
    return none()
        .with(BackboneFamily.RESNET, ResNetGraphs.VERSION, new ResNetGraphs())
        .with(BackboneFamily.EFFICIENTNET, "e2", GraphBuilders::efficientNet)
        .with(BackboneFamily.MOBILENET_V2, "m1", (e, w, o) -> MobileNetV2.fromTflite(w.getFileName().toString(),
            TfliteModel.read(w, MOBILENET_V2_MAX_BYTES),
            new MobileNetV2.Options(Overrides.maps(o), Overrides.classifier(o))));
  }

  /**
   * Largest MobileNetV2 TFLite file read: the float32 network takes 14 MB, Coral's int8 one 3.5 MB; the file is
   * held in memory whole, so a larger one is refused before it is read.
   */
  static final long MOBILENET_V2_MAX_BYTES = 64L << 20;

  /**
   * EfficientNet of the entry's name (0.6.3 or torchvision flavour); a checkpoint of another width or depth (a reduced
   * test model, say) is built with the coefficients that reproduce every one of its tensor shapes.
   */
  private static byte[] efficientNet(org.maha.catalog.CatalogEntry e, java.nio.file.Path w, Map<String, String> o)
      throws org.maha.weights.WeightFileException, org.maha.arch.ArchitectureException, ZooException {
    String source = w.getFileName().toString();
    EfficientNet.Config named = EfficientNet.Config.named(e.name());
    var sd = StateDicts.read(w, maxValues(e));
    EfficientNet.Options options = new EfficientNet.Options(Overrides.inputSizePx(o, e), Overrides.maps(o));
    try {
      return EfficientNet.toOnnx(source, sd, named, options);
    } catch (org.maha.arch.ArchitectureException mismatch) {
      EfficientNet.Config inferred;
      try {
        inferred = EfficientNet.infer(source, sd, named.flavor(), named.imageSize()).withBnEps(named.bnEps());
      } catch (org.maha.arch.ArchitectureException none) {
        throw mismatch;
      }
      return EfficientNet.toOnnx(source, sd, inferred, options);
    }
  }

  /**
   * The most values a weight file for {@code entry} may make the reader decode: twice the named network's state
   * dict with its classifier, plus a mebi-value for extra buffers (unbounded for a family without a known size).
   * A file sharing or repeating its data to expand past that is refused before anything is decoded.
   */
  static long maxValues(org.maha.catalog.CatalogEntry entry) {
    long named = switch (entry.family()) {
      case RESNET -> ResNetConfig.named(entry.name()).map(c -> c.stateDictValues(1000)).orElse(-1L);
      case EFFICIENTNET -> EfficientNet.stateDictValues(EfficientNet.Config.named(entry.name()), 1000);
      default -> -1L;
    };
    return named < 0 ? Long.MAX_VALUE : 2 * named + (1L << 20);
  }

  /**
   * The largest weight file accepted for {@code entry}, checked before it is hashed or read: 32 bytes per value
   * of {@link #maxValues} (float64 weights beside an optimizer's state) plus 64 MiB; a MobileNetV2 TFLite file
   * {@link #MOBILENET_V2_MAX_BYTES}.
   */
  static long maxFileBytes(org.maha.catalog.CatalogEntry entry) {
    if (entry.family() == BackboneFamily.MOBILENET_V2) {
      return MOBILENET_V2_MAX_BYTES;
    }
    long values = maxValues(entry);
    return values == Long.MAX_VALUE ? Long.MAX_VALUE : 32 * values + (64L << 20);
  }

  /** A copy with {@code family} built by {@code builder} (replacing any earlier registration). */
  public GraphBuilders with(BackboneFamily family, String version, GraphBuilderForFamily builder) {
    Map<BackboneFamily, Registration> m = new EnumMap<>(BackboneFamily.class);
    m.putAll(byFamily);
    m.put(family, new Registration(family, version, builder));
    return new GraphBuilders(m);
  }

  /** The registration for {@code family}, if any. */
  public Optional<Registration> find(BackboneFamily family) {
    return Optional.ofNullable(byFamily.get(family));
  }

  /** The families that have a builder. */
  public Set<BackboneFamily> families() {
    return byFamily.keySet();
  }
}
