package org.maha.weights;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.maha.weights.Pickled.Global;
import org.maha.weights.Pickled.None;
import org.maha.weights.Pickled.PyDict;
import org.maha.weights.Pickled.StorageRef;
import org.maha.weights.Pickled.TensorRef;
import org.maha.weights.Pickled.Tuple;

/**
 * What both PyTorch formats share: turning {@code ('storage', torch.XxxStorage, key, location, numel[, view])}
 * persistent ids into {@link StorageRef}s (each checked against the file size before any data is read), finding
 * the state dict in the unpickled object, and gathering each tensor's elements from its storage by offset and
 * strides.
 */
final class TorchStorages implements Unpickler.PersistentLoader {

  /** Supplies the whole decoded storage for a key (read once, cached by the caller). */
  interface StorageData {
    float[] read(String key, StorageType type, long numel) throws WeightFileException;
  }

  /**
   * Upper bound on the float32 values produced per byte of file: distinct tensors need at least one byte per
   * element; the slack admits tied weights and views that share a storage, and stops stride-0 tricks from
   * expanding a small file into gigabytes.
   */
  static final long MAX_VALUES_PER_FILE_BYTE = 4;
  /** Java arrays hold at most this many elements. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
  /** Most dimensions of a tensor; weights have at most five. */
  static final int MAX_RANK = 16;

  private final String source;
  private final long fileSize;
  private final long maxValues;
  private final Map<String, StorageRef> roots = new LinkedHashMap<>();

  /**
   * @param maxValues most float32 values the state dict may hold (and the storages it reads), e.g. a bound from
   *                  the architecture the weights are for; the file's size bounds them too
   */
  TorchStorages(String source, long fileSize, long maxValues) {
    this.source = source;
    this.fileSize = fileSize;
    this.maxValues = maxValues;
  }

  /** Storages named so far, by key, with their root element count and type. */
  Map<String, StorageRef> roots() {
    return roots;
  }

  @Override
  public Object load(Tuple pid) throws WeightFileException {
    if (pid.size() < 5 || !"storage".equals(pid.get(0)) || !(pid.get(1) instanceof Global cls)
        || !(pid.get(2) instanceof String key) || !(pid.get(4) instanceof Long numel)) {
      throw fail("unsupported persistent id " + Pickled.render(pid));
    }
    StorageType type = "torch".equals(cls.module()) ? StorageType.forTorchStorage(cls.name()) : null;
    if (type == null) {
      throw fail("unsupported storage type " + Pickled.render(cls));
    }
    if (numel < 0 || numel > MAX_ARRAY || numel * type.size > fileSize) {
      throw fail("storage " + Pickled.render(key) + " claims " + numel + " elements of " + type.size
          + " bytes, more than the file's " + fileSize + " bytes");
    }
    StorageRef root = roots.get(key);
    if (root == null) {
      root = new StorageRef(key, type, numel, 0);
      roots.put(key, root);
    } else if (root.type() != type || root.numel() != numel) {
      throw fail("storage " + Pickled.render(key) + " is declared twice with different types or sizes");
    }
    Object view = pid.size() > 5 ? pid.get(5) : None.NONE;
    if (view instanceof None) {
      return root;
    }
    // legacy storage view: (view_key, offset, view_size) into the root storage
    if (!(view instanceof Tuple v) || v.size() != 3 || !(v.get(1) instanceof Long off)
        || !(v.get(2) instanceof Long size)) {
      throw fail("malformed storage view of " + Pickled.render(key));
    }
    if (off < 0 || size < 0 || off > numel || size > numel - off) { // exact: off + size may overflow
      throw fail("storage view of " + Pickled.render(key) + " at offset " + off + " of " + size
          + " elements lies outside its storage of " + numel + " elements");
    }
    return new StorageRef(key, type, size, off);
  }

  /**
   * The state dict inside an unpickled checkpoint: the object itself, or its {@code "state_dict"},
   * {@code "model_state_dict"} or {@code "model"} entry when it wraps one. Every value must be a tensor and every key a string.
   */
  Map<String, TensorRef> stateDict(Object top) throws WeightFileException {
    if (!(top instanceof PyDict dict)) {
      throw fail("the checkpoint is not a dict of tensors");
    }
    for (String wrapper : new String[] {"state_dict", "model_state_dict", "model"}) {
      if (!allTensors(dict) && dict.get(wrapper) instanceof PyDict inner) {
        dict = inner;
        break;
      }
    }
    Map<String, TensorRef> out = new LinkedHashMap<>();
    for (Map.Entry<Object, Object> e : dict.entries()) {
      if (!(e.getKey() instanceof String name)) {
        throw fail("state dict key " + Pickled.render(e.getKey()) + " is not a string");
      }
      if (!(e.getValue() instanceof TensorRef t)) {
        throw fail("state dict entry " + Pickled.render(name) + " is not a tensor");
      }
      out.put(name, t);
    }
    return out;
  }

  private static boolean allTensors(PyDict d) {
    for (Map.Entry<Object, Object> e : d.entries()) {
      if (!(e.getValue() instanceof TensorRef)) {
        return false;
      }
    }
    return d.size() > 0;
  }

