package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.maha.weights.Pickled.StorageRef;
import org.maha.weights.Pickled.TensorRef;
import org.maha.weights.Pickled.Tuple;

/**
 * The bounds of the weight readers, at core level: exact arithmetic in every shape, stride and offset computation,
 * the unpickler's work limits, messages rendered with a budget, safetensors ranges and the TFLite read budget.
 */
class WeightBoundsTest {

  private static final StorageRef FOUR = new StorageRef("0", StorageType.FLOAT32, 4, 0);

  private static TorchStorages storages() {
    return new TorchStorages("x.pth", 1 << 20, Long.MAX_VALUE);
  }

  @Test
  void aStrideWhoseLastElementOverflowsALongIsRefusedNotWrapped() {
    TensorRef t = new TensorRef(FOUR, 0, new long[] {4, 1}, new long[] {1L << 62, 1});
    assertThatThrownBy(() -> storages().checkBounds("w", t)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pth: tensor 'w' [4, 1] with strides [4611686018427387904, 1] at offset 0 addresses "
            + "elements beyond 2^63 (corrupt sizes or strides)");
  }

  @Test
  void aSizeProductBeyondAnArrayIsRefused() {
    TensorRef t = new TensorRef(FOUR, 0, new long[] {1L << 31, 1L << 40}, new long[] {1, 1});
    assertThatThrownBy(() -> storages().checkBounds("w", t)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pth: tensor 'w' [2147483648, 1099511627776] has too many elements");
  }

  @Test
  void anOffsetPastTheStorageIsRefusedEvenWhenOffsetPlusExtentWouldWrap() {
    TensorRef t = new TensorRef(FOUR, 1L << 62, new long[] {2}, new long[] {1L << 62});
    assertThatThrownBy(() -> storages().checkBounds("w", t)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pth: tensor 'w' [2] starts at offset 4611686018427387904, outside its storage of 4 "
            + "elements");
  }

  @Test
  void aLegacyStorageViewWhoseOffsetPlusSizeWrapsIsRefused() {
    Tuple view = new Tuple(List.of("v", 1L << 62, Long.MAX_VALUE - (1L << 62) + 2), 2, 4);
    Tuple pid = new Tuple(List.of("storage", new Pickled.Global("torch", "FloatStorage"), "0", "cpu", 4L, view),
        3, 11);
    assertThatThrownBy(() -> storages().load(pid)).isInstanceOf(WeightFileException.class)
        .hasMessageContaining("storage view of '0' at offset 4611686018427387904 of 4611686018427387905 elements "
            + "lies outside its storage of 4 elements");
  }

  @Test
  void anInRangeStridedViewIsStillRead() throws Exception {
    TensorRef t = new TensorRef(FOUR, 1, new long[] {2}, new long[] {2});
    assertThat(storages().checkBounds("w", t)).isEqualTo(2);
  }

  /** () then (t, t) memoised {@code levels} times: a tuple of 2^levels tree nodes in a few bytes. */
  private static byte[] sharedTuple(int levels, String tail) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(new byte[] {(byte) 0x80, 2, ')', 'q', 0, '0'});
    for (int i = 1; i <= levels; i++) {
      o.writeBytes(new byte[] {'h', (byte) (i - 1), 'h', (byte) (i - 1), (byte) 0x86, 'q', (byte) i, '0'});
    }
    o.writeBytes(new byte[] {'h', (byte) levels});
    o.writeBytes(tail.getBytes(StandardCharsets.ISO_8859_1));
    return o.toByteArray();
  }

  /** The pickle with an empty dict pushed first, so that its tail can SETITEM into it. */
  private static byte[] dictKey(byte[] pickle) {
    byte[] out = new byte[pickle.length + 1];
    out[0] = pickle[0];
    out[1] = pickle[1];
    out[2] = '}';
    System.arraycopy(pickle, 2, out, 3, pickle.length - 2);
    return out;
  }

  private static Object load(byte[] pickle) throws WeightFileException {
    return new Unpickler(ByteBuffer.wrap(pickle), "x.pkl", storages()).load();
  }

  @Test
  @Timeout(10)
  void aDictKeyThatIsADeeplySharedTupleIsRefusedAtOnce() {
    assertThatThrownBy(() -> load(dictKey(sharedTuple(60, "Ns.")))).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: pickle tuple of more than 4096 items (nested or shared)");
  }

  @Test
  void tuplesWithinTheBoundHashOnceAndCompareByValue() throws Exception {
    Tuple a = (Tuple) load(sharedTuple(11, "."));
    Tuple b = (Tuple) load(sharedTuple(11, "."));
    assertThat(a.nodes()).isEqualTo(4095);
    assertThat(a).isNotSameAs(b).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  @Timeout(20)
  void dictKeysChosenToCollideStillCostLogarithmicTime() throws Exception {
    // 2^17 strings made of "Aa"/"BB" blocks share one String hash h; 100,000 longs are built to have hash h too
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(new byte[] {(byte) 0x80, 2, '}', '('});
    int blocks = 17;
    int h = "Aa".repeat(blocks).hashCode();
    for (int bits = 0; bits < 1 << blocks; bits++) {
      StringBuilder sb = new StringBuilder();
      for (int b = 0; b < blocks; b++) {
        sb.append((bits >> b & 1) == 0 ? "Aa" : "BB");
      }
      byte[] key = sb.toString().getBytes(StandardCharsets.US_ASCII);
      o.write('X');
      o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(key.length).array());
      o.writeBytes(key);
      o.write('N');
    }
    for (long x = 1; x <= 100_000; x++) {
      long v = x << 32 | ((x ^ h) & 0xffffffffL);
      assertThat(Long.valueOf(v).hashCode()).isEqualTo(h);
      o.writeBytes(new byte[] {(byte) 0x8a, 8});
      o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
      o.write('N');
    }
    o.writeBytes(new byte[] {'u', '.'});
    Pickled.PyDict d = (Pickled.PyDict) load(o.toByteArray());
    assertThat(d.size()).isEqualTo((1 << blocks) + 100_000);
    assertThat(d.containsKey("BB".repeat(blocks))).isTrue();
  }

