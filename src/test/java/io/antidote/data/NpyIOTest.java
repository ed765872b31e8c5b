package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class NpyIOTest {
    /**
     * Made once with NumPy 2.4: np.savez(f, x=x, y=y) where x = (arange(24) * 11 % 256) as uint8
     * reshaped (2, 2, 2, 3) and y = int64 [3, 1]. NumPy forces zip64 members, which a hand-built
     * archive would not exercise.
     */
    private static final String NUMPY_SAVEZ = "UEsDBC0AAAAAAAAAIQAJ2UVe//////////8FABQAeC5ucHkBABAAmAAAAAAAAACYAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJ3x1MScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyLCAyLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAsWISw3Qk1YY255hI+apbC7xtHc5/L9UEsDBC0AAAAAAAAAIQCM3jPg//////////8FABQAeS5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAwAAAAAAAAABAAAAAAAAAFBLAQItAy0AAAAAAAAAIQAJ2UVemAAAAJgAAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLAQItAy0AAAAAAAAAIQCM3jPgkAAAAJAAAAAFAAAAAAAAAAAAAACAAc8AAAB5Lm5weVBLBQYAAAAAAgACAGYAAACWAQAAAAA=";
    /** np.savez_compressed(f, images=x, labels=y.astype(int32)) with the same x and y. */
    private static final String NUMPY_SAVEZ_COMPRESSED = "UEsDBC0AAAAIAAAAIQAJ2UVe//////////8KABQAaW1hZ2VzLm5weQEAEACYAAAAAAAAAGEAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXlNqqK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKEGSsqaNQq0AG4GLgFlPUMXfyjUjOq2zpn7V0w+5jF+88//QXAFBLAwQtAAAACAAAACEAmFE6ff//////////CgAUAGxhYmVscy5ucHkBABAAiAAAAAAAAABLAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6mjoKtQoUAC5mBgYGRiAGAFBLAQItAy0AAAAIAAAAIQAJ2UVeYQAAAJgAAAAKAAAAAAAAAAAAAACAAQAAAABpbWFnZXMubnB5UEsBAi0DLQAAAAgAAAAhAJhROn1LAAAAiAAAAAoAAAAAAAAAAAAAAIABnQAAAGxhYmVscy5ucHlQSwUGAAAAAAIAAgBwAAAAJAEAAAAA";

    @TempDir
    Path tmp;

    private static byte[] npy(String dict, byte[] data) {
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        byte[] h = new byte[total];
        h[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, h, 1, 5);
        h[6] = 1;
        h[8] = (byte) (total - 10);
        h[9] = (byte) ((total - 10) >> 8);
        byte[] d = dict.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(d, 0, h, 10, d.length);
        Arrays.fill(h, 10 + d.length, total - 1, (byte) ' ');
        h[total - 1] = '\n';
        return TestFiles.concat(h, data);
    }

    @Test
    void writesTheExactBytesNumPyWrites() throws IOException {
        Path f = tmp.resolve("a.npy");
        NpyIO.write(NpyIO.Array.uint8(new byte[]{1, 2, 3, 4, 5, 6}, 2, 3), f);
        byte[] got = Files.readAllBytes(f);
        // Same as np.save(f, np.array([[1,2,3],[4,5,6]], np.uint8)): 128-byte header ending in a newline.
        assertEquals(128 + 6, got.length);
        String header = new String(got, 10, 118, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n", header);
        assertArrayEquals(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(got, 10));
        assertArrayEquals(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[]{1, 2, 3, 4, 5, 6}), got);

        NpyIO.write(NpyIO.Array.int64(5, -1), f);
        byte[] y = Files.readAllBytes(f);
        assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(60) + "\n",
                new String(y, 10, 118, StandardCharsets.US_ASCII));
        assertEquals(128 + 16, y.length);
        assertEquals(5, y[128]);
        assertEquals(-1, y[136]);
        assertEquals(-1, y[143]);
    }

    @Test
    void roundTripsEveryDtypeExactly() throws IOException {
        for (NpyIO.Dtype t : NpyIO.Dtype.values()) {
            byte[] data = new byte[t.itemSize() * 6];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 37 - 100);
            byte[] file = npy("{'descr': '" + t.descr() + "', 'fortran_order': False, 'shape': (3, 2), }", data);
            Path f = Files.write(tmp.resolve(t + ".npy"), file);
            NpyIO.Array a = NpyIO.read(f);
            assertEquals(t, a.dtype());
            assertArrayEquals(new int[]{3, 2}, a.shape());
            assertArrayEquals(data, a.data());
            Path back = tmp.resolve(t + "-back.npy");
            NpyIO.write(a, back);
            assertArrayEquals(file, Files.readAllBytes(back), t.descr());
        }
    }

    @Test
    void decodesSignedAndUnsignedValues() {
        byte[] b = {(byte) 0xff, (byte) 0xff, 0x34, 0x12};
        assertEquals(65535, new NpyIO.Array(NpyIO.Dtype.U2, new int[]{2}, b).get(0));
        assertEquals(-1, new NpyIO.Array(NpyIO.Dtype.I2, new int[]{2}, b).get(0));
        assertEquals(0x1234, new NpyIO.Array(NpyIO.Dtype.I2, new int[]{2}, b).get(1));
        assertEquals(0x1234ffff, new NpyIO.Array(NpyIO.Dtype.I4, new int[]{1}, b).get(0));
        assertEquals(-1, new NpyIO.Array(NpyIO.Dtype.I1, new int[]{4}, b).get(0));
        assertEquals(255, new NpyIO.Array(NpyIO.Dtype.U1, new int[]{4}, b).get(0));
        assertEquals(-7, NpyIO.Array.int64(-7).get(0));
    }

    @Test
    void readsVersion2HeadersAndTolerantSpellings() throws IOException {
        String dict = "{\"descr\": \"<i4\", \"shape\": (2L,), \"fortran_order\": False}";
        int total = (12 + dict.length() + 1 + 63) / 64 * 64;
        byte[] h = new byte[total];
        h[0] = (byte) 0x93;
        System.arraycopy("NUMPY".getBytes(StandardCharsets.US_ASCII), 0, h, 1, 5);
        h[6] = 2;
        h[8] = (byte) (total - 12);
        System.arraycopy(dict.getBytes(StandardCharsets.US_ASCII), 0, h, 12, dict.length());
        Arrays.fill(h, 12 + dict.length(), total - 1, (byte) ' ');
        h[total - 1] = '\n';
        Path f = Files.write(tmp.resolve("v2.npy"), TestFiles.concat(h, new byte[]{7, 0, 0, 0, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        NpyIO.Array a = NpyIO.read(f);
        assertEquals(7, a.get(0));
        assertEquals(-2, a.get(1));
    }

    @Test
    void readsWhatNumPyWrites() throws IOException {
        Path plain = Files.write(tmp.resolve("plain.npz"), Base64.getDecoder().decode(NUMPY_SAVEZ));
        Path comp = Files.write(tmp.resolve("comp.npz"), Base64.getDecoder().decode(NUMPY_SAVEZ_COMPRESSED));
        assertEquals(List.of("x", "y"), NpyIO.npzKeys(plain));
        for (Path p : List.of(plain, comp)) {
            ImageSet s = NpyIO.readImageSet(p, 10);
            assertEquals(2, s.size());
            assertEquals(2, s.height());
            assertEquals(3, s.channels());
            assertArrayEquals(new int[]{3, 1}, s.labels());
            byte[] all = TestFiles.concat(s.image(0), s.image(1));
            for (int i = 0; i < 24; i++) assertEquals((i * 11) % 256, all[i] & 0xff, p + " byte " + i);
        }
        assertEquals(4, NpyIO.readImageSet(plain, NpyIO.INFER_CLASSES).numClasses());
    }

    @Test
    void imageSetRoundTripsThroughNpzExactly() throws IOException {
        byte[] px = new byte[5 * 4 * 3 * 2];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 13);
        ImageSet set = ImageSet.of("tiny", 4, 3, 2, 7, px, new int[]{6, 0, 3, 3, 1});
        Path f = tmp.resolve("tiny.npz");
        NpyIO.writeImageSet(set, f);
        ImageSet back = NpyIO.readImageSet(f, 7);
        assertEquals(set.sha256(), back.sha256());
        assertEquals("tiny", back.name());
        Map<String, NpyIO.Array> raw = NpyIO.readNpz(f);
        assertEquals(List.of("x", "y"), List.copyOf(raw.keySet()));
        assertArrayEquals(new int[]{5, 4, 3, 2}, raw.get("x").shape());
        assertEquals(NpyIO.Dtype.I8, raw.get("y").dtype());
        // Writing again gives identical bytes (fixed entry times).
        Path g = tmp.resolve("again.npz");
        NpyIO.writeImageSet(back, g);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));

        Map<String, NpyIO.Array> m = new LinkedHashMap<>();
        m.put("images", raw.get("x"));
        m.put("labels", raw.get("y"));
        Path c = tmp.resolve("c.npz");
        NpyIO.writeNpz(m, c, true);
        assertEquals(raw.get("x"), NpyIO.readNpz(c).get("images"));
        assertEquals(set.sha256(), NpyIO.readImageSet(c, 7).sha256());
    }

    @Test
    void pairOfFilesAndSingleChannelImages() throws IOException {
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        NpyIO.write(NpyIO.Array.uint8(new byte[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2), x);
        NpyIO.write(new NpyIO.Array(NpyIO.Dtype.U1, new int[]{2, 1}, new byte[]{1, 0}), y);
        ImageSet s = NpyIO.readImageSet(x, y, 2);
        assertEquals(1, s.channels());
        assertEquals(8, s.pixel(1, 1, 1, 0));
        assertArrayEquals(new int[]{1, 0}, s.labels());
    }

    @Test
    void rejectsBadArrays() throws IOException {
        Path f = Files.write(tmp.resolve("cut.npy"), npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", new byte[10]));
        BadInputException e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: data is truncated (10 of 12 bytes for shape (3,))"), e.getMessage());

        Files.write(f, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", new byte[5]));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: 2 trailing bytes after the data of shape (3,)"), e.getMessage());

        Files.write(f, npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", new byte[4]));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: fortran_order is True; only C-ordered arrays are supported"), e.getMessage());

        Files.write(f, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: dtype '<f4' is not supported (expected one of |u1, |i1, <u2, <i2, <i4, <i8)"),
                e.getMessage());

        Files.write(f, npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: big-endian dtype '>i4' is not supported"), e.getMessage());

        Files.write(f, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1, }", new byte[1]));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().contains("cut.npy: malformed header at character"), e.getMessage());

        Files.write(f, "PK not numpy".getBytes(StandardCharsets.US_ASCII));
        e = assertThrows(BadInputException.class, () -> NpyIO.read(f));
        assertTrue(e.getMessage().endsWith("cut.npy: not a .npy file (bad magic)"), e.getMessage());
    }

    @Test
    void rejectsInconsistentImageSets() throws IOException {
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        NpyIO.write(NpyIO.Array.uint8(new byte[12], 3, 2, 2), x);
        NpyIO.write(NpyIO.Array.int64(1, 2), y);
        BadInputException e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(x, y, 10));
        assertTrue(e.getMessage().endsWith("y.npy: 2 labels for 3 images in " + x), e.getMessage());

        NpyIO.write(NpyIO.Array.int64(1, 2, 12), y);
        e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(x, y, 10));
        assertTrue(e.getMessage().endsWith("y.npy: label 12 of record 2 is outside [0,10)"), e.getMessage());
        NpyIO.write(NpyIO.Array.int64(1, -3, 0), y);
        e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(x, y, 10));
        assertTrue(e.getMessage().endsWith("y.npy: label -3 of record 1 is outside [0,10)"), e.getMessage());

        NpyIO.write(NpyIO.Array.int64(1, 2, 3), x);
        e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(x, y, 10));
        assertTrue(e.getMessage().endsWith("x.npy: images must be uint8 with shape (N, H, W, C) or (N, H, W), got <i8 (3,)"),
                e.getMessage());

        Map<String, NpyIO.Array> m = new LinkedHashMap<>();
        m.put("a", NpyIO.Array.int64(1));
        Path z = tmp.resolve("z.npz");
        NpyIO.writeNpz(m, z, false);
        e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(z, 10));
        assertTrue(e.getMessage().endsWith("z.npz: no image/label pair among keys [a] (expected x/y, images/labels or arr_0/arr_1)"),
                e.getMessage());

        m.put("y", NpyIO.Array.int64(20));
        m.put("x", NpyIO.Array.uint8(new byte[4], 1, 2, 2));
        NpyIO.writeNpz(m, z, true);
        e = assertThrows(BadInputException.class, () -> NpyIO.readImageSet(z, 10));
        assertTrue(e.getMessage().endsWith("z.npz[y]: label 20 of record 0 is outside [0,10)"), e.getMessage());

        Files.write(z, new byte[]{1, 2, 3});
        e = assertThrows(BadInputException.class, () -> NpyIO.readNpz(z));
        assertTrue(e.getMessage().contains("z.npz: not a valid .npz (zip) file"), e.getMessage());
    }

    @Test
    void truncatedMemberInsideAnNpzNamesTheKey() throws IOException {
        // A member whose header promises more data than it holds.
        byte[] bad = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (9,), }", new byte[4]);
        Path z = tmp.resolve("t.npz");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(z))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            out.write(bad);
            out.closeEntry();
        }
        BadInputException e = assertThrows(BadInputException.class, () -> NpyIO.readNpz(z));
        assertTrue(e.getMessage().endsWith("t.npz[x]: data is truncated (4 of 9 bytes for shape (9,))"), e.getMessage());
    }
}
