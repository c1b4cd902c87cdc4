package org.maha.weights;

/** TFLite's {@code TensorType} enum (schema.fbs), with each element's size in bytes (0 where not fixed). */
public enum TfliteType {
  FLOAT32(4), FLOAT16(2), INT32(4), UINT8(1), INT64(8), STRING(0), BOOL(1), INT16(2), COMPLEX64(8), INT8(1),
  FLOAT64(8), COMPLEX128(16), UINT64(8), RESOURCE(0), VARIANT(0), UINT32(4), UINT16(2), INT4(0), UNKNOWN(0);

  private final int size;

  TfliteType(int size) {
    this.size = size;
  }

  /** Bytes per element; 0 for types without a fixed size (strings, resources, packed int4). */
  public int size() {
    return size;
  }

  static TfliteType of(int code) {
    TfliteType[] all = values();
    return code >= 0 && code < all.length - 1 ? all[code] : UNKNOWN;
  }
}
