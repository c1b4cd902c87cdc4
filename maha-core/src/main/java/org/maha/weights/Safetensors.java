package org.maha.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian
 * data; offsets are relative to the end of the header. Keys are returned in header order (which the reference
 * writer makes the data order).
 *
 * <p>Every entry is checked before any value is decoded: offsets inside the data, sizes matching shapes, and no
 * two tensors sharing bytes (the reference reader refuses that too), so the values decoded never exceed the
 * file's data, nor the caller's bound.
 */
final class Safetensors {

  /**
   * Largest header accepted. The reference allows 100 MB, but a JSON tree costs up to ten times its text in
   * memory; a header describes each tensor in about 100 bytes, so 8 MiB still admits some 80,000 tensors.
   */
  static final long MAX_HEADER = 8L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /** One header entry, checked: {@code [begin, end)} relative to the data start. */
  private record Entry(String name, StorageType type, int[] shape, long numel, long begin, long end) {}

  static Map<String, Tensor> read(ByteBuffer file, String source, long maxValues) throws WeightFileException {
    ByteBuffer in = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long size = in.remaining();
    long headerLen = size >= 8 ? in.getLong(0) : -1;
    if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
      throw WeightFileException.of(source, "bad safetensors header length " + headerLen + " for a file of "
          + size + " bytes (at most " + MAX_HEADER + ")");
    }
    byte[] h = new byte[(int) headerLen];
    in.position(8);
    in.get(h);
    JsonNode header;
    try {
      header = JSON.readTree(h);
    } catch (JsonProcessingException e) {
      throw WeightFileException.of(source, "safetensors header is not valid JSON ("
          + Pickled.render(e.getOriginalMessage()) + ")");
    } catch (java.io.IOException e) {
      throw WeightFileException.of(source, "cannot parse the safetensors header");
    }
    if (header == null || !header.isObject()) {
      throw WeightFileException.of(source, "safetensors header is not a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : header.properties()) {
      if (!e.getKey().equals("__metadata__")) {
        entries.add(entry(source, e.getKey(), e.getValue(), dataLen));
      }
    }
    checkDisjoint(source, entries, maxValues);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Entry e : entries) {
      float[] data = new float[(int) e.numel()];
      e.type().decode(file, dataStart + e.begin(), data, 0, (int) e.numel());
      out.put(e.name(), new Tensor(e.name(), e.shape(), data));
    }
    return out;
  }

  private static Entry entry(String source, String name, JsonNode t, long dataLen) throws WeightFileException {
    String tensor = "tensor " + Pickled.render(name);
    StorageType type = StorageType.forSafetensors(t.path("dtype").asText(""));
    if (type == null) {
      throw WeightFileException.of(source, tensor + " has unsupported dtype "
          + Pickled.render(t.path("dtype").toString()));
    }
    JsonNode shapeNode = t.path("shape");
    JsonNode offs = t.path("data_offsets");
    if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2 || !offs.get(0).canConvertToLong()
        || !offs.get(1).canConvertToLong() || !offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()) {
      throw WeightFileException.of(source, tensor + " lacks a valid shape or data_offsets");
    }
    if (shapeNode.size() > TorchStorages.MAX_RANK) {
      throw WeightFileException.of(source, tensor + " has more than " + TorchStorages.MAX_RANK + " dimensions");
    }
    int[] shape = new int[shapeNode.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > TorchStorages.MAX_ARRAY) {
        throw WeightFileException.of(source, tensor + " has a bad shape " + Pickled.render(shapeNode.toString()));
      }
      shape[i] = (int) d.asLong();
      numel *= shape[i]; // both factors are below 2^31 and so is numel before it: no overflow
      if (numel > TorchStorages.MAX_ARRAY) {
        throw WeightFileException.of(source, tensor + " is too large " + Pickled.render(shapeNode.toString()));
      }
    }
    long begin = offs.get(0).asLong();
    long end = offs.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw WeightFileException.of(source, tensor + " data_offsets [" + begin + ", " + end + "] lie outside the "
          + dataLen + " data bytes");
    }
    if (end - begin != numel * type.size) {
      throw WeightFileException.of(source, tensor + " has " + (end - begin) + " bytes, shape "
          + Pickled.render(shapeNode.toString()) + " of " + type + " needs " + numel * type.size);
    }
    return new Entry(name, type, shape, numel, begin, end);
  }

  /** Refuses tensors whose bytes overlap (one blob read as hundreds of tensors) and more values than allowed. */
  private static void checkDisjoint(String source, List<Entry> entries, long maxValues) throws WeightFileException {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long values = 0;
    Entry previous = null;
    for (Entry e : byOffset) {
      if (e.end() > e.begin()) {
        if (previous != null && e.begin() < previous.end()) {
          throw WeightFileException.of(source, "tensors " + Pickled.render(previous.name()) + " and "
              + Pickled.render(e.name()) + " share data bytes [" + e.begin() + ", "
              + Math.min(e.end(), previous.end()) + "): each tensor must have its own bytes");
        }
        previous = e;
      }
      values += e.numel(); // at most one value per data byte plus the empty tensors: no overflow
      if (values > maxValues) {
        throw WeightFileException.of(source, "tensors hold more than " + maxValues
            + " values, more than the architecture needs");
      }
    }
  }
}
