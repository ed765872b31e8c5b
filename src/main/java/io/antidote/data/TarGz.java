package io.antidote.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Just enough of the tar format to pull regular files out of the official data set archives,
 * so the toolkit needs no archive library.
 */
final class TarGz {
    private static final int BLOCK = 512;

    private TarGz() {}

    /**
     * Reads the regular-file entries whose names (leading "./" removed) the filter accepts;
     * everything else is skipped without being kept in memory.
     */
    static Map<String, byte[]> read(Path tgz, Predicate<String> wanted) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            while (true) {
                int got = in.readNBytes(header, 0, BLOCK);
                if (got == 0) break; // some writers omit the zero end blocks
                if (got < BLOCK) throw Inputs.bad(tgz, "tar header is truncated (" + got + " of 512 bytes)");
                if (allZero(header)) break;
                String name = longName != null ? longName : headerName(header);
                longName = null;
                long size = octal(tgz, header, 124, 12, name);
                char type = (char) header[156];
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                if (type == 'L') {
                    // GNU long name: the next header's real name is this entry's data
                    byte[] data = readExactly(tgz, in, size, name);
                    skipExactly(tgz, in, padded - size, name);
                    longName = cString(data, 0, data.length);
                    continue;
                }
                boolean regular = type == '0' || type == 0 || type == '7';
                String clean = name.startsWith("./") ? name.substring(2) : name;
                if (regular && wanted.test(clean)) {
                    if (size > Integer.MAX_VALUE - 16) throw Inputs.bad(tgz, "entry " + clean + " is too large (" + size + " bytes)");
                    out.put(clean, readExactly(tgz, in, size, clean));
                    skipExactly(tgz, in, padded - size, clean);
                } else {
                    skipExactly(tgz, in, padded, clean);
                }
            }
        } catch (ZipException e) {
            throw Inputs.bad(tgz, "not a valid gzip file (" + e.getMessage() + ")");
        } catch (EOFException e) {
            throw Inputs.bad(tgz, "archive is truncated");
        } catch (IOException e) {
            throw Inputs.io(tgz, e);
        }
        return out;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        // ustar keeps long paths split: prefix (offset 345) + "/" + name
        if (h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r') {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
        }
        return name;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(Path tgz, byte[] h, int off, int len, String entry) {
        if ((h[off] & 0x80) != 0) throw Inputs.bad(tgz, "entry " + entry + " uses a base-256 size, which is not supported");
        long v = 0;
        boolean digits = false;
        for (int i = off; i < off + len; i++) {
            int ch = h[i] & 0xff;
            if (ch == 0 || ch == ' ') {
                if (digits) break;
                continue;
            }
            if (ch < '0' || ch > '7') throw Inputs.bad(tgz, "entry " + entry + " has a malformed size field");
            v = v * 8 + (ch - '0');
            digits = true;
        }
        return v;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static byte[] readExactly(Path tgz, InputStream in, long size, String entry) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw Inputs.bad(tgz, "entry " + entry + " is truncated (" + data.length + " of " + size + " bytes)");
        return data;
    }

    private static void skipExactly(Path tgz, InputStream in, long n, String entry) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw Inputs.bad(tgz, "entry " + entry + " is truncated");
        }
    }
}
