package io.antidote.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antidote.BadInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw
 * little-endian data), which Python users open with one call; writes are atomic.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {}

    /** Tensors plus the free-form string metadata of the "__metadata__" entry. */
    public record Contents(Map<String, TensorData> tensors, Map<String, String> metadata) {}

    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            TensorData t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype());
            var shape = n.putArray("shape");
            for (long s : t.shape()) shape.add(s);
            var off = n.putArray("data_offsets");
            off.add(offset);
            offset += t.data().length;
            off.add(offset);
        }
        byte[] h = JSON.writeValueAsBytes(header);
        // pad the header with spaces to 8 bytes so the data is aligned, as the reference writer does
        int pad = (8 - h.length % 8) % 8;
        byte[] padded = new byte[h.length + pad];
        System.arraycopy(h, 0, padded, 0, h.length);
        for (int i = h.length; i < padded.length; i++) padded[i] = ' ';
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
            out.write(padded);
            for (TensorData t : tensors.values()) out.write(t.data());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static Contents read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (all.length < 8) throw new BadInputException(file + ": not a safetensors file (" + all.length + " bytes)");
        long hlen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (hlen <= 0 || 8 + hlen > all.length) {
            throw new BadInputException(file + ": header length " + hlen + " does not fit the file of " + all.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) hlen, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(file + ": header is not JSON");
        }
        long base = 8 + hlen;
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode n = e.getValue();
            String dtype = n.path("dtype").asText();
            JsonNode sh = n.path("shape");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = sh.get(i).asLong();
            long begin = n.path("data_offsets").path(0).asLong(-1);
            long end = n.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin || base + end > all.length) {
                throw new BadInputException(file + ": tensor '" + e.getKey() + "' has data_offsets outside the file");
            }
            byte[] data = new byte[(int) (end - begin)];
            System.arraycopy(all, (int) (base + begin), data, 0, data.length);
            try {
                tensors.put(e.getKey(), new TensorData(dtype, shape, data));
            } catch (IllegalArgumentException ex) {
                throw new BadInputException(file + ": tensor '" + e.getKey() + "': " + ex.getMessage());
            }
        }
        return new Contents(tensors, meta);
    }
}
