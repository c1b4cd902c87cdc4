package org.maha.catalog;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.maha.image.Normalization;

/**
 * One named pretrained backbone: where its official weight file is published, how to check it, and what the
 * network built from it expects and gives. Immutable; lists are copies.
 *
 * @param name          the name users type ({@code efficientnet-b4}, {@code resnet18}, {@code mobilenet_v2})
 * @param family        which architecture code builds it
 * @param format        the weight file's container
 * @param urls          official download locations, tried in order (a mirror first when it is the live one)
 * @param fileName      the file's official name, also its name in the cache
 * @param hash          the SHA-256 (full) or its published prefix
 * @param inputSizePx   native square input size S of the network (PAPER.md &sect;1.3)
 * @param normalization how 8-bit pixels become the network's input
 * @param levelNames    level taps in order, {@code L0, L1, ...} (PAPER.md &sect;1.4)
 * @param levelDims     channels of each level's pooled feature vector, same order
 * @param licence       who publishes the weights and under what terms, for {@code backbones list}
 * @param formerFiles   other official files with the same weights that a cache or a user may already hold: the same
 *                      bytes under an earlier name, or an earlier serialisation under its own hash; accepted from
 *                      the cache and as {@code --weights}, never downloaded (the {@code urls} serve {@code fileName})
 */
public record CatalogEntry(
    String name,
    BackboneFamily family,
    WeightFormat format,
    List<URI> urls,
    String fileName,
    ExpectedHash hash,
    int inputSizePx,
    Normalization normalization,
    List<String> levelNames,
    List<Integer> levelDims,
    String licence,
    List<FormerFile> formerFiles) {

  /**
   * An earlier official file of the same weights.
   *
   * @param fileName its official name (also its name in the cache)
   * @param hash     the hash it must have
   */
  public record FormerFile(String fileName, ExpectedHash hash) {
    public FormerFile {
      requirePlainName(fileName, fileName);
      Objects.requireNonNull(hash, "hash");
    }
  }

  public CatalogEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(licence, "licence");
    urls = List.copyOf(urls);
    formerFiles = List.copyOf(formerFiles);
    levelNames = List.copyOf(levelNames);
    levelDims = List.copyOf(levelDims);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(name + ": expected at least one URL");
    }
    for (URI u : urls) {
      if (!u.isAbsolute() || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
        throw new IllegalArgumentException(name + ": expected absolute http(s) URLs, found " + u);
      }
    }
    requirePlainName(name, fileName);
    Set<String> names = new HashSet<>(Set.of(fileName));
    for (FormerFile f : formerFiles) {
      if (!names.add(f.fileName())) {
        throw new IllegalArgumentException(name + ": file names must be distinct, found '" + f.fileName()
            + "' twice");
      }
    }
    if (inputSizePx <= 0) {
      throw new IllegalArgumentException(name + ": inputSizePx must be > 0, found " + inputSizePx);
    }
    if (levelNames.isEmpty() || levelNames.size() != levelDims.size()
        || new HashSet<>(levelNames).size() != levelNames.size()) {
      throw new IllegalArgumentException(name + ": expected distinct level names, one dim each, found "
          + levelNames + " and " + levelDims);
    }
    for (int d : levelDims) {
      if (d <= 0) {
        throw new IllegalArgumentException(name + ": level dims must be > 0, found " + levelDims);
      }
    }
  }

  /** An entry without former files. */
  public CatalogEntry(String name, BackboneFamily family, WeightFormat format, List<URI> urls, String fileName,
      ExpectedHash hash, int inputSizePx, Normalization normalization, List<String> levelNames,
      List<Integer> levelDims, String licence) {
    this(name, family, format, urls, fileName, hash, inputSizePx, normalization, levelNames, levelDims, licence,
        List.of());
  }

  private static void requirePlainName(String owner, String fileName) {
    Objects.requireNonNull(fileName, "fileName");
    if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
      throw new IllegalArgumentException(owner + ": fileName must be a plain file name, found '" + fileName + "'");
    }
  }

  /** Σ D over the levels: the length of all pooled features of one image together. */
  public int totalDim() {
    return levelDims.stream().mapToInt(Integer::intValue).sum();
  }

  /** This entry downloaded from {@code urls} instead (a mirror, or a loopback server in tests). */
  public CatalogEntry withUrls(List<URI> newUrls) {
    return new CatalogEntry(name, family, format, newUrls, fileName, hash, inputSizePx, normalization, levelNames,
        levelDims, licence, formerFiles);
  }

  /**
   * This entry with {@code pinned} as the only acceptable hash, for its file and its former files alike (a digest
   * the user obtained elsewhere, {@code --expect-sha256}).
   */
  public CatalogEntry withHash(ExpectedHash pinned) {
    return new CatalogEntry(name, family, format, urls, fileName, pinned, inputSizePx, normalization, levelNames,
        levelDims, licence, formerFiles.stream().map(f -> new FormerFile(f.fileName(), pinned)).toList());
  }
}
