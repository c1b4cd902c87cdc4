package org.maha.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.maha.weights.Pickled.PyDict;
import org.maha.weights.Pickled.PyList;
import org.maha.weights.Pickled.Tuple;

/** Known answers for hand-assembled pickles; the bytes are what CPython's pickle module writes for them. */
class UnpicklerTest {

  private static final Unpickler.PersistentLoader NO_PIDS = pid -> {
    throw new WeightFileException("x: unexpected pid");
  };

  private static Object load(byte[] pickle) throws WeightFileException {
    return new Unpickler(ByteBuffer.wrap(pickle), "x.pkl", NO_PIDS).load();
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void readsTheLegacyMagicNumberAsABigInteger() throws Exception {
    // pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
    byte[] p = bytes(0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.');
    assertThat(load(p)).isEqualTo(new BigInteger("1950a86a20f9469cfc6c", 16));
  }

  @Test
  void readsScalarsListsDictsAndMemoReferences() throws Exception {
    // {"a": [1, -2, 1.5, True, None], "b": ("x", 300), "c": <the same list>}, as protocol 2 writes it
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(bytes(0x80, 2, '}', 'q', 0, '('));
    o.writeBytes(bytes('X', 1, 0, 0, 0, 'a', ']', 'q', 1, '(', 'K', 1, 'J', 0xfe, 0xff, 0xff, 0xff));
    o.writeBytes(bytes('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x88, 'N', 'e'));
    o.writeBytes(bytes('X', 1, 0, 0, 0, 'b', 0x8c, 1, 'x', 'M', 0x2c, 0x01, 0x86));
    o.writeBytes(bytes('X', 1, 0, 0, 0, 'c', 'h', 1, 'u', '.'));
    Object top = load(o.toByteArray());
    assertThat(top).isInstanceOf(PyDict.class);
    PyDict d = (PyDict) top;
    assertThat(d.entries()).extracting(java.util.Map.Entry::getKey).containsExactly("a", "b", "c");
    PyList list = (PyList) d.get("a");
    assertThat(list.items).containsExactly(1L, -2L, 1.5, true, Pickled.None.NONE);
    assertThat(((Tuple) d.get("b")).items()).containsExactly("x", 300L);
    assertThat(d.get("c")).isSameAs(list);
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(bytes(0x80, 2, ')'));
    for (int i = 0; i < Unpickler.MAX_DEPTH + 5; i++) {
      o.write(0x85); // TUPLE1
    }
    o.write('.');
    assertThatThrownBy(() -> load(o.toByteArray())).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: pickle nests deeper than 64 levels");
  }

  @Test
  void refusesAStringLongerThanTheBytesLeftBeforeAllocating() {
    byte[] p = bytes(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, 'a', 'b', '.');
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith("x.pkl: pickle item of 2147483647 bytes exceeds the file");
  }

  @Test
  void refusesOpcodesOutsideTheSupportedSet() {
    byte[] inst = "\u0080\u0002(ios\nsystem\n.".getBytes(StandardCharsets.ISO_8859_1); // protocol 0 INST
    assertThatThrownBy(() -> load(inst)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: unsupported pickle opcode 0x69 at byte 3");
  }

  @Test
  void refusesAGlobalEvenWhenItIsNeverCalled() {
    byte[] p = "\u0080\u0002csubprocess\nPopen\n.".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: refuses pickle global 'subprocess.Popen': only state dicts of tensors are read (for a "
            + "pickled model, save model.state_dict() instead)");
  }

  @Test
  void refusesCallingAnAllowedNameThatIsNotAConstructor() {
    // torch.FloatStorage(()) would build a storage from nothing: only persistent ids may name storages
    byte[] p = "\u0080\u0002ctorch\nFloatStorage\n)R.".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: cannot call 'torch.FloatStorage'");
  }

  @Test
  void refusesAMissingMemoEntryAndStackUnderflow() {
    assertThatThrownBy(() -> load(bytes(0x80, 2, 'h', 7, '.'))).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: pickle memo entry 7 is missing");
    assertThatThrownBy(() -> load(bytes(0x80, 2, 's', '.'))).isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith("x.pkl: malformed pickle (stack underflow");
  }

  @Test
  void refusesAListAsADictKey() {
    byte[] p = bytes(0x80, 2, '}', ']', 'N', 's', '.');
    assertThatThrownBy(() -> load(p)).isInstanceOf(WeightFileException.class)
        .hasMessage("x.pkl: unhashable dict key PyList");
  }

  @Test
  void reportsATruncatedPickle() {
    assertThatThrownBy(() -> load(bytes(0x80, 2, 'J', 1))).isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith("x.pkl: truncated pickle");
  }
}
