package org.maha.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.maha.files.Sha256;

/**
 * A {@code .maha} file taken apart and put together again with one entry replaced and every checksum fixed to
 * match (the manifest's, the maps section's and {@code manifest.json.sha256}), so that fuzzed or edited content
 * gets past the checksums to the parsing and consistency checks behind them. Shared by the fuzz targets of
 * {@link ModelFile} and of the map section.
 */
public final class ModelZips {
  private ModelZips() {}

  /** The entries of a zip, in order. */
  public static Map<String, byte[]> entries(InputStream in) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream z = new ZipInputStream(in)) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        entries.put(e.getName(), z.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /** The entries of a zip held in memory. */
  public static Map<String, byte[]> entries(byte[] zip) {
    return entries(new ByteArrayInputStream(zip));
  }

  /**
   * {@code base} with the entry that {@code data[0]} picks (modulo the number of entries) replaced by the rest of
   * {@code data}, every checksum fixed (a checksum is replaced wherever the manifest lists it); null when
   * {@code data} is empty.
   */
  public static byte[] withValidChecksums(Map<String, byte[]> base, byte[] data) {
    if (data.length < 1) {
      return null;
    }
    List<String> names = new ArrayList<>(base.keySet());
    String replaced = names.get((data[0] & 0xff) % names.size());
    byte[] content = Arrays.copyOfRange(data, 1, data.length);
    Map<String, byte[]> entries = new LinkedHashMap<>(base);
    entries.put(replaced, content);
    if (!replaced.startsWith("manifest.json")) {
      String manifest = new String(entries.get("manifest.json"), StandardCharsets.UTF_8)
          .replace(Sha256.of(base.get(replaced)), Sha256.of(content));
      entries.put("manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
    }
    if (!replaced.equals("manifest.json.sha256")) {
      entries.put("manifest.json.sha256",
          (Sha256.of(entries.get("manifest.json")) + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return zip(entries);
  }

  /** The entries as a zip (deflated, level 1), in order. */
  public static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setLevel(1);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
