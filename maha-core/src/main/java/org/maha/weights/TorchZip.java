package org.maha.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The zip {@code torch.save} layout (PyTorch ≥ 1.6): {@code <archive>/data.pkl} (storages as persistent ids
 * {@code ('storage', cls, key, location, numel)}) and one raw little-endian entry {@code <archive>/data/<key>} per
 * storage. An optional {@code <archive>/byteorder} entry must say {@code little}.
 */
final class TorchZip {

  /** Deflate expands at most about 1032:1; bounds what a compressed entry can claim to hold. */
  private static final long MAX_DEFLATE_RATIO = 1032;
  /**
   * Largest data.pkl read: a state dict's pickle takes about 150 bytes per tensor (torch.save stores it
   * uncompressed), so 32 MiB is far above any real one while a zip bomb's pickle (a 1.8 MB file whose data.pkl
   * inflates to 1.9 GB) is refused before it is inflated.
   */
  static final long MAX_PICKLE_BYTES = 32L << 20;

  private TorchZip() {}

  static Map<String, Tensor> read(Path file, String source, long size, long maxValues)
      throws WeightFileException, IOException {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw WeightFileException.of(source, "corrupt or truncated zip archive (" + e.getMessage() + ")");
    }
    try (zip) {
      String prefix = null;
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
        String name = en.nextElement().getName();
        int slash = name.indexOf('/');
        if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
          if (prefix != null) {
            throw WeightFileException.of(source, "the zip holds more than one data.pkl");
          }
          prefix = name.substring(0, slash + 1);
        }
      }
      if (prefix == null) {
        throw WeightFileException.of(source, "zip archive without <name>/data.pkl (not a torch.save checkpoint)");
      }
      ZipEntry order = zip.getEntry(prefix + "byteorder");
      if (order != null) {
        String bo = new String(entryBytes(zip, order, source, size, 16), StandardCharsets.US_ASCII).trim();
        if (!bo.equals("little")) {
          throw WeightFileException.of(source, "byte order '" + bo + "' is not supported");
        }
      }
      ZipEntry pkl = zip.getEntry(prefix + "data.pkl");
      if (pkl.getSize() > MAX_PICKLE_BYTES) {
        throw WeightFileException.of(source, "zip entry " + Pickled.render(pkl.getName()) + " inflates to " + pkl.getSize()
            + " bytes, more than the " + MAX_PICKLE_BYTES + " a state dict's pickle may have");
      }
      byte[] pickle = entryBytes(zip, pkl, source, size, MAX_PICKLE_BYTES);
      TorchStorages storages = new TorchStorages(source, size, maxValues);
      Object top = new Unpickler(ByteBuffer.wrap(pickle), source, storages).load();
      Map<String, Pickled.TensorRef> refs = storages.stateDict(top);
      String dataPrefix = prefix + "data/";
      return storages.materialise(refs, (key, type, numel) -> {
        ZipEntry e = zip.getEntry(dataPrefix + key);
        if (e == null) {
          throw WeightFileException.of(source, "storage " + Pickled.render(key) + " has no entry "
              + Pickled.render(dataPrefix + key));
        }
        long need = numel * type.size;
        if (e.getSize() >= 0 && e.getSize() < need) {
          throw WeightFileException.of(source, "storage " + Pickled.render(key) + " claims " + need
              + " bytes, its entry has " + e.getSize());
        }
        byte[] raw = entryBytes(zip, e, source, size, need);
        if (raw.length < need) {
          throw WeightFileException.of(source, "truncated storage " + Pickled.render(key) + ": " + raw.length
              + " of " + need + " bytes");
        }
        float[] out = new float[(int) numel];
        type.decode(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN), 0, out, 0, (int) numel);
        return out;
      });
    }
  }

  private static String hex(long crc) {
    return String.format(java.util.Locale.ROOT, "%08x", crc);
  }

  /**
   * At most {@code limit} bytes of an entry; an entry read whole is checked against its CRC-32 (the JDK's
   * {@link ZipFile} does not check stored entries, which is how {@code torch.save} writes storages), so bytes
   * altered inside a storage are an error, not silently different weights. The declared size must be one the archive could hold (stored:
   * its compressed size, which is at most the file size; deflated: 1032 times that) before the buffer is allocated.
   */
  private static byte[] entryBytes(ZipFile zip, ZipEntry e, String source, long fileSize, long limit)
      throws WeightFileException {
    long csize = e.getCompressedSize();
    long declared = e.getSize();
    long couldHold = e.getMethod() == ZipEntry.STORED ? Math.min(csize, fileSize)
        : Math.min(csize, fileSize) * MAX_DEFLATE_RATIO;
    if (csize < 0 || declared < 0 || declared > couldHold) {
      throw WeightFileException.of(source, "zip entry " + Pickled.render(e.getName()) + " claims " + declared
          + " bytes, more than the archive could hold");
    }
    int n = (int) Math.min(Math.min(declared, limit), Integer.MAX_VALUE - 8);
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = StateDicts.readUpTo(in, n);
      if (b.length == declared && e.getCrc() != -1) {
        CRC32 crc = new CRC32();
        crc.update(b);
        if (crc.getValue() != e.getCrc()) {
          throw WeightFileException.of(source, "zip entry " + Pickled.render(e.getName()) + " is corrupt (CRC-32 " + hex(crc.getValue())
              + ", the archive records " + hex(e.getCrc()) + "): the file was damaged or altered");
        }
      }
      return b;
    } catch (IOException ex) {
      throw WeightFileException.of(source, "corrupt zip entry " + Pickled.render(e.getName()) + " (" + ex.getMessage() + ")");
    }
  }
}
