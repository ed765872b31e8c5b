package io.antidote;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads Python pickles into plain Java values without running anything: the files PyTorch and numpy
 * write for checkpoints and object arrays. Classes stay names ({@link Global}), calls stay records of
 * what would have been called ({@link Call}), so a checkpoint from an untrusted source is only data.
 * Values: null, Boolean, Long or BigInteger, Double, String, byte[], List (lists and tuples), LinkedHashMap.
 */
public final class Pickle {
    /** A class or function named by a pickle, e.g. torch._utils._rebuild_tensor_v2. */
    public record Global(String module, String name) {
        public boolean is(String qualified) {
            return qualified.equals(module + "." + name);
        }
    }

    /** What REDUCE or NEWOBJ would have called, with the state BUILD later gave it and any items set on it. */
    public static final class Call {
        public final Global callable;
        public final List<Object> args;
        public Object state;
        public final Map<Object, Object> items = new LinkedHashMap<>();
        public final List<Object> appended = new ArrayList<>();

        Call(Global callable, List<Object> args) {
            this.callable = callable;
            this.args = args;
        }
    }

    private static final Object MARK = new Object();

    private final byte[] in;
    private final String source;
    private final Function<Object, Object> persistentLoad;
    private int pos;

    private Pickle(byte[] in, int start, String source, Function<Object, Object> persistentLoad) {
        this.in = in;
        this.pos = start;
        this.source = source;
        this.persistentLoad = persistentLoad;
    }

    /** The value pickled at `start`, and the offset just past its STOP (where a following pickle begins). */
    public record Loaded(Object value, int end) {}

    /**
     * Unpickles one value. `persistentLoad` turns a persistent id (PyTorch's storages) into a value; a
     * pickle that has one while it is null is refused. `source` names the file in error messages.
     */
    public static Loaded load(byte[] bytes, int start, String source, Function<Object, Object> persistentLoad) {
        Pickle p = new Pickle(bytes, start, source, persistentLoad);
        Object v = p.run();
        return new Loaded(v, p.pos);
    }

    private BadInputException bad(String what) {
        return new BadInputException(source + ": " + what + " at byte " + pos);
    }

    private int u8() {
        if (pos >= in.length) throw bad("pickle ends early");
        return in[pos++] & 0xff;
    }

