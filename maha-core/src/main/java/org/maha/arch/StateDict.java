package org.maha.arch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.maha.weights.Tensor;

/**
 * Read access to a state dict that remembers which keys were used, so that a builder can refuse weights with
 * keys it did not expect (a sign of another architecture) instead of silently ignoring them.
 */
final class StateDict {
  private final String source;
  private final Map<String, Tensor> tensors;
  private final Set<String> used = new HashSet<>();

  StateDict(String source, Map<String, Tensor> tensors) {
    this.source = source;
    this.tensors = tensors;
  }

  String source() {
    return source;
  }

  boolean has(String key) {
    return tensors.containsKey(key);
  }

  /** The tensor under {@code key}, marked as used. */
  Tensor take(String key) throws ArchitectureException {
    Tensor t = tensors.get(key);
    if (t == null) {
      throw new ArchitectureException(source + ": missing key " + key + " (the file has " + (tensors.isEmpty()
          ? "no tensors)" : tensors.size() + " tensors: " + String.join(", ",
          tensors.keySet().stream().limit(3).toList()) + (tensors.size() > 3 ? ", ...)" : ")")));
    }
    used.add(key);
    // the graph and error messages use the key, whatever name the reader gave the tensor
    return key.equals(t.name()) ? t : new Tensor(key, t.shape(), t.data());
  }

  /** The tensor under {@code key}, checked to have rank {@code rank}. */
  Tensor take(String key, int rank) throws ArchitectureException {
    Tensor t = take(key);
    if (t.rank() != rank) {
      throw new ArchitectureException(source + ": " + key + " has shape " + Arrays.toString(t.shape())
          + ", expected rank " + rank);
    }
    return t;
  }

  /**
   * Fails when a key was never taken; keys ending in one of {@code ignoredSuffixes} (e.g. BatchNorm's
   * {@code num_batches_tracked}) are allowed.
   */
  void requireAllUsed(String architecture, String... ignoredSuffixes) throws ArchitectureException {
    List<String> unused = new ArrayList<>(new TreeSet<>(tensors.keySet()));
    unused.removeIf(k -> used.contains(k) || Arrays.stream(ignoredSuffixes).anyMatch(k::endsWith));
    if (!unused.isEmpty()) {
      List<String> shown = unused.subList(0, Math.min(5, unused.size()));
      throw new ArchitectureException(source + ": " + unused.size() + " key(s) that a " + architecture
          + " does not have, e.g. " + String.join(", ", shown));
    }
  }
}
