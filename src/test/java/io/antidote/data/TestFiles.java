package io.antidote.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Builders for small on-disk fixtures shared by the reader tests. */
final class TestFiles {
    private TestFiles() {}

    /** A ustar .tar.gz holding the given regular files, in order, preceded by a directory entry. */
    static void tarGz(Path out, String dirEntry, Map<String, byte[]> files) throws IOException {
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out))) {
            if (dirEntry != null) gz.write(header(dirEntry, 0, '5'));
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                gz.write(header(e.getKey(), e.getValue().length, '0'));
                gz.write(e.getValue());
                int pad = (512 - e.getValue().length % 512) % 512;
                gz.write(new byte[pad]);
            }
            gz.write(new byte[1024]);
        }
    }

    private static byte[] header(String name, long size, char type) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, String.format("%07o", 0644));
        put(h, 108, String.format("%07o", 0));
        put(h, 116, String.format("%07o", 0));
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 0));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    /**
     * CIFAR records whose planes encode (record, channel, pixel) so the HWC conversion can be
     * checked exactly: value = (seed + record * 7 + channel * 50 + pixel) mod 256.
     */
    static byte[] cifarRecords(int labelBytes, int[] labels, int seed) {
        int rec = labelBytes + 3072;
        byte[] out = new byte[labels.length * rec];
        for (int r = 0; r < labels.length; r++) {
            int base = r * rec;
            if (labelBytes == 2) {
                out[base] = (byte) (labels[r] / 5);
                out[base + 1] = (byte) labels[r];
            } else {
                out[base] = (byte) labels[r];
            }
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < 1024; p++) {
                    out[base + labelBytes + ch * 1024 + p] = (byte) expectedCifarValue(seed, r, ch, p);
                }
            }
        }
        return out;
    }

    static int expectedCifarValue(int seed, int record, int ch, int pixel) {
        return (seed + record * 7 + ch * 50 + pixel) & 0xff;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }
}
