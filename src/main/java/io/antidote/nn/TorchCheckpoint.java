package io.antidote.nn;

import io.antidote.BadInputException;
import io.antidote.Pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The state dict of a file written by torch.save, in either of its formats: the zip archive of
 * PyTorch 1.6 and later, or the older single stream (the ABL and NAD repositories' .tar/.pth files).
 * Nothing in the file runs: its pickle is read as data (see {@link Pickle}).
 */
public final class TorchCheckpoint {
    /** The first value of every legacy torch.save stream. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** Where a training script usually keeps the model's state dict inside a larger checkpoint dict. */
    private static final List<String> STATE_DICT_KEYS = List.of("state_dict", "model_state_dict", "model", "net", "state");

    private record Storage(String key, String dtype) {}

    private record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

    private TorchCheckpoint() {}

    /**
     * Whether the file starts like a torch.save file: a zip's local header, or pickle protocol 2 opening
     * with the legacy magic number (a safetensors file starts with its header's length instead).
     */
    static boolean looksLikeTorch(byte[] head) {
        if (head.length < 4) return false;
        return isZip(head) || ((head[0] & 0xff) == 0x80 && head[1] == 0x02 && (head[2] & 0xff) == 0x8a && head[3] == 0x0a);
    }

    /** A zip local file header: torch.save's format since PyTorch 1.6. */
    private static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** The tensors of the checkpoint's state dict, by name, with their dtypes and shapes as saved. */
    public static Map<String, TensorData> read(Path file) {
        byte[] head = new byte[4];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, 4);
            if (isZip(head)) return readZip(file);
            return readLegacy(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static String dtypeOf(Path file, Object storageType) {
        String name = storageType instanceof Pickle.Global g ? g.name() : String.valueOf(storageType);
        return switch (name) {
            case "FloatStorage" -> "F32";
            case "DoubleStorage" -> "F64";
            case "HalfStorage" -> "F16";
            case "BFloat16Storage" -> "BF16";
            case "LongStorage" -> "I64";
            case "IntStorage" -> "I32";
            case "ShortStorage" -> "I16";
            case "CharStorage" -> "I8";
            case "ByteStorage" -> "U8";
            case "BoolStorage" -> "BOOL";
            default -> throw new BadInputException(file + ": tensor storage of type " + name + " is not supported");
        };
    }

    /** Turns a persistent id ('storage', type, key, location, size[, view]) into a storage reference, noting its dtype. */
    private static Object storage(Path file, Object pid, Map<String, String> dtypes) {
        if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new BadInputException(file + ": a persistent id that is not a tensor storage: " + pid);
        }
        String key = String.valueOf(t.get(2));
        String dtype = dtypeOf(file, t.get(1));
        dtypes.put(key, dtype);
        return new Storage(key, dtype);
    }

    private static Map<String, TensorData> readLegacy(Path file, byte[] all) {
        Pickle.Loaded magic = Pickle.load(all, 0, file.toString(), null);
        Object m = magic.value();
        if (!(m instanceof BigInteger big && big.equals(LEGACY_MAGIC))) {
            throw new BadInputException(file + ": neither safetensors nor a torch.save file (first pickled value " + m + ")");
        }
        Pickle.Loaded protocol = Pickle.load(all, magic.end(), file.toString(), null);
        if (!Long.valueOf(1001).equals(protocol.value())) throw new BadInputException(file + ": torch.save protocol " + protocol.value() + ", expected 1001");
        Pickle.Loaded sysInfo = Pickle.load(all, protocol.end(), file.toString(), null);
        if (sysInfo.value() instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new BadInputException(file + ": saved on a big-endian machine, which is not supported");
        }
        Map<String, String> dtypes = new HashMap<>();
        Pickle.Loaded obj = Pickle.load(all, sysInfo.end(), file.toString(), pid -> storage(file, pid, dtypes));
        Pickle.Loaded keys = Pickle.load(all, obj.end(), file.toString(), null);
        if (!(keys.value() instanceof List<?> keyList)) throw new BadInputException(file + ": no list of storage keys after the pickle");
        // then each storage in that order: its element count (int64) and its bytes
        Map<String, byte[]> storages = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int pos = keys.end();
        for (Object k : keyList) {
            String key = String.valueOf(k);
            String dtype = dtypes.get(key);
            if (dtype == null) throw new BadInputException(file + ": storage " + key + " is listed but no tensor uses it");
            if (pos + 8 > all.length) throw new BadInputException(file + ": ends before storage " + key);
            long numel = b.getLong(pos);
            long n = numel * TensorData.elementSize(dtype);
            if (numel < 0 || pos + 8 + n > all.length) throw new BadInputException(file + ": storage " + key + " of " + numel + " elements does not fit the file");
            byte[] data = new byte[(int) n];
            System.arraycopy(all, pos + 8, data, 0, data.length);
            storages.put(key, data);
            pos += 8 + (int) n;
        }
        return stateDict(file, obj.value(), storages);
    }

    private static Map<String, TensorData> readZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = null;
            for (var en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().endsWith("/data.pkl") && e.getName().indexOf('/') == e.getName().length() - "/data.pkl".length()) pkl = e;
            }
            if (pkl == null) throw new BadInputException(file + ": a zip without a torch.save data.pkl");
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, String> dtypes = new HashMap<>();
            Object obj = Pickle.load(readEntry(zip, pkl), 0, file + "!" + pkl.getName(), pid -> storage(file, pid, dtypes)).value();
            Map<String, byte[]> storages = new HashMap<>();
            for (String key : dtypes.keySet()) {
                ZipEntry e = zip.getEntry(prefix + "data/" + key);
                if (e == null) throw new BadInputException(file + ": storage " + key + " is missing from the archive");
                storages.put(key, readEntry(zip, e));
            }
            return stateDict(file, obj, storages);
        } catch (IOException e) {
            throw new BadInputException(file + ": not a readable zip (" + e.getMessage() + ")");
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** The tensor a rebuild call describes, or null when the value is not a tensor. */
    private static TensorRef tensorRef(Path file, Object v) {
        if (!(v instanceof Pickle.Call c)) return null;
        if (c.callable.is("torch._utils._rebuild_parameter") && !c.args.isEmpty()) return tensorRef(file, c.args.get(0));
        if (!(c.callable.is("torch._utils._rebuild_tensor_v2") || c.callable.is("torch._utils._rebuild_tensor"))) return null;
        if (c.args.size() < 4 || !(c.args.get(0) instanceof Storage s)) throw new BadInputException(file + ": a tensor without its storage");
        return new TensorRef(s, asLong(file, c.args.get(1)), longs(file, c.args.get(2)), longs(file, c.args.get(3)));
    }

    private static long asLong(Path file, Object o) {
        if (o instanceof Long l) return l;
        throw new BadInputException(file + ": expected an integer in a tensor's layout, got " + o);
    }

    private static long[] longs(Path file, Object o) {
        if (!(o instanceof List<?> l)) throw new BadInputException(file + ": expected a tuple in a tensor's layout, got " + o);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = asLong(file, l.get(i));
        return out;
    }

    /** The checkpoint's state dict: the top-level dict when its values are tensors, else the first of the usual keys that is one. */
    private static Map<String, TensorData> stateDict(Path file, Object top, Map<String, byte[]> storages) {
        List<Object> candidates = new ArrayList<>();
        candidates.add(top);
        if (top instanceof Map<?, ?> m) for (String k : STATE_DICT_KEYS) if (m.containsKey(k)) candidates.add(m.get(k));
        for (Object c : candidates) {
            if (!(c instanceof Map<?, ?> m) || m.isEmpty()) continue;
            Map<String, TensorData> out = new LinkedHashMap<>();
            boolean all = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                TensorRef t = tensorRef(file, e.getValue());
                if (!(e.getKey() instanceof String name) || t == null) { all = false; break; }
                out.put(name, materialise(file, name, t, storages));
            }
            if (all) return out;
        }
        String keys = top instanceof Map<?, ?> m ? " (top-level keys " + m.keySet() + ")" : "";
        throw new BadInputException(file + ": no state dict of tensors found" + keys + "; expected the dict itself or one under "
                + String.join(", ", STATE_DICT_KEYS));
    }

    /** Copies a tensor out of its storage, following its strides, into a contiguous row-major block. */
    private static TensorData materialise(Path file, String name, TensorRef t, Map<String, byte[]> storages) {
        byte[] src = storages.get(t.storage().key());
        if (src == null) throw new BadInputException(file + ": tensor '" + name + "' has no storage " + t.storage().key());
        int es = TensorData.elementSize(t.storage().dtype());
        long numel = 1;
        for (long s : t.size()) numel *= s;
        byte[] out = new byte[Math.toIntExact(numel * es)];
        int rank = t.size().length;
        long[] idx = new long[rank];
        for (long i = 0; i < numel; i++) {
            long off = t.offset();
            for (int d = 0; d < rank; d++) off += idx[d] * t.stride()[d];
            if (off < 0 || (off + 1) * es > src.length) throw new BadInputException(file + ": tensor '" + name + "' reaches outside its storage");
            System.arraycopy(src, (int) (off * es), out, (int) (i * es), es);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < t.size()[d]) break;
                idx[d] = 0;
            }
        }
        return new TensorData(t.storage().dtype(), t.size().clone(), out);
    }
}
