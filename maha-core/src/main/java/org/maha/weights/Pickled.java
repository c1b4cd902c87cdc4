package org.maha.weights;

import java.math.BigInteger;
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

  /**
   * An immutable tuple; usable as a dict key when its items are. A pickle can share one tuple many times inside
   * another (memo references), so a 1 KB file can describe a tuple whose tree has 2^500 nodes; {@code nodes}
   * counts that tree (saturating), the unpickler refuses large ones, and the hash is computed once from the
   * items' hashes, so hashing, comparing and printing a tuple cost at most its bounded tree.
   */
  static final class Tuple {
    private final List<Object> items;
    private final int depth;
    private final long nodes;
    private final int hash;

    Tuple(List<Object> items, int depth, long nodes) {
      this.items = List.copyOf(items);
      this.depth = depth;
      this.nodes = nodes;
      this.hash = this.items.hashCode();
    }

    List<Object> items() {
      return items;
    }

    int depth() {
      return depth;
    }

    /** Nodes of the tuple's tree with shared items counted once per use, this tuple included. */
    long nodes() {
      return nodes;
    }

    Object get(int i) {
      return items.get(i);
    }

    int size() {
      return items.size();
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (!(o instanceof Tuple t) || t.hash != hash || t.nodes != nodes || t.items.size() != items.size()) {
        return false;
      }
      for (int i = 0; i < items.size(); i++) {
        Object a = items.get(i);
        Object b = t.items.get(i);
        if (a != b && !(a != null && a.equals(b))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return render(this);
    }
  }

  /** A list (identity semantics, like Python's unhashable list). */
  static final class PyList {
    final List<Object> items = new ArrayList<>();
    int depth = 1;

    @Override
    public String toString() {
      return "[list of " + items.size() + "]";
    }
  }

  /**
   * A dict or OrderedDict, keys in insertion order (the dict itself has identity semantics). Keys are held as
   * {@link Key}s, one class with a total order, so that a Java hash map's collision buckets stay balanced trees
   * even when a file chooses keys of equal hash codes (an int and a string, or many tuples): every insertion and
   * lookup costs O(log n) comparisons, each bounded by {@link Unpickler#MAX_KEY_NODES}.
   */
  static final class PyDict {
    private final Map<Key, Map.Entry<Object, Object>> map = new LinkedHashMap<>();
    int depth = 1;

    void put(Object key, Object value) {
      map.put(new Key(key), Map.entry(key, value));
    }

    /** The value for {@code key}, or null. */
    Object get(Object key) {
      Map.Entry<Object, Object> e = map.get(new Key(key));
      return e == null ? null : e.getValue();
    }

    boolean containsKey(Object key) {
      return map.containsKey(new Key(key));
    }

    int size() {
      return map.size();
    }

    /** Keys and values in insertion order. */
    java.util.Collection<Map.Entry<Object, Object>> entries() {
      return map.values();
    }

    @Override
    public String toString() {
      return "{dict of " + map.size() + "}";
    }
  }

  /**
   * A hashable value as a dict key: equal when the values are, ordered first by kind (None, bool, int, big int,
   * float, str, global, tuple) and then by value, tuples by length and then item by item.
   */
  static final class Key implements Comparable<Key> {
    private final Object value;

    Key(Object value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && value.equals(k.value);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }

    @Override
    public int compareTo(Key o) {
      return compare(value, o.value);
    }

    private static int rank(Object v) {
      if (v instanceof None) {
        return 0;
      } else if (v instanceof Boolean) {
        return 1;
      } else if (v instanceof Long) {
        return 2;
      } else if (v instanceof BigInteger) {
        return 3;
      } else if (v instanceof Double) {
        return 4;
      } else if (v instanceof String) {
        return 5;
      } else if (v instanceof Global) {
        return 6;
      }
      return 7; // Tuple: the unpickler admits no other key
    }

    private static int compare(Object a, Object b) {
      int r = Integer.compare(rank(a), rank(b));
      if (r != 0 || a == b) {
        return r;
      }
      if (a instanceof Boolean x) {
        return x.compareTo((Boolean) b);
      } else if (a instanceof Long x) {
        return x.compareTo((Long) b);
      } else if (a instanceof BigInteger x) {
        return x.compareTo((BigInteger) b);
      } else if (a instanceof Double x) {
        return x.compareTo((Double) b);
      } else if (a instanceof String x) {
        return x.compareTo((String) b);
      } else if (a instanceof Global x) {
        return x.qualified().compareTo(((Global) b).qualified());
      } else if (a instanceof Tuple x && b instanceof Tuple y) {
        int c = Integer.compare(x.size(), y.size());
        for (int i = 0; c == 0 && i < x.size(); i++) {
          c = compare(x.get(i), y.get(i));
        }
        return c;
      }
      return 0; // None
    }
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

  /** Characters of a value shown in a message; the rest is elided. */
  static final int RENDER_CHARS = 80;

  /**
   * A short Python-like rendering of an unpickled value for messages: at most about {@link #RENDER_CHARS}
   * characters whatever the value (strings, bytes and containers are cut, shared or nested items are not
   * expanded past the budget), so no file can make an error message large.
   */
  static String render(Object o) {
    StringBuilder sb = new StringBuilder();
    render(o, sb, 0);
    return sb.length() > RENDER_CHARS ? sb.substring(0, RENDER_CHARS) + "..." : sb.toString();
  }

  private static void render(Object o, StringBuilder sb, int depth) {
    if (sb.length() > RENDER_CHARS) {
      return;
    }
    if (o instanceof String s) {
      String cut = s.length() > RENDER_CHARS ? s.substring(0, RENDER_CHARS) : s;
      sb.append('\'').append(cut.replaceAll("\\p{Cntrl}", "?")).append(s.length() > RENDER_CHARS ? "..." : "")
          .append('\'');
    } else if (o instanceof Tuple t) {
      if (depth > 4) {
        sb.append("(...)");
        return;
      }
      sb.append('(');
      for (int i = 0; i < t.size() && sb.length() <= RENDER_CHARS; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        render(t.get(i), sb, depth + 1);
      }
      sb.append(t.size() == 1 ? ",)" : ")");
    } else if (o instanceof byte[] b) {
      sb.append("bytes of length ").append(b.length);
    } else if (o instanceof Global g) {
      sb.append(g.qualified());
    } else if (o instanceof None) {
      sb.append("None");
    } else if (o instanceof BigInteger || o instanceof Long || o instanceof Double || o instanceof Boolean
        || o instanceof PyList || o instanceof PyDict) {
      sb.append(o);
    } else if (o instanceof TensorRef) {
      sb.append("tensor");
    } else if (o instanceof StorageRef s) {
      sb.append("storage ");
      render(s.key(), sb, depth + 1);
    } else {
      sb.append(o == null ? "nothing" : o.getClass().getSimpleName());
    }
  }
}
