package org.maha.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.maha.weights.Pickled.PyDict;
import org.maha.weights.Pickled.PyList;
import org.maha.weights.Pickled.StorageRef;

/**
 * The legacy (pre-1.6, non-zip) {@code torch.save} layout, as {@code torch/serialization.py}'s {@code _legacy_save}
 * writes it: pickled magic number, pickled protocol version 1001, pickled sys_info, the main pickle (storages as
 * persistent ids), a pickled list of storage keys, then for each key in that list's order an int64 little-endian
 * element count followed by the raw little-endian elements.
 */
final class TorchLegacy {

  static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  static final long PROTOCOL_VERSION = 1001;

  private TorchLegacy() {}

  static Map<String, Tensor> read(ByteBuffer file, String source, long size, long maxValues)
      throws WeightFileException {
    ByteBuffer in = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    TorchStorages storages = new TorchStorages(source, size, maxValues);
    Unpickler.PersistentLoader none = pid -> {
      throw WeightFileException.of(source, "unexpected persistent id in the header");
    };
    if (!MAGIC.equals(toBig(new Unpickler(in, source, none).load()))) {
      throw WeightFileException.of(source, "bad magic number (not a legacy PyTorch checkpoint)");
    }
    Object version = new Unpickler(in, source, none).load();
    if (!Long.valueOf(PROTOCOL_VERSION).equals(version)) {
      throw WeightFileException.of(source, "unsupported legacy protocol version " + Pickled.render(version));
    }
    if (new Unpickler(in, source, none).load() instanceof PyDict sysInfo
        && Boolean.FALSE.equals(sysInfo.get("little_endian"))) {
      throw WeightFileException.of(source, "big-endian checkpoints are not supported");
    }
    Object top = new Unpickler(in, source, storages).load();
    Map<String, Pickled.TensorRef> refs = storages.stateDict(top);
    if (!(new Unpickler(in, source, none).load() instanceof PyList keys)) {
      throw WeightFileException.of(source, "storage key list is missing");
    }
    // where each storage's elements start, in the key list's order
    Map<String, Integer> starts = new HashMap<>();
    for (Object k : keys.items) {
      if (!(k instanceof String key) || !storages.roots().containsKey(key)) {
        throw WeightFileException.of(source, "storage key list names an unknown storage " + Pickled.render(k));
      }
      StorageRef root = storages.roots().get(key);
      if (in.remaining() < 8) {
        throw WeightFileException.of(source, "truncated: storage " + Pickled.render(key) + " is missing");
      }
      long numel = in.getLong();
      if (numel != root.numel()) {
        throw WeightFileException.of(source, "storage " + Pickled.render(key) + " has " + numel
            + " elements, the pickle says " + root.numel());
      }
      long bytes = numel * root.type().size;
      if (bytes > in.remaining()) {
        throw WeightFileException.of(source, "truncated: storage " + Pickled.render(key) + " needs " + bytes
            + " bytes, " + in.remaining() + " left");
      }
      starts.put(key, in.position());
      in.position(in.position() + (int) bytes);
    }
    return storages.materialise(refs, (key, type, numel) -> {
      Integer start = starts.get(key);
      if (start == null) {
        throw WeightFileException.of(source, "storage " + Pickled.render(key) + " has no data in the file");
      }
      float[] out = new float[(int) numel];
      type.decode(file, start, out, 0, (int) numel);
      return out;
    });
  }

  private static BigInteger toBig(Object o) {
    if (o instanceof BigInteger b) {
      return b;
    }
    return o instanceof Long l ? BigInteger.valueOf(l) : null;
  }
}
