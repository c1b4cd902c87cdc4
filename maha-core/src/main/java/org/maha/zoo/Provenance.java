package org.maha.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Where a cached graph came from: written as {@code provenance.json} beside it, and (all but the graph's own hash)
 * into the graph's ONNX {@code metadata_props} under {@code maha.*} keys.
 *
 * @param catalogName    the catalog entry built ({@code resnet18})
 * @param family         the entry's family id ({@code resnet})
 * @param displayName    the backbone name model files and reports show; says when weights are random or unverified
 * @param weightSource   where the weights came from
 * @param weightsFile    the weight file's name (not its folder), absent for random weights
 * @param weightsSha256  the weight file's full SHA-256, absent for random weights
 * @param verified       whether the weights matched the catalog's published hash
 * @param pretrained     false for a random initialisation; true for weights read from a file (the official
 *                       ones when {@code verified})
 * @param randomSeed     the seed of a random initialisation
 * @param builderVersion the family builder's version (part of the cache key)
 * @param overrides      build options, e.g. {@code maps=true}
 * @param graphSha256    SHA-256 of the ONNX bytes, metadata included; empty before the graph exists
 */
public record Provenance(String catalogName, String family, String displayName, WeightSource weightSource,
    Optional<String> weightsFile, Optional<String> weightsSha256, boolean verified, boolean pretrained,
    OptionalLong randomSeed, String builderVersion, Map<String, String> overrides, String graphSha256) {

  /** Where a graph's weights came from. */
  public enum WeightSource {
    /** The official file, fetched into (or found in) the weight cache and verified. */
    CATALOG,
    /** A file the user named ({@code --weights FILE}). */
    FILE,
    /** A seeded random initialisation; never pretrained. */
    RANDOM
  }

  static final String FORMAT = "maha-graph-provenance";
  static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Provenance {
    Objects.requireNonNull(catalogName, "catalogName");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(weightSource, "weightSource");
    Objects.requireNonNull(weightsFile, "weightsFile");
    Objects.requireNonNull(weightsSha256, "weightsSha256");
    Objects.requireNonNull(randomSeed, "randomSeed");
    Objects.requireNonNull(builderVersion, "builderVersion");
    Objects.requireNonNull(graphSha256, "graphSha256");
    overrides = Map.copyOf(new TreeMap<>(overrides));
    if ((weightSource == WeightSource.RANDOM) != randomSeed.isPresent()
        || (weightSource == WeightSource.RANDOM) == weightsSha256.isPresent()) {
      throw new IllegalArgumentException("random weights have a seed and no file hash; file weights the reverse");
    }
    if (weightSource == WeightSource.RANDOM && (pretrained || verified)) {
      throw new IllegalArgumentException("random weights are neither pretrained nor verified");
    }
  }

  /** A copy with the graph's hash filled in. */
  Provenance withGraphSha256(String sha256) {
    return new Provenance(catalogName, family, displayName, weightSource, weightsFile, weightsSha256, verified,
        pretrained, randomSeed, builderVersion, overrides, sha256);
  }

  /** Whether {@code other} describes the same graph content (ignoring the graph hash and the weights' file name). */
  boolean sameBuildAs(Provenance other) {
    return catalogName.equals(other.catalogName) && displayName.equals(other.displayName)
        && weightsSha256.equals(other.weightsSha256) && verified == other.verified
        && pretrained == other.pretrained && randomSeed.equals(other.randomSeed)
        && builderVersion.equals(other.builderVersion) && overrides.equals(other.overrides);
  }

  /** The {@code maha.*} key/value pairs written into the graph's ONNX metadata_props. */
  public Map<String, String> onnxMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("maha.catalog_name", catalogName);
    m.put("maha.display_name", displayName);
    m.put("maha.weight_source", weightSource.name().toLowerCase(java.util.Locale.ROOT));
    weightsSha256.ifPresent(s -> m.put("maha.weights_sha256", s));
    m.put("maha.weights_verified", Boolean.toString(verified));
    m.put("maha.pretrained", Boolean.toString(pretrained));
    randomSeed.ifPresent(s -> m.put("maha.random_seed", Long.toString(s)));
    m.put("maha.builder_version", builderVersion);
    return m;
  }

  /** The {@code provenance.json} bytes. */
  byte[] toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("version", FORMAT_VERSION);
    m.put("catalog_name", catalogName);
    m.put("family", family);
    m.put("display_name", displayName);
    m.put("weight_source", weightSource.name());
    m.put("weights_file", weightsFile.orElse(null));
    m.put("weights_sha256", weightsSha256.orElse(null));
    m.put("verified", verified);
    m.put("pretrained", pretrained);
    m.put("random_seed", randomSeed.isPresent() ? randomSeed.getAsLong() : null);
    m.put("builder_version", builderVersion);
    m.put("overrides", new TreeMap<>(overrides));
    m.put("graph_sha256", graphSha256);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise provenance", e);
    }
  }

  /**
   * Reads {@code provenance.json} bytes.
   *
   * @throws IOException when they are not a provenance record of this format
   */
  static Provenance fromJson(byte[] bytes) throws IOException {
    JsonNode n = JSON.readTree(bytes);
    if (n == null || !FORMAT.equals(n.path("format").asText()) || n.path("version").asInt() != FORMAT_VERSION) {
      throw new IOException("not a " + FORMAT + " v" + FORMAT_VERSION + " record");
    }
    Map<String, String> overrides = new TreeMap<>();
    n.path("overrides").properties().forEach(e -> overrides.put(e.getKey(), e.getValue().asText()));
    try {
      return new Provenance(text(n, "catalog_name"), text(n, "family"), text(n, "display_name"),
          WeightSource.valueOf(text(n, "weight_source")), optional(n, "weights_file"),
          optional(n, "weights_sha256"), n.path("verified").asBoolean(), n.path("pretrained").asBoolean(),
          n.path("random_seed").isIntegralNumber() ? OptionalLong.of(n.path("random_seed").asLong())
              : OptionalLong.empty(), text(n, "builder_version"), overrides, text(n, "graph_sha256"));
    } catch (IllegalArgumentException e) {
      throw new IOException("inconsistent provenance record: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IOException("missing text field " + field);
    }
    return v.asText();
  }

  private static Optional<String> optional(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isTextual() ? Optional.empty() : Optional.of(v.asText());
  }
}
