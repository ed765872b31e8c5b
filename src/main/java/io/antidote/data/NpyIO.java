package io.antidote.data;

import io.antidote.Pickle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy .npy arrays and .npz archives of them (integer dtypes, C order), and
 * converts between them and {@link ImageSet}s, so data sets prepared in Python can be used and
 * poisoned sets can be inspected there.
 */
public final class NpyIO {
    /** Pass as numClasses to take the number of classes as the largest label plus one. */
    public static final int INFER_CLASSES = 0;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** Fixed entry time so writing the same set twice gives the same bytes. */
    private static final LocalDateTime ZIP_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    private static final String[][] KEY_PAIRS = {{"x", "y"}, {"images", "labels"}, {"arr_0", "arr_1"}};

    private NpyIO() {}

    /** The supported element types: NumPy's descr strings, all little-endian. */
    public enum Dtype {
        U1("|u1", 1), I1("|i1", 1), U2("<u2", 2), I2("<i2", 2), I4("<i4", 4), I8("<i8", 8);

        private final String descr;
        private final int itemSize;

        Dtype(String descr, int itemSize) {
            this.descr = descr;
            this.itemSize = itemSize;
        }

        public String descr() { return descr; }
        public int itemSize() { return itemSize; }

        static Dtype parse(String source, String d) {
            if (d.length() >= 2 && d.charAt(0) == '>' && !d.endsWith("1")) {
                throw Inputs.bad(source, "big-endian dtype '" + d + "' is not supported");
            }
            String body = d.length() >= 1 && "<|=>".indexOf(d.charAt(0)) >= 0 ? d.substring(1) : d;
            for (Dtype t : values()) {
                if (t.descr.substring(1).equals(body)) return t;
            }
            throw Inputs.bad(source, "dtype '" + d + "' is not supported (expected one of |u1, |i1, <u2, <i2, <i4, <i8)");
        }
    }

    /**
     * A C-ordered array: the raw little-endian element bytes and the shape. The data array is
     * shared, not copied, since image arrays run to hundreds of megabytes. Equality compares
     * contents, so arrays read back from disk can be compared with the ones written.
     */
    public record Array(Dtype dtype, int[] shape, byte[] data) {
        public Array {
            shape = shape.clone();
            long n = 1;
            for (int s : shape) {
                if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
                n *= s;
            }
            if (n * dtype.itemSize != data.length) {
                throw new IllegalArgumentException("shape " + shapeString(shape) + " of " + dtype.descr + " needs "
                        + n * dtype.itemSize + " bytes, got " + data.length);
            }
        }

        /** uint8 array over the given bytes (not copied). */
        public static Array uint8(byte[] data, int... shape) {
            return new Array(Dtype.U1, shape, data);
        }

        /** int64 vector. */
        public static Array int64(long... values) {
            byte[] b = new byte[values.length * 8];
            for (int i = 0; i < values.length; i++) {
                long v = values[i];
                for (int k = 0; k < 8; k++) b[i * 8 + k] = (byte) (v >>> (8 * k));
            }
            return new Array(Dtype.I8, new int[]{values.length}, b);
        }

        @Override
        public int[] shape() { return shape.clone(); }

        /** Number of elements. */
        public long count() { return data.length / dtype.itemSize; }