  @Test
  void aTupleDictKeyIsSmall() {
    assertThatThrownBy(() -> load(dictKey(sharedTuple(7, "Ns.")))).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: dict key tuple of more than 64 items (nested or shared)");
  }

  @Test
  void theMemoIsBounded() {
    byte[] p = new byte[Unpickler.MAX_MEMO + 10];
    p[0] = (byte) 0x80;
    p[1] = 2;
    p[2] = 'N';
    java.util.Arrays.fill(p, 3, p.length - 1, (byte) 0x94); // MEMOIZE
    p[p.length - 1] = '.';
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: pickle memo has more than 1048576 entries");
  }

  @Test
  void theOpcodesAreBounded() {
    byte[] p = new byte[(int) Unpickler.MAX_OPCODES + 10];
    p[0] = (byte) 0x80;
    p[1] = 2;
    p[2] = 'N';
    java.util.Arrays.fill(p, 3, p.length - 1, (byte) '2'); // DUP: one opcode, one stack slot, nothing new
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: pickle has more than 4194304 opcodes (not a state dict)");
  }

  @Test
  void renderedValuesStayShortWhateverTheirSize() {
    String huge = "a".repeat(1 << 20) + "\nsecond line";
    assertThat(Pickled.render(huge)).hasSizeLessThan(Pickled.RENDER_CHARS + 10).doesNotContain("\n");
    Tuple wide = new Tuple(java.util.Collections.nCopies(4000, (Object) huge), 2, 4001);
    assertThat(Pickled.render(wide)).hasSizeLessThan(Pickled.RENDER_CHARS + 10);
  }

  @Test
  void aPersistentIdIsNamedWithinTheBudget() {
    byte[] p = ("\u0080\u0002(X\u0000\u0000\u0010\u0000" + "b".repeat(1 << 20) + "tQ.")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .satisfies(e -> assertThat(e.getMessage()).startsWith("x.pth: unsupported persistent id ('bbbb")
            .hasSizeLessThan(200));
  }

  private static ByteBuffer safetensors(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.rewind();
  }

  @Test
  void safetensorsWhoseTensorsShareBytesAreRefused() {
    String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
    assertThatThrownBy(() -> Safetensors.read(safetensors(h, 16), "x.safetensors", Long.MAX_VALUE))
        .isInstanceOf(WeightFileException.class)
        .hasMessage("x.safetensors: tensors 'a' and 'b' share data bytes [8, 16): each tensor must have its own "
            + "bytes");
  }

  @Test
  void safetensorsBeyondTheCallersBoundAreRefusedBeforeDecoding() throws Exception {
    String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";
    assertThat(Safetensors.read(safetensors(h, 24), "x.safetensors", 6)).containsOnlyKeys("a", "b");
    assertThatThrownBy(() -> Safetensors.read(safetensors(h, 24), "x.safetensors", 5))
        .isInstanceOf(WeightFileException.class)
        .hasMessage("x.safetensors: tensors hold more than 5 values, more than the architecture needs");
  }

  @Test
  void aTensorNameWithANewlineIsRefusedSoThatNoMessageSpansTwoLines(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    String h = "{\"conv1.weight\\nsecond line\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    ByteBuffer b = safetensors(h, 4);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    java.nio.file.Path f = java.nio.file.Files.write(dir.resolve("n.safetensors"), bytes);
    assertThatThrownBy(() -> StateDicts.read(f)).isInstanceOf(WeightFileException.class)
        .hasMessage(f + ": tensor name 'conv1.weight?second line' is longer than 1024 characters or holds control "
            + "characters");
  }

  @Test
  void tfliteElementCountsAreExact() {
    TfliteTensor t = new TfliteTensor(0, "w", new int[] {1 << 16, 1 << 16, 1 << 16, 1 << 16}, TfliteType.INT8, 0,
        TfliteQuantization.NONE, true);
    assertThat(t.numel()).isEqualTo(-1);
    TfliteTensor neg = new TfliteTensor(0, "w", new int[] {-1, 4}, TfliteType.INT8, 0, TfliteQuantization.NONE,
        true);
    assertThat(neg.numel()).isEqualTo(-1);
  }

  @Test
  void flatbufferCopiesAreBoundedByTheFileSize() throws Exception {
    // a table whose field 0 is a vector of 1,000 ints, read over and over as a shared vector would be
    ByteBuffer b = ByteBuffer.allocate(4 + 8 + 8 + 4 + 4000).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(12); // root offset → table at 12
    b.putShort(4, (short) 6).putShort(6, (short) 8).putShort(8, (short) 4); // vtable at 4: one field at +4
    b.putInt(12, 12 - 4); // table: soffset to the vtable
    b.putInt(16, 4); // field 0: uoffset from 16 to the vector at 20
    b.putInt(20, 1000);
    Flatbuffer fb = new Flatbuffer(b, "x.tflite");
    int root = fb.root();
    long reads = 0;
    try {
      for (int i = 0; i < 1000; i++) {
        fb.ints(root, 0);
        reads += 1000;
      }
    } catch (WeightFileException e) {
      assertThat(e).hasMessageContaining("refer to the same data over and over");
      assertThat(reads).isLessThanOrEqualTo(Flatbuffer.MAX_READS_PER_BYTE * b.capacity() + 4096);
      return;
    }
    throw new AssertionError("1,000,000 ints were copied out of a " + b.capacity() + "-byte file");
  }
}