  /**
   * Materialises every tensor, reading each storage once. Before anything is read, every tensor is checked to lie
   * inside its storage, and the values of all tensors, and of all storages they read, are checked against the
   * bound: the file's size (times {@link #MAX_VALUES_PER_FILE_BYTE}) and the caller's {@code maxValues}.
   */
  Map<String, Tensor> materialise(Map<String, TensorRef> refs, StorageData data) throws WeightFileException {
    long fileBound = Math.max(1 << 20, MAX_VALUES_PER_FILE_BYTE * fileSize);
    long budget = Math.min(fileBound, maxValues);
    long values = 0;
    long stored = 0;
    java.util.Set<String> needed = new java.util.HashSet<>();
    long[] counts = new long[refs.size()];
    int i = 0;
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      TensorRef t = e.getValue();
      counts[i++] = checkBounds(e.getKey(), t);
      values += counts[i - 1]; // each count is below 2^31 and there are fewer than 2^31 tensors: no overflow
      if (needed.add(t.storage().key())) {
        stored += roots.get(t.storage().key()).numel();
      }
      if (values > budget || stored > budget) {
        throw fail("tensors expand to more than " + budget + " values (" + (values > budget ? values : stored)
            + " at " + Pickled.render(e.getKey()) + "), more than " + (budget == maxValues
                ? "the architecture needs" : "the file could hold"));
      }
    }
    Map<String, float[]> cache = new java.util.HashMap<>();
    Map<String, Tensor> out = new LinkedHashMap<>();
    i = 0;
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      TensorRef t = e.getValue();
      StorageRef s = t.storage();
      long n = counts[i++];
      float[] all = cache.get(s.key());
      if (all == null) {
        StorageRef root = roots.get(s.key());
        all = data.read(root.key(), root.type(), root.numel());
        cache.put(s.key(), all);
      }
      out.put(e.getKey(), new Tensor(e.getKey(), toInts(t.size()), gather(all, s.viewOffset() + t.offset(),
          t.size(), t.stride(), (int) n)));
    }
    return out;
  }

  /**
   * Element count of {@code t}, after checking that every element it addresses lies inside its storage. Exact:
   * a product or sum that overflows a long (size 2^31 × 2^40, stride 2^62, offset 2^62) is refused, never wrapped.
   */
  long checkBounds(String name, TensorRef t) throws WeightFileException {
    long[] size = t.size();
    long[] stride = t.stride();
    String where = "tensor " + Pickled.render(name) + " " + shape(size);
    if (size.length > MAX_RANK) {
      throw fail(where + " has more than " + MAX_RANK + " dimensions");
    }
    long numel = t.storage().numel();
    if (t.offset() < 0 || t.offset() > numel) {
      throw fail(where + " starts at offset " + t.offset() + ", outside its storage of " + numel + " elements");
    }
    long n = 1;
    long last = t.offset();
    try {
      for (int i = 0; i < size.length; i++) {
        if (size[i] < 0 || stride[i] < 0) {
          throw fail(where + " has a negative size or stride");
        }
        n = Math.multiplyExact(n, size[i]);
        if (n > MAX_ARRAY || size[i] > MAX_ARRAY) {
          throw fail(where + " has too many elements");
        }
        if (size[i] > 0) {
          last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
        }
      }
    } catch (ArithmeticException overflow) {
      throw fail(where + " with strides " + shape(stride) + " at offset " + t.offset()
          + " addresses elements beyond 2^63 (corrupt sizes or strides)");
    }
    if (n > 0 && last >= numel) {
      throw fail(where + " at offset " + t.offset() + " with strides " + shape(stride)
          + " reads past its storage of " + numel + " elements");
    }
    return n;
  }

  /** A size or stride list for messages, at most {@link #MAX_RANK} + 1 entries shown. */
  private static String shape(long[] v) {
    return Arrays.toString(v.length > MAX_RANK ? Arrays.copyOf(v, MAX_RANK + 1) : v);
  }

  /** C-order gather of a strided view; a plain copy when the view is contiguous. */
  private static float[] gather(float[] src, long offset, long[] size, long[] stride, int n) {
    float[] out = new float[n];
    int rank = size.length;
    boolean contiguous = true;
    long expect = 1;
    for (int i = rank - 1; i >= 0; i--) {
      if (size[i] != 1 && stride[i] != expect) {
        contiguous = false;
      }
      expect *= size[i];
    }
    if (contiguous) {
      System.arraycopy(src, (int) offset, out, 0, n);
      return out;
    }
    long[] idx = new long[rank];
    for (int k = 0; k < n; k++) {
      long p = offset;
      for (int i = 0; i < rank; i++) {
        p += idx[i] * stride[i];
      }
      out[k] = src[(int) p];
      for (int i = rank - 1; i >= 0; i--) {
        if (++idx[i] < size[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return out;
  }

  private static int[] toInts(long[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (int) v[i];
    }
    return out;
  }

  private WeightFileException fail(String problem) {
    return WeightFileException.of(source, problem);
  }
}
