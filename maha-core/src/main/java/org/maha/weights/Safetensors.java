package org.maha.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian
 * data; offsets are relative to the end of the header. Keys are returned in header order (which the reference
 * writer makes the data order).
 */
final class Safetensors {

  /** The reference implementation's own limit on the header size. */
  static final long MAX_HEADER = 100L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  static Map<String, Tensor> read(ByteBuffer file, String source) throws WeightFileException {
    ByteBuffer in = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long size = in.remaining();
    long headerLen = size >= 8 ? in.getLong(0) : -1;
    if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
      throw WeightFileException.of(source, "bad safetensors header length " + headerLen + " for a file of "
          + size + " bytes");
    }
    byte[] h = new byte[(int) headerLen];
    in.position(8);
    in.get(h);
    JsonNode header;
    try {
      header = JSON.readTree(h);
    } catch (JsonProcessingException e) {
      throw WeightFileException.of(source, "safetensors header is not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (java.io.IOException e) {
      throw WeightFileException.of(source, "cannot parse the safetensors header");
    }
    if (header == null || !header.isObject()) {
      throw WeightFileException.of(source, "safetensors header is not a JSON object");
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : header.properties()) {
      String name = e.getKey();
      if (name.equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      StorageType type = StorageType.forSafetensors(t.path("dtype").asText(""));
      if (type == null) {
        throw WeightFileException.of(source, "tensor '" + name + "' has unsupported dtype " + t.path("dtype"));
      }
      JsonNode shapeNode = t.path("shape");
      JsonNode offs = t.path("data_offsets");
      if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2 || !offs.get(0).canConvertToLong()
          || !offs.get(1).canConvertToLong()) {
        throw WeightFileException.of(source, "tensor '" + name + "' lacks a valid shape or data_offsets");
      }
      int[] shape = new int[shapeNode.size()];
      long numel = 1;
      for (int i = 0; i < shape.length; i++) {
        JsonNode d = shapeNode.get(i);
        if (!d.canConvertToLong() || d.asLong() < 0 || d.asLong() > TorchStorages.MAX_ARRAY) {
          throw WeightFileException.of(source, "tensor '" + name + "' has a bad shape " + shapeNode);
        }
        shape[i] = (int) d.asLong();
        numel *= shape[i];
        if (numel > TorchStorages.MAX_ARRAY) {
          throw WeightFileException.of(source, "tensor '" + name + "' is too large " + shapeNode);
        }
      }
      long begin = offs.get(0).asLong();
      long end = offs.get(1).asLong();
      if (begin < 0 || end < begin || end > dataLen) {
        throw WeightFileException.of(source, "tensor '" + name + "' data_offsets [" + begin + ", " + end
            + "] lie outside the " + dataLen + " data bytes");
      }
      if (end - begin != numel * type.size) {
        throw WeightFileException.of(source, "tensor '" + name + "' has " + (end - begin) + " bytes, shape "
            + shapeNode + " of " + t.path("dtype").asText() + " needs " + numel * type.size);
      }
      float[] data = new float[(int) numel];
      type.decode(file, dataStart + begin, data, 0, (int) numel);
      out.put(name, new Tensor(name, shape, data));
    }
    return out;
  }
}
