package org.maha.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values the safe unpickler builds. Besides these it uses {@link Long}, {@link java.math.BigInteger},
 * {@link Double}, {@link String}, {@link Boolean} and {@code byte[]}. Nothing here can run code: a "global" is
 * only a name from the allow-list, and calling it means building one of these records.
 */
final class Pickled {
  private Pickled() {}

  /** Python's None. */
  enum None { NONE }

  /** An immutable tuple; usable as a dict key when its items are. */
  record Tuple(List<Object> items, int depth) {
    Tuple {
      items = List.copyOf(items);
    }

    Object get(int i) {
      return items.get(i);
    }

    int size() {
      return items.size();
    }
  }

  /** A list (identity semantics, like Python's unhashable list). */
  static final class PyList {
    final List<Object> items = new ArrayList<>();
    int depth = 1;
  }

  /** A dict or OrderedDict, keys in insertion order (identity semantics). */
  static final class PyDict {
    final Map<Object, Object> map = new LinkedHashMap<>();
    int depth = 1;
  }

  /** An allow-listed global such as {@code collections.OrderedDict}; a plain name, never resolved to code. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * A storage named by a persistent id. {@code viewOffset} (elements) is non-zero only for the legacy format's
   * storage views; {@code numel} is the element count the tensor may address.
   */
  record StorageRef(String key, StorageType type, long numel, long viewOffset) {}

  /** A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: storage, offset, sizes and strides. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}
}