    private ByteBuffer take(long n) {
        if (n < 0 || pos + n > in.length) throw bad("pickle ends early (" + n + " bytes wanted)");
        ByteBuffer b = ByteBuffer.wrap(in, pos, (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
        pos += (int) n;
        return b;
    }

    private byte[] bytes(long n) {
        ByteBuffer b = take(n);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') pos++;
        if (pos >= in.length) throw bad("pickle ends inside a name");
        String s = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        pos++;
        return s;
    }

    private static Object integer(byte[] littleEndian) {
        byte[] be = new byte[littleEndian.length];
        for (int i = 0; i < be.length; i++) be[i] = littleEndian[be.length - 1 - i];
        BigInteger v = be.length == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private List<Object> popMark(List<Object> stack) {
        int m = stack.size() - 1;
        while (m >= 0 && stack.get(m) != MARK) m--;
        if (m < 0) throw bad("no MARK on the stack");
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private static Object pop(List<Object> stack) {
        return stack.remove(stack.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> kv) {
        if (kv.size() % 2 != 0) throw bad("odd number of dictionary items");
        Map<Object, Object> map = target instanceof Map ? (Map<Object, Object>) target
                : target instanceof Call c ? c.items : null;
        if (map == null) throw bad("items set on a " + (target == null ? "None" : target.getClass().getSimpleName()));
        for (int i = 0; i < kv.size(); i += 2) map.put(kv.get(i), kv.get(i + 1));
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, List<Object> values) {
        if (target instanceof List) ((List<Object>) target).addAll(values);
        else if (target instanceof Call c) c.appended.addAll(values);
        else throw bad("items appended to a " + (target == null ? "None" : target.getClass().getSimpleName()));
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof Global g)) throw bad("a call of something that is not a named class or function");
        if (!(args instanceof List<?> a)) throw bad("call arguments that are not a tuple");
        // an OrderedDict is built empty and filled by SETITEMS; a plain map keeps its order too
        if (g.is("collections.OrderedDict") && a.isEmpty()) return new LinkedHashMap<>();
        // protocol 2 has no bytes opcode: Python 3 writes bytes as _codecs.encode(text, 'latin1')
        if (g.is("_codecs.encode") && a.size() == 2 && a.get(0) instanceof String text && "latin1".equals(a.get(1))) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
        @SuppressWarnings("unchecked") List<Object> argList = (List<Object>) a;
        return new Call(g, argList);
    }

    private Object run() {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> u8();                                       // PROTO
                case 0x95 -> take(8);                                    // FRAME
                case '.' -> {                                            // STOP
                    if (stack.size() != 1) throw bad("pickle stops with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
                case '(' -> stack.add(MARK);
                case ')' -> stack.add(List.of());
                case 't' -> stack.add(Collections.unmodifiableList(popMark(stack)));
                case 0x85 -> stack.add(tuple(pop(stack)));
                case 0x86 -> { Object b = pop(stack), a = pop(stack); stack.add(tuple(a, b)); }
                case 0x87 -> { Object c = pop(stack), b = pop(stack), a = pop(stack); stack.add(tuple(a, b, c)); }
                case ']' -> stack.add(new ArrayList<>());
                case 'l' -> stack.add(popMark(stack));
                case 'a' -> { Object v = pop(stack); append(stack.get(stack.size() - 1), tuple(v)); }
                case 'e' -> { List<Object> vs = popMark(stack); append(stack.get(stack.size() - 1), vs); }
                case '}' -> stack.add(new LinkedHashMap<>());
                case 'd' -> { List<Object> kv = popMark(stack); Map<Object, Object> m = new LinkedHashMap<>(); setItems(m, kv); stack.add(m); }
                case 's' -> { Object v = pop(stack), k = pop(stack); setItems(stack.get(stack.size() - 1), tuple(k, v)); }
                case 'u' -> { List<Object> kv = popMark(stack); setItems(stack.get(stack.size() - 1), kv); }
                case 0x8f -> stack.add(new ArrayList<>());               // EMPTY_SET, kept as a list
                case 0x90 -> { List<Object> vs = popMark(stack); append(stack.get(stack.size() - 1), vs); }
                case 0x91 -> stack.add(popMark(stack));                  // FROZENSET
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) take(4).getInt());
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (take(2).getShort() & 0xffff));
                case 0x8a -> stack.add(integer(bytes(u8())));
                case 0x8b -> stack.add(integer(bytes(take(4).getInt() & 0xffffffffL)));
                case 'G' -> stack.add(take(8).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'X' -> stack.add(new String(bytes(take(4).getInt() & 0xffffffffL), StandardCharsets.UTF_8));
                case 0x8c -> stack.add(new String(bytes(u8()), StandardCharsets.UTF_8));
                case 0x8d -> stack.add(new String(bytes(take(8).getLong()), StandardCharsets.UTF_8));
                case 'U' -> stack.add(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case 'T' -> stack.add(new String(bytes(take(4).getInt() & 0xffffffffL), StandardCharsets.ISO_8859_1));
                case 'B' -> stack.add(bytes(take(4).getInt() & 0xffffffffL));
                case 'C' -> stack.add(bytes(u8()));
                case 0x8e -> stack.add(bytes(take(8).getLong()));
                case 0x96 -> stack.add(bytes(take(8).getLong()));       // BYTEARRAY8
                case 'c' -> { String module = line(); stack.add(new Global(module, line())); }
                case 0x93 -> {                                           // STACK_GLOBAL
                    Object name = pop(stack), module = pop(stack);
                    if (!(name instanceof String n) || !(module instanceof String m)) throw bad("STACK_GLOBAL without two names");
                    stack.add(new Global(m, n));
                }
                case 'R' -> { Object args = pop(stack), fn = pop(stack); stack.add(call(fn, args)); }
                case 0x81 -> { Object args = pop(stack), cls = pop(stack); stack.add(call(cls, args)); }
                case 'b' -> {                                            // BUILD
                    Object state = pop(stack), target = stack.get(stack.size() - 1);
                    if (target instanceof Call c) c.state = state;
                    else if (target instanceof Map) { /* attributes of a dict subclass (a state dict's _metadata): not items */ }
                    else throw bad("BUILD on a " + (target == null ? "None" : target.getClass().getSimpleName()));
                }
                case 'q' -> memo.put((long) u8(), stack.get(stack.size() - 1));
                case 'r' -> memo.put(take(4).getInt() & 0xffffffffL, stack.get(stack.size() - 1));
                case 0x94 -> memo.put((long) memo.size(), stack.get(stack.size() - 1));
                case 'h' -> stack.add(memoGet(memo, u8()));
                case 'j' -> stack.add(memoGet(memo, take(4).getInt() & 0xffffffffL));
                case 'Q' -> {                                            // BINPERSID
                    if (persistentLoad == null) throw bad("a persistent id, which this kind of file does not use");
                    stack.add(persistentLoad.apply(pop(stack)));
                }
                default -> {
                    pos--;
                    throw bad(String.format("unsupported pickle opcode 0x%02x", op));
                }
            }
        }
    }

    private Object memoGet(Map<Long, Object> memo, long key) {
        if (!memo.containsKey(key)) throw bad("memo key " + key + " was never stored");
        return memo.get(key);
    }

    /** A tuple as an unmodifiable list (None elements allowed, unlike List.of). */
    private static List<Object> tuple(Object... items) {
        return Collections.unmodifiableList(Arrays.asList(items));
    }
}
