package org.maha.weights;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maha.weights.Pickled.Global;
import org.maha.weights.Pickled.None;
import org.maha.weights.Pickled.PyDict;
import org.maha.weights.Pickled.PyList;
import org.maha.weights.Pickled.StorageRef;
import org.maha.weights.Pickled.TensorRef;
import org.maha.weights.Pickled.Tuple;

/**
 * A minimal, safe interpreter for the pickle opcodes (protocols 2 to 5) that {@code torch.save} emits for state
 * dicts. Unlike Python's unpickler it never imports or calls anything: {@code GLOBAL}/{@code STACK_GLOBAL} accept only
 * the names in {@link #ALLOWED} and refuse every other one at once, and {@code REDUCE}/{@code NEWOBJ} on an
 * allowed name just build a value ({@link PyDict}, {@link TensorRef}). Every length is checked against the bytes
 * left before anything is allocated, and the work is bounded: opcodes ({@link #MAX_OPCODES}), memo entries
 * ({@link #MAX_MEMO}), items per container ({@link #MAX_ITEMS}), the tree size of a tuple with shared parts
 * ({@link #MAX_TUPLE_NODES}) and nesting ({@link #MAX_DEPTH}). Values are shown in messages only through
 * {@link Pickled#render}, which has a size budget. So a hostile file can neither run code, nor spin, nor make the
 * reader allocate more than these bounds allow.
 */
final class Unpickler {

  /** Resolves a persistent id ({@code BINPERSID}) to a value, e.g. a storage reference. */
  interface PersistentLoader {
    Object load(Tuple pid) throws WeightFileException;
  }

  /** Every global a tensor state dict needs; anything else is refused (see the class comment). */
  static final Set<String> ALLOWED = Set.of(
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor_v2",
      "torch._utils._rebuild_parameter",
      "torch._utils._rebuild_parameter_with_state",
      "torch.Size",
      "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage",
      "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
      "torch.BoolStorage",
      "torch.float32", "torch.float16", "torch.bfloat16", "torch.float64", "torch.int64", "torch.int32",
      "torch.int16", "torch.int8", "torch.uint8", "torch.bool");

  /** Deepest container nesting accepted; state dicts nest three or four levels. */
  static final int MAX_DEPTH = 64;
  /**
   * Opcodes interpreted per pickle. A state dict needs about 20 per tensor (a training checkpoint with its
   * optimizer state a few times more), so 4M admits hundreds of thousands of tensors while bounding the objects
   * built (each opcode builds at most one) to some 200 MB in the worst case.
   */
  static final long MAX_OPCODES = 1L << 22;
  /** Memo entries per pickle (torch.save memoises about three objects per tensor). */
  static final int MAX_MEMO = 1 << 20;
  /** Items per list or dict, and per MARK group. */
  static final int MAX_ITEMS = 1 << 20;
  /**
   * Nodes in a tuple's tree, counting a shared item once per use: tuples in state dicts (sizes, strides, persistent
   * ids) have a handful; the bound keeps hashing, comparing and printing a tuple cheap.
   */
  static final long MAX_TUPLE_NODES = 1 << 12;
  /** Nodes of a tuple used as a dict key; comparing keys costs at most this. State dicts key by strings. */
  static final long MAX_KEY_NODES = 64;
  /** Longest integer accepted (bytes); LONG1 holds the legacy magic number in 10. */
  private static final int MAX_LONG_BYTES = 64;

  private final ByteBuffer in;
  private final String source;
  private final PersistentLoader persistent;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private long opcodes;

  /** Reads from {@code in}'s position on; after {@link #load()} the position is just past STOP. */
  Unpickler(ByteBuffer in, String source, PersistentLoader persistent) {
    this.in = in.order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
    this.persistent = persistent;
  }

  /** Interprets opcodes up to STOP and returns the top of the stack. */
  Object load() throws WeightFileException {
    try {
      return run();
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw fail("truncated pickle at byte " + in.position());
    }
  }

