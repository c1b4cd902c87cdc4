package org.maha.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads model weights as a name → {@link Tensor} map from the files the reference code publishes: PyTorch
 * checkpoints in both {@code torch.save} formats, and safetensors. Reading is safe for untrusted files: pickles go
 * through an allow-listing interpreter that never runs code, and every size is checked against the file's before
 * memory is allocated.
 */
public final class StateDicts {

  private StateDicts() {}

  /**
   * Reads a state dict, detecting the format from the bytes: PyTorch zip (torch.save default), PyTorch legacy
   * ({@code torch.save(..., _use_new_zipfile_serialization=False)}, as the 2019 lukemelas EfficientNet files), or
   * safetensors. Keys in file order. A checkpoint that wraps the state dict ({@code {"state_dict": ...}},
   * {@code {"model_state_dict": ...}} or {@code {"model": ...}}, beside other entries such as an optimizer state)
   * is unwrapped, and a prefix that wrappers put on every key ({@code module.} from {@code DataParallel} or
   * {@code DistributedDataParallel}, {@code _orig_mod.} from {@code torch.compile}) is removed.
   *
   * @throws WeightFileException if the file is missing, of another format, truncated, corrupt, or refused (a
   *     pickle global outside the allow-list; sizes the file cannot hold); the message names the file
   */
  public static Map<String, Tensor> read(Path file) throws WeightFileException {
    return read(file, Long.MAX_VALUE);
  }

  /**
   * As {@link #read(Path)}, refusing a file whose tensors (or the storages they read) hold more than
   * {@code maxValues} values before any of them is decoded: a caller that knows the architecture the weights are
   * for passes a bound from it, so that no file, however it shares or repeats its data, makes the reader allocate
   * more than the network needs. Without it, the file's size bounds the values.
   */
  public static Map<String, Tensor> read(Path file, long maxValues) throws WeightFileException {
    String source = file.toString();
    checkRegularFile(file, source);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(16, size));
      while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
        // fill the first bytes
      }
      head.flip();
      return withoutWrapperPrefix(checkNames(source, switch (Format.detect(head, size)) {
        case TORCH_ZIP -> TorchZip.read(file, source, size, maxValues);
        case TORCH_LEGACY -> TorchLegacy.read(map(ch, source, size), source, size, maxValues);
        case SAFETENSORS -> Safetensors.read(map(ch, source, size), source, maxValues);
        case UNKNOWN -> throw WeightFileException.of(source,
            "not a PyTorch checkpoint (zip or legacy) or safetensors file");
      }));
    } catch (NoSuchFileException e) {
      throw WeightFileException.of(source, "file not found");
    } catch (IOException e) {
      throw WeightFileException.of(source, "cannot read: " + e.getMessage());
    }
  }

  /** Longest tensor name accepted; torchvision's run to about 40 characters. */
  static final int MAX_NAME = 1024;

  /**
   * Refuses names that no network has and that would break a one-line message wherever a caller quotes them:
   * control characters (a newline), or more than {@link #MAX_NAME} characters.
   */
  private static Map<String, Tensor> checkNames(String source, Map<String, Tensor> tensors)
      throws WeightFileException {
    for (String name : tensors.keySet()) {
      if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
        throw WeightFileException.of(source, "tensor name " + Pickled.render(name) + " is longer than " + MAX_NAME
            + " characters or holds control characters");
      }
    }
    return tensors;
  }

  /**
   * Refuses, without opening it, a path that is not a regular file: opening a FIFO blocks until a writer comes,
   * and a folder or device is never a weight file.
   */
  static void checkRegularFile(Path file, String source) throws WeightFileException {
    if (java.nio.file.Files.isRegularFile(file)) {
      return;
    }
    if (java.nio.file.Files.isDirectory(file)) {
      throw WeightFileException.of(source, "is a folder, not a weight file");
    }
    if (java.nio.file.Files.exists(file)) {
      throw WeightFileException.of(source, "not a regular file (a pipe, socket or device); give a weight file");
    }
    throw WeightFileException.of(source, "file not found");
  }

  /**
   * {@code tensors} with {@link #WRAPPER_PREFIXES} removed while every key has one: a model saved from inside
   * {@code nn.DataParallel} has {@code module.conv1.weight} where the architecture has {@code conv1.weight}. Only
   * these known prefixes are removed; a prefix shared by chance (all keys of a backbone without its classifier
   * may start with {@code features.}) is part of the architecture's names.
   */
  static Map<String, Tensor> withoutWrapperPrefix(Map<String, Tensor> tensors) {
    Map<String, Tensor> m = tensors;
    while (!m.isEmpty()) {
      String prefix = null;
      for (String p : WRAPPER_PREFIXES) {
        if (m.keySet().stream().allMatch(k -> k.startsWith(p) && k.length() > p.length())) {
          prefix = p;
        }
      }
      if (prefix == null) {
        return m;
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : m.entrySet()) {
        String k = e.getKey().substring(prefix.length());
        Tensor t = e.getValue();
        out.put(k, new Tensor(k, t.shape(), t.data()));
      }
      m = out;
    }
    return m;
  }

  /** Key prefixes added by PyTorch's model wrappers, removed by {@link #withoutWrapperPrefix}. */
  static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");

  /** Maps the whole file read-only; the legacy and safetensors readers index it directly. */
  static ByteBuffer map(FileChannel ch, String source, long size) throws IOException, WeightFileException {
    if (size > Integer.MAX_VALUE) {
      throw WeightFileException.of(source, "files over 2 GiB are not supported in this format");
    }
    return ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads up to {@code n} bytes, fewer only at end of stream. */
  static byte[] readUpTo(InputStream in, int n) throws IOException {
    return in.readNBytes(n);
  }

  /** The container formats, told apart by their first bytes. */
  enum Format {
    TORCH_ZIP, TORCH_LEGACY, SAFETENSORS, UNKNOWN;

    static Format detect(ByteBuffer head, long fileSize) {
      ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      int n = b.remaining();
      if (n >= 4 && b.get(0) == 'P' && b.get(1) == 'K' && b.get(2) == 3 && b.get(3) == 4) {
        return TORCH_ZIP;
      }
      // pickle PROTO 2+ then LONG1 of 10 bytes: the legacy magic number 0x1950a86a20f9469cfc6c
      if (n >= 4 && (b.get(0) & 0xff) == 0x80 && (b.get(2) & 0xff) == 0x8a && b.get(3) == 10) {
        return TORCH_LEGACY;
      }
      if (n >= 9 && b.get(8) == '{') {
        long len = b.getLong(0);
        if (len > 0 && len <= fileSize - 8) {
          return SAFETENSORS;
        }
      }
      return UNKNOWN;
    }
  }
}