        /** Element i (flat C order) as a signed or unsigned value, per the dtype. */
        public long get(long i) {
            int o = Math.toIntExact(i * dtype.itemSize);
            return switch (dtype) {
                case U1 -> data[o] & 0xff;
                case I1 -> data[o];
                case U2 -> (data[o] & 0xff) | (data[o + 1] & 0xff) << 8;
                case I2 -> (short) ((data[o] & 0xff) | (data[o + 1] & 0xff) << 8);
                case I4 -> (data[o] & 0xff) | (data[o + 1] & 0xff) << 8 | (data[o + 2] & 0xff) << 16 | (data[o + 3] & 0xff) << 24;
                case I8 -> {
                    long v = 0;
                    for (int k = 7; k >= 0; k--) v = v << 8 | (data[o + k] & 0xff);
                    yield v;
                }
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Array a && a.dtype == dtype && Arrays.equals(a.shape, shape) && Arrays.equals(a.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Array[" + dtype.descr + " " + shapeString(shape) + "]";
        }
    }

    // ---- .npy --------------------------------------------------------------------------------

    /** Reads one .npy file. */
    public static Array read(Path npy) {
        try (InputStream in = Files.newInputStream(npy)) {
            return parse(npy.toString(), new BufferedInputStream(in, 1 << 16));
        } catch (IOException e) {
            throw Inputs.io(npy, e);
        }
    }

    /** Writes one .npy file (format 1.0, or 2.0 when the header needs it). */
    public static void write(Array a, Path npy) {
        byte[] header = header(a);
        Inputs.writeAtomically(npy, out -> {
            out.write(header);
            out.write(a.data);
        });
    }

    /** A .npy header: the descr string as written, the order and the shape. */
    private record Header(String descr, boolean fortran, int[] shape) {}

    static Array parse(String source, InputStream in) throws IOException {
        Header h = header(source, in);
        Dtype dtype = Dtype.parse(source, h.descr());
        int[] shape = h.shape();
        // With at most one dimension the two orders coincide, so only real Fortran layouts are refused.
        if (h.fortran() && shape.length >= 2) throw Inputs.bad(source, "fortran_order is True; only C-ordered arrays are supported");
        long count = 1;
        for (int s : shape) count *= s;
        long bytes = count * dtype.itemSize;
        if (bytes > Integer.MAX_VALUE - 16) throw Inputs.bad(source, "array of " + bytes + " bytes is too large");
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw Inputs.bad(source, "data is truncated (" + data.length + " of " + bytes + " bytes for shape " + shapeString(shape) + ")");
        }
        long extra = 0;
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0; ) extra += r;
        if (extra > 0) throw Inputs.bad(source, extra + " trailing bytes after the data of shape " + shapeString(shape));
        return new Array(dtype, shape, data);
    }