  private Object run() throws WeightFileException {
    stack.clear();
    marks.clear();
    memo.clear();
    opcodes = 0;
    while (true) {
      if (++opcodes > MAX_OPCODES) {
        throw fail("pickle has more than " + MAX_OPCODES + " opcodes (not a state dict)");
      }
      int op = in.get() & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int proto = in.get() & 0xff;
          if (proto > 5) {
            throw fail("unsupported pickle protocol " + proto);
          }
        }
        case 0x95 -> { // FRAME: a length hint only
          long len = in.getLong();
          if (len < 0 || len > in.remaining()) {
            throw fail("pickle frame of " + len + " bytes exceeds the file");
          }
        }
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw fail("malformed pickle (stack has " + stack.size() + " items at STOP)");
          }
          return stack.get(0);
        }
        case '(' -> marks.add(stack.size()); // MARK
        case '}' -> stack.add(new PyDict()); // EMPTY_DICT
        case ']' -> stack.add(new PyList()); // EMPTY_LIST
        case ')' -> stack.add(tuple(List.of())); // EMPTY_TUPLE
        case 'N' -> stack.add(None.NONE);
        case 0x88 -> stack.add(Boolean.TRUE); // NEWTRUE
        case 0x89 -> stack.add(Boolean.FALSE); // NEWFALSE
        case 'J' -> stack.add((long) in.getInt()); // BININT
        case 'K' -> stack.add((long) (in.get() & 0xff)); // BININT1
        case 'M' -> stack.add((long) (in.getShort() & 0xffff)); // BININT2
        case 0x8a -> stack.add(longBytes(in.get() & 0xff)); // LONG1
        case 0x8b -> stack.add(longBytes(length(in.getInt() & 0xffffffffL))); // LONG4
        case 'G' -> stack.add(in.duplicate().order(ByteOrder.BIG_ENDIAN).getDouble(advance(8))); // BINFLOAT
        case 'X' -> stack.add(utf8(length(in.getInt() & 0xffffffffL))); // BINUNICODE
        case 0x8c -> stack.add(utf8(in.get() & 0xff)); // SHORT_BINUNICODE
        case 0x8d -> stack.add(utf8(length(in.getLong()))); // BINUNICODE8
        case 'T' -> stack.add(latin1(length(in.getInt() & 0xffffffffL))); // BINSTRING (Python 2)
        case 'U' -> stack.add(latin1(in.get() & 0xff)); // SHORT_BINSTRING (Python 2)
        case 'B' -> stack.add(bytes(length(in.getInt() & 0xffffffffL))); // BINBYTES
        case 'C' -> stack.add(bytes(in.get() & 0xff)); // SHORT_BINBYTES
        case 0x8e -> stack.add(bytes(length(in.getLong()))); // BINBYTES8
        case 't' -> stack.add(tuple(popMark())); // TUPLE
        case 0x85 -> stack.add(tuple(List.of(pop()))); // TUPLE1
        case 0x86 -> { // TUPLE2
          Object b = pop();
          Object a = pop();
          stack.add(tuple(List.of(a, b)));
        }
        case 0x87 -> { // TUPLE3
          Object c = pop();
          Object b = pop();
          Object a = pop();
          stack.add(tuple(List.of(a, b, c)));
        }
        case 'a' -> { // APPEND
          Object v = pop();
          append(peek(), v);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark();
          Object list = peek();
          for (Object v : items) {
            append(list, v);
          }
        }
        case 's' -> { // SETITEM
          Object v = pop();
          Object k = pop();
          setItem(peek(), k, v);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          if (items.size() % 2 != 0) {
            throw fail("SETITEMS with an odd number of items");
          }
          Object dict = peek();
          for (int i = 0; i < items.size(); i += 2) {
            setItem(dict, items.get(i), items.get(i + 1));
          }
        }
        case 'q' -> memoPut(in.get() & 0xff); // BINPUT
        case 'r' -> memoPut(in.getInt() & 0xffffffffL); // LONG_BINPUT
        case 0x94 -> memoPut(memo.size()); // MEMOIZE
        case 'h' -> stack.add(memoGet(in.get() & 0xff)); // BINGET
        case 'j' -> stack.add(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
        case '0' -> pop(); // POP
        case '1' -> popMark(); // POP_MARK
        case '2' -> stack.add(peek()); // DUP
        case 'c' -> stack.add(global(line(), line())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings");
          }
          stack.add(global(m, n));
        }
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          stack.add(call(callable, args));
        }
        case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
          Object args = pop();
          Object cls = pop();
          if (!(cls instanceof Global g) || !g.qualified().equals("collections.OrderedDict")) {
            throw fail("NEWOBJ of " + describe(cls) + " is not supported");
          }
          stack.add(new PyDict());
        }
        case 'b' -> { // BUILD: the state of an OrderedDict (its _metadata) or a tensor is not needed
          pop();
          Object target = peek();
          if (!(target instanceof PyDict) && !(target instanceof TensorRef)) {
            throw fail("BUILD on " + describe(target) + " is not supported");
          }
        }
        case 'Q' -> { // BINPERSID
          Object pid = pop();
          if (!(pid instanceof Tuple t)) {
            throw fail("persistent id is not a tuple");
          }
          stack.add(persistent.load(t));
        }
        default -> throw fail(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
      }
    }
  }

  private void memoPut(long index) throws WeightFileException {
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
      throw fail("pickle memo has more than " + MAX_MEMO + " entries");
    }
    memo.put(index, peek());
  }

  private Object global(String module, String name) throws WeightFileException {
    String q = module + "." + name;
    if (!ALLOWED.contains(q)) {
      throw fail("refuses pickle global '" + q + "': only state dicts of tensors are read (for a pickled model, "
          + "save model.state_dict() instead)");
    }
    return new Global(module, name);
  }

  private Object call(Object callable, Object argsObj) throws WeightFileException {
    if (!(callable instanceof Global g)) {
      throw fail("REDUCE on " + describe(callable) + " is not supported");
    }
    if (!(argsObj instanceof Tuple args)) {
      throw fail("REDUCE arguments are not a tuple");
    }
    switch (g.qualified()) {
      case "collections.OrderedDict":
        if (args.size() != 0) {
          throw fail("OrderedDict with constructor arguments is not supported");
        }
        return new PyDict();
      case "torch._utils._rebuild_tensor_v2":
        return rebuildTensor(args);
      case "torch._utils._rebuild_parameter":
      case "torch._utils._rebuild_parameter_with_state":
        if (args.size() < 1 || !(args.get(0) instanceof TensorRef)) {
          throw fail(g.qualified() + " without a tensor");
        }
        return args.get(0);
      case "torch.Size":
        if (args.size() != 1 || !(args.get(0) instanceof Tuple)) {
          throw fail("torch.Size needs one tuple");
        }
        return args.get(0);
      default:
        throw fail("cannot call '" + g.qualified() + "'");
    }
  }

  /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private TensorRef rebuildTensor(Tuple args) throws WeightFileException {
    if (args.size() < 4 || !(args.get(0) instanceof StorageRef storage) || !(args.get(1) instanceof Long offset)
        || !(args.get(2) instanceof Tuple size) || !(args.get(3) instanceof Tuple stride)
        || size.size() != stride.size()) {
      throw fail("malformed _rebuild_tensor_v2 arguments");
    }
    if (size.size() > TorchStorages.MAX_RANK) {
      throw fail("tensor of more than " + TorchStorages.MAX_RANK + " dimensions");
    }
    long[] sz = longs(size);
    long[] st = longs(stride);
    if (offset < 0) {
      throw fail("negative storage offset " + offset);
    }
    for (int i = 0; i < sz.length; i++) {
      if (sz[i] < 0 || st[i] < 0) {
        throw fail("negative size or stride in tensor " + java.util.Arrays.toString(sz));
      }
    }
    return new TensorRef(storage, offset, sz, st);
  }

  private long[] longs(Tuple t) throws WeightFileException {
    long[] out = new long[t.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(t.get(i) instanceof Long v)) {
        throw fail("tensor size or stride is not an integer");
      }
      out[i] = v;
    }
    return out;
  }

  private Tuple tuple(List<Object> items) throws WeightFileException {
    int depth = 1;
    long nodes = 1;
    for (Object o : items) {
      depth = Math.max(depth, depth(o) + 1);
      nodes += o instanceof Tuple t ? t.nodes() : 1;
    }
    if (depth > MAX_DEPTH) {
      throw fail("pickle nests deeper than " + MAX_DEPTH + " levels");
    }
    if (nodes > MAX_TUPLE_NODES) {
      throw fail("pickle tuple of more than " + MAX_TUPLE_NODES + " items (nested or shared)");
    }
    return new Tuple(items, depth, nodes);
  }

  private static int depth(Object o) {
    if (o instanceof Tuple t) {
      return t.depth();
    }
    if (o instanceof PyList l) {
      return l.depth;
    }
    if (o instanceof PyDict d) {
      return d.depth;
    }
    return 0;
  }

  private void append(Object list, Object v) throws WeightFileException {
    if (!(list instanceof PyList l)) {
      throw fail("APPEND to " + describe(list));
    }
    l.depth = Math.max(l.depth, depth(v) + 1);
    if (l.depth > MAX_DEPTH) {
      throw fail("pickle nests deeper than " + MAX_DEPTH + " levels");
    }
    if (l.items.size() >= MAX_ITEMS) {
      throw fail("pickle list of more than " + MAX_ITEMS + " items");
    }
    l.items.add(v);
  }

  private void setItem(Object dict, Object k, Object v) throws WeightFileException {
    if (!(dict instanceof PyDict d)) {
      throw fail("SETITEM on " + describe(dict));
    }
    if (!hashable(k)) {
      throw fail("unhashable dict key " + describe(k));
    }
    if (k instanceof Tuple t && t.nodes() > MAX_KEY_NODES) {
      throw fail("dict key tuple of more than " + MAX_KEY_NODES + " items (nested or shared)");
    }
    if (d.size() >= MAX_ITEMS && !d.containsKey(k)) {
      throw fail("pickle dict of more than " + MAX_ITEMS + " items");
    }
    d.depth = Math.max(d.depth, Math.max(depth(k), depth(v)) + 1);
    if (d.depth > MAX_DEPTH) {
      throw fail("pickle nests deeper than " + MAX_DEPTH + " levels");
    }
    d.put(k, v);
  }

  /** Keys must have value semantics; lists, dicts and byte arrays would compare by identity (or recurse). */
  private static boolean hashable(Object k) {
    if (k instanceof Tuple t) {
      for (Object o : t.items()) {
        if (!hashable(o)) {
          return false;
        }
      }
      return true;
    }
    return k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
        || k instanceof Boolean || k instanceof None || k instanceof Global;
  }

  private Object memoGet(long index) throws WeightFileException {
    Object v = memo.get(index);
    if (v == null) {
      throw fail("pickle memo entry " + index + " is missing");
    }
    return v;
  }

  private Object pop() throws WeightFileException {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw fail("malformed pickle (stack underflow at byte " + in.position() + ")");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws WeightFileException {
    if (stack.isEmpty()) {
      throw fail("malformed pickle (empty stack at byte " + in.position() + ")");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() throws WeightFileException {
    if (marks.isEmpty()) {
      throw fail("malformed pickle (no MARK at byte " + in.position() + ")");
    }
    int m = marks.remove(marks.size() - 1);
    if (stack.size() - m > MAX_ITEMS) {
      throw fail("pickle MARK group of more than " + MAX_ITEMS + " items");
    }
    List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }

  /** A length field, refused when it claims more bytes than remain, before anything is allocated. */
  private int length(long n) throws WeightFileException {
    if (n < 0 || n > in.remaining()) {
      throw fail("pickle item of " + n + " bytes exceeds the file (" + in.remaining() + " bytes left)");
    }
    return (int) n;
  }

  private int advance(int n) throws WeightFileException {
    int p = in.position();
    if (n > in.remaining()) {
      throw fail("truncated pickle at byte " + p);
    }
    in.position(p + n);
    return p;
  }

  private Object longBytes(int n) throws WeightFileException {
    if (n > MAX_LONG_BYTES) {
      throw fail("integer of " + n + " bytes is too long");
    }
    byte[] le = bytes(length(n));
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private byte[] bytes(int n) throws WeightFileException {
    byte[] b = new byte[length(n)];
    in.get(b);
    return b;
  }

  private String utf8(int n) throws WeightFileException {
    byte[] b = bytes(n);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw fail("invalid UTF-8 string in pickle");
    }
  }

  private String latin1(int n) throws WeightFileException {
    return new String(bytes(n), StandardCharsets.ISO_8859_1);
  }

  /** A newline-terminated ASCII line of GLOBAL, at most 256 bytes. */
  private String line() throws WeightFileException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (!in.hasRemaining()) {
        throw fail("truncated pickle in GLOBAL");
      }
      int c = in.get() & 0xff;
      if (c == '\n') {
        return sb.toString();
      }
      if (c < 0x20 || c > 0x7e || sb.length() >= 256) {
        throw fail("malformed GLOBAL name");
      }
      sb.append((char) c);
    }
  }

  private static String describe(Object o) {
    if (o instanceof Global g) {
      return "'" + g.qualified() + "'";
    }
    return o == null ? "nothing" : o.getClass().getSimpleName();
  }

  private WeightFileException fail(String problem) {
    return WeightFileException.of(source, problem);
  }
}
