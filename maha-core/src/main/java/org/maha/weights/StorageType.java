package org.maha.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The element types of PyTorch storages and safetensors tensors, and how each converts to float32. */
enum StorageType {
  FLOAT32(4), FLOAT16(2), BFLOAT16(2), FLOAT64(8), INT64(8), INT32(4), INT16(2), INT8(1), UINT8(1), BOOL(1);

  final int size;

  StorageType(int size) {
    this.size = size;
  }

  /** The type of a {@code torch.XxxStorage} class name, or null when it is not one we read. */
  static StorageType forTorchStorage(String className) {
    return switch (className) {
      case "FloatStorage" -> FLOAT32;
      case "HalfStorage" -> FLOAT16;
      case "BFloat16Storage" -> BFLOAT16;
      case "DoubleStorage" -> FLOAT64;
      case "LongStorage" -> INT64;
      case "IntStorage" -> INT32;
      case "ShortStorage" -> INT16;
      case "CharStorage" -> INT8;
      case "ByteStorage" -> UINT8;
      case "BoolStorage" -> BOOL;
      default -> null;
    };
  }

  /** The type of a safetensors dtype string, or null when it is not one we read. */
  static StorageType forSafetensors(String dtype) {
    return switch (dtype) {
      case "F32" -> FLOAT32;
      case "F16" -> FLOAT16;
      case "BF16" -> BFLOAT16;
      case "F64" -> FLOAT64;
      case "I64" -> INT64;
      case "I32" -> INT32;
      case "I16" -> INT16;
      case "I8" -> INT8;
      case "U8" -> UINT8;
      case "BOOL" -> BOOL;
      default -> null;
    };
  }

  /** Decodes {@code count} little-endian elements starting at {@code in}'s absolute {@code pos} into {@code out}. */
  void decode(ByteBuffer in, long pos, float[] out, int outOffset, int count) {
    ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = Math.toIntExact(pos);
    for (int i = 0; i < count; i++, p += size) {
      out[outOffset + i] = switch (this) {
        case FLOAT32 -> b.getFloat(p);
        case FLOAT16 -> halfToFloat(b.getShort(p));
        case BFLOAT16 -> Float.intBitsToFloat((b.getShort(p) & 0xffff) << 16);
        case FLOAT64 -> (float) b.getDouble(p);
        case INT64 -> (float) b.getLong(p);
        case INT32 -> (float) b.getInt(p);
        case INT16 -> b.getShort(p);
        case INT8 -> b.get(p);
        case UINT8 -> b.get(p) & 0xff;
        case BOOL -> b.get(p) != 0 ? 1f : 0f;
      };
    }
  }

  /** IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included); Java 17 has no built-in. */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