    private static Header header(String source, InputStream in) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8 || !Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) throw Inputs.bad(source, "not a .npy file (bad magic)");
        int major = pre[6] & 0xff, minor = pre[7] & 0xff;
        int lenBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw Inputs.bad(source, ".npy format version " + major + "." + minor + " is not supported");
        };
        byte[] lb = in.readNBytes(lenBytes);
        if (lb.length < lenBytes) throw Inputs.bad(source, "header is truncated");
        long hlen = 0;
        for (int k = lenBytes - 1; k >= 0; k--) hlen = hlen << 8 | (lb[k] & 0xff);
        if (hlen > 1 << 20) throw Inputs.bad(source, "header length " + hlen + " is implausible");
        byte[] hb = in.readNBytes((int) hlen);
        if (hb.length < hlen) throw Inputs.bad(source, "header is truncated (" + hb.length + " of " + hlen + " bytes)");
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(source, text).dict();
        Object descr = dict.get("descr"), fortran = dict.get("fortran_order"), shapeObj = dict.get("shape");
        if (descr == null || fortran == null || shapeObj == null) {
            throw Inputs.bad(source, "header must have descr, fortran_order and shape, got " + dict.keySet());
        }
        if (!(descr instanceof String d)) throw Inputs.bad(source, "structured dtypes are not supported");
        if (!(fortran instanceof Boolean f)) throw Inputs.bad(source, "fortran_order is not True or False");
        if (!(shapeObj instanceof int[] shape)) throw Inputs.bad(source, "shape is not a tuple of integers");
        return new Header(d, f, shape);
    }

    /** Magic, version, length and the padded dict, laid out as NumPy writes it. */
    static byte[] header(Array a) {
        String dict = "{'descr': '" + a.dtype.descr + "', 'fortran_order': False, 'shape': " + shapeString(a.shape) + ", }";
        int major = 1;
        int pre = 10;
        int total = pad(pre + dict.length() + 1);
        if (total - pre > 0xffff) {
            major = 2;
            pre = 12;
            total = pad(pre + dict.length() + 1);
        }
        int hlen = total - pre;
        byte[] h = new byte[total];
        System.arraycopy(MAGIC, 0, h, 0, 6);
        h[6] = (byte) major;
        h[7] = 0;
        for (int k = 0; k < pre - 8; k++) h[8 + k] = (byte) (hlen >>> (8 * k));
        byte[] d = dict.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(d, 0, h, pre, d.length);
        Arrays.fill(h, pre + d.length, total - 1, (byte) ' ');
        h[total - 1] = '\n';
        return h;
    }

    private static int pad(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Python tuple syntax, as in the header and in messages: (), (5,), (2, 3). */
    static String shapeString(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) b.append(i > 0 ? ", " : "").append(shape[i]);
        return b.append(')').toString();
    }

    /** The Python-literal subset NumPy headers use: a dict of strings, booleans and int tuples. */
    private static final class HeaderParser {
        private final String source;
        private final String s;
        private int p;

        HeaderParser(String source, String s) {
            this.source = source;
            this.s = s;
        }

        Map<String, Object> dict() {
            Map<String, Object> m = new LinkedHashMap<>();
            expect('{');
            while (true) {
                skip();
                if (peek() == '}') {
                    p++;
                    break;
                }
                String key = string();
                expect(':');
                m.put(key, value());
                skip();
                if (peek() == ',') p++;
                else if (peek() != '}') throw fail("expected ',' or '}'");
            }
            return m;
        }

        private Object value() {
            skip();
            char c = peek();
            if (c == '\'' || c == '"') return string();
            if (c == '(') return tuple();
            if (s.startsWith("True", p)) {
                p += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", p)) {
                p += 5;
                return Boolean.FALSE;
            }
            if (c == '[') {
                // A list descr describes a structured dtype; skip it so the caller can say so.
                int depth = 0;
                do {
                    char x = peek();
                    if (x == '[') depth++;
                    if (x == ']') depth--;
                    p++;
                } while (depth > 0);
                return List.of();
            }
            throw fail("unexpected value");
        }

        private int[] tuple() {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            while (true) {
                skip();
                if (peek() == ')') {
                    p++;
                    break;
                }
                int start = p;
                while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
                if (p == start) throw fail("expected a dimension");
                long v = Long.parseLong(s.substring(start, Math.min(p, start + 12)));
                if (p < s.length() && s.charAt(p) == 'L') p++;
                if (v > Integer.MAX_VALUE) throw Inputs.bad(source, "dimension " + v + " is too large");
                dims.add((int) v);
                skip();
                if (peek() == ',') p++;
                else if (peek() != ')') throw fail("expected ',' or ')'");
            }
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        private String string() {
            skip();
            char q = peek();
            if (q != '\'' && q != '"') throw fail("expected a string");
            int end = s.indexOf(q, p + 1);
            if (end < 0) throw fail("unterminated string");
            String v = s.substring(p + 1, end);
            p = end + 1;
            return v;
        }

        private void expect(char c) {
            skip();
            if (peek() != c) throw fail("expected '" + c + "'");
            p++;
        }

        private void skip() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        }

        private char peek() {
            if (p >= s.length()) throw fail("header ends early");
            return s.charAt(p);
        }

        private RuntimeException fail(String why) {
            return Inputs.bad(source, "malformed header at character " + p + ": " + why);
        }
    }

    // ---- .npz --------------------------------------------------------------------------------

    /** Every .npy member of an .npz, keyed by name without ".npy", in archive order. */
    public static Map<String, Array> readNpz(Path npz) {
        return readNpz(npz, null);
    }

    private static Map<String, Array> readNpz(Path npz, List<String> only) {
        Map<String, Array> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(npz.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory() || !e.getName().endsWith(".npy")) continue;
                String key = e.getName().substring(0, e.getName().length() - 4);
                if (only != null && !only.contains(key)) continue;
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, parse(npz + "[" + key + "]", in));
                } catch (ZipException z) {
                    throw Inputs.bad(npz + "[" + key + "]", "corrupt member (" + z.getMessage() + ")");
                }
            }
        } catch (ZipException e) {
            throw Inputs.bad(npz, "not a valid .npz (zip) file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw Inputs.io(npz, e);
        }
        return out;
    }

    /** The member names (without ".npy") of an .npz, without reading their data. */
    public static List<String> npzKeys(Path npz) {
        List<String> keys = new ArrayList<>();
        try (ZipFile zip = new ZipFile(npz.toFile())) {
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (n.endsWith(".npy")) keys.add(n.substring(0, n.length() - 4));
            }
        } catch (ZipException e) {
            throw Inputs.bad(npz, "not a valid .npz (zip) file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw Inputs.io(npz, e);
        }
        return keys;
    }

    /**
     * Writes arrays as an .npz: STORED like numpy.savez, or DEFLATED like numpy.savez_compressed.
     * Entry times are fixed so the bytes depend only on the arrays.
     */
    public static void writeNpz(Map<String, Array> arrays, Path npz, boolean compressed) {
        Inputs.writeAtomically(npz, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            for (Map.Entry<String, Array> e : arrays.entrySet()) {
                Array a = e.getValue();
                byte[] header = header(a);
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setTimeLocal(ZIP_TIME);
                if (compressed) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    // STORED entries must announce size and CRC before the data.
                    CRC32 crc = new CRC32();
                    crc.update(header);
                    crc.update(a.data);
                    long size = (long) header.length + a.data.length;
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(size);
                    entry.setCompressedSize(size);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(header);
                zip.write(a.data);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    // ---- ImageSet ----------------------------------------------------------------------------

    /**
     * Images from one .npy (uint8, N x H x W x C, or N x H x W read as one channel) and labels
     * from another (any supported integer dtype, N or N x 1).
     */
    public static ImageSet readImageSet(Path xNpy, Path yNpy, int numClasses) {
        String name = xNpy.getFileName().toString().replaceFirst("\\.npy$", "");
        return toImageSet(name, xNpy.toString(), read(xNpy), yNpy.toString(), read(yNpy), numClasses);
    }

    /** Images and labels from an .npz whose keys are x/y, images/labels or arr_0/arr_1 (first pair found). */
    public static ImageSet readImageSet(Path npz, int numClasses) {
        List<String> keys = npzKeys(npz);
        for (String[] pair : KEY_PAIRS) {
            if (keys.contains(pair[0]) && keys.contains(pair[1])) return readImageSet(npz, pair[0], pair[1], numClasses);
        }
        throw Inputs.bad(npz, "no image/label pair among keys " + keys + " (expected x/y, images/labels or arr_0/arr_1)");
    }

    /** Images and labels from the named members of an .npz. */
    public static ImageSet readImageSet(Path npz, String xKey, String yKey, int numClasses) {
        Map<String, Array> m = readNpz(npz, List.of(xKey, yKey));
        for (String k : new String[]{xKey, yKey}) {
            if (!m.containsKey(k)) throw Inputs.bad(npz, "has no member " + k + ".npy (keys " + npzKeys(npz) + ")");
        }
        String name = npz.getFileName().toString().replaceFirst("\\.npz$", "");
        return toImageSet(name, npz + "[" + xKey + "]", m.get(xKey), npz + "[" + yKey + "]", m.get(yKey), numClasses);
    }

    /** Writes x (uint8, N x H x W x C) and y (int64, N) to an .npz, uncompressed like numpy.savez. */
    public static void writeImageSet(ImageSet set, Path npz) {
        int n = set.size();
        byte[] px = new byte[Math.multiplyExact(n, set.imageBytes())];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            set.copyImage(i, px, i * set.imageBytes());
            labels[i] = set.label(i);
        }
        Map<String, Array> m = new LinkedHashMap<>();
        m.put("x", Array.uint8(px, n, set.height(), set.width(), set.channels()));
        m.put("y", Array.int64(labels));
        writeNpz(m, npz, false);
    }

    /**
     * An image set from one .npy object array of (image, label) rows, shape (N, 2): how the ABL
     * repository saves an isolated set (np.save of a list of pairs). The pickle inside is read as
     * data; images must be uint8 arrays of one shape, labels integers or 0-d integer arrays.
     */
    public static ImageSet readPairs(Path npy, int numClasses) {
        String source = npy.toString();
        Header h;
        byte[] payload;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(npy), 1 << 16)) {
            h = header(source, in);
            payload = in.readAllBytes();
        } catch (IOException e) {
            throw Inputs.io(npy, e);
        }
        if (!h.descr().equals("|O")) {
            throw Inputs.bad(source, "holds a " + h.descr() + " array " + shapeString(h.shape()) + ", not (image, label) pairs; give IMAGES.npy,LABELS.npy");
        }
        if (h.shape().length != 2 || h.shape()[1] != 2) throw Inputs.bad(source, "object array of shape " + shapeString(h.shape()) + ", expected (N, 2) pairs");
        Object top = Pickle.load(payload, 0, source, null).value();
        List<Object> cells = objectArrayCells(source, top);
        int n = h.shape()[0];
        if (cells.size() != 2 * n) throw Inputs.bad(source, cells.size() + " objects for shape " + shapeString(h.shape()));
        if (n == 0) throw Inputs.bad(source, "holds no pairs");
        Array first = ndarray(source, cells.get(0), 0);
        int[] s = first.shape;
        byte[] px = new byte[Math.multiplyExact(n, first.data.length)];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            Array img = ndarray(source, cells.get(2 * i), i);
            if (img.dtype != Dtype.U1 || !Arrays.equals(img.shape, s)) {
                throw Inputs.bad(source, "image of pair " + i + " is " + img + ", the first is " + first);
            }
            System.arraycopy(img.data, 0, px, i * first.data.length, first.data.length);
            Object y = cells.get(2 * i + 1);
            if (y instanceof Long l) labels[i] = l;
            else {
                Array ya = ndarray(source, y, i);
                if (ya.count() != 1) throw Inputs.bad(source, "label of pair " + i + " is " + ya + ", not one integer");
                labels[i] = ya.get(0);
            }
        }
        int[] xs = new int[s.length + 1];
        xs[0] = n;
        System.arraycopy(s, 0, xs, 1, s.length);
        String name = npy.getFileName().toString().replaceFirst("\\.npy$", "");
        return toImageSet(name, source, new Array(Dtype.U1, xs, px), source, Array.int64(labels), numClasses);
    }

    private static boolean isNumpy(Pickle.Global g, String name) {
        return g.name().equals(name) && (g.module().equals("numpy.core.multiarray") || g.module().equals("numpy._core.multiarray"));
    }

    /** The elements of a pickled object ndarray, in C order. */
    private static List<Object> objectArrayCells(String source, Object v) {
        if (v instanceof Pickle.Call c && isNumpy(c.callable, "_reconstruct") && c.state instanceof List<?> st && st.size() == 5
                && st.get(4) instanceof List<?> cells) {
            return new ArrayList<>(cells);
        }
        throw Inputs.bad(source, "the pickle inside is not a numpy object array");
    }

    /** A pickled numeric ndarray (or numpy scalar) as an Array; `pair` names it in errors. */
    private static Array ndarray(String source, Object v, int pair) {
        if (v instanceof Pickle.Call c && isNumpy(c.callable, "scalar") && c.args.size() == 2 && c.args.get(1) instanceof byte[] b) {
            return new Array(dtypeOf(source, c.args.get(0), pair), new int[0], b);
        }
        if (v instanceof Pickle.Call c && isNumpy(c.callable, "_reconstruct") && c.state instanceof List<?> st && st.size() == 5
                && st.get(1) instanceof List<?> shapeList && st.get(4) instanceof byte[] data) {
            if (Boolean.TRUE.equals(st.get(3)) && shapeList.size() >= 2) throw Inputs.bad(source, "pair " + pair + " holds a Fortran-ordered array");
            int[] shape = new int[shapeList.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = Math.toIntExact((Long) shapeList.get(i));
            try {
                return new Array(dtypeOf(source, st.get(2), pair), shape, data);
            } catch (IllegalArgumentException e) {
                throw Inputs.bad(source, "pair " + pair + ": " + e.getMessage());
            }
        }
        throw Inputs.bad(source, "pair " + pair + " holds something other than a numeric array");
    }

    /** A pickled numpy.dtype: its type string ('u1', 'i8', ...) with the byte order its state gives. */
    private static Dtype dtypeOf(String source, Object v, int pair) {
        if (v instanceof Pickle.Call c && c.callable.is("numpy.dtype") && !c.args.isEmpty() && c.args.get(0) instanceof String t) {
            String order = c.state instanceof List<?> st && st.size() > 1 && st.get(1) instanceof String o ? o : "|";
            if (order.equals(">")) throw Inputs.bad(source, "pair " + pair + " is big-endian, which is not supported");
            return Dtype.parse(source, (t.equals("u1") || t.equals("i1") ? "|" : "<") + t);
        }
        throw Inputs.bad(source, "pair " + pair + " has no numpy dtype");
    }

    private static ImageSet toImageSet(String name, String xSource, Array x, String ySource, Array y, int numClasses) {
        int[] xs = x.shape;
        if (x.dtype != Dtype.U1 || (xs.length != 3 && xs.length != 4)) {
            throw Inputs.bad(xSource, "images must be uint8 with shape (N, H, W, C) or (N, H, W), got " + x.dtype.descr + " "
                    + shapeString(xs));
        }
        int n = xs[0], h = xs[1], w = xs[2], c = xs.length == 4 ? xs[3] : 1;
        if (h == 0 || w == 0 || c == 0) throw Inputs.bad(xSource, "image shape " + shapeString(xs) + " has an empty dimension");
        int[] ys = y.shape;
        if (!(ys.length == 1 || (ys.length == 2 && ys[1] == 1))) {
            throw Inputs.bad(ySource, "labels must have shape (N,) or (N, 1), got " + shapeString(ys));
        }
        if (ys[0] != n) throw Inputs.bad(ySource, ys[0] + " labels for " + n + " images in " + xSource);
        if (numClasses < 0) throw Inputs.bad(ySource, "numClasses " + numClasses + " is negative");
        int[] labels = new int[n];
        long max = -1;
        for (int i = 0; i < n; i++) {
            long v = y.get(i);
            if (v < 0 || (numClasses > 0 && v >= numClasses) || v > 1_000_000) {
                String range = numClasses > 0 ? "[0," + numClasses + ")" : "[0,1000000]";
                throw Inputs.bad(ySource, "label " + v + " of record " + i + " is outside " + range);
            }
            labels[i] = (int) v;
            max = Math.max(max, v);
        }
        int k = numClasses > 0 ? numClasses : (int) Math.max(1, max + 1);
        return ImageSet.of(name, h, w, c, k, x.data, labels);
    }
}
