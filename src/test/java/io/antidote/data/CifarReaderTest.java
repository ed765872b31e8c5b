package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CifarReaderTest {
    @TempDir
    Path tmp;

    /** Five train files of two records each and a three-record test file. */
    private Path fakeCifar10(Path parent) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("cifar-10-batches-bin"));
        for (int f = 1; f <= 5; f++) {
            Files.write(dir.resolve("data_batch_" + f + ".bin"), TestFiles.cifarRecords(1, new int[]{f, 9 - f}, f * 10));
        }
        Files.write(dir.resolve("test_batch.bin"), TestFiles.cifarRecords(1, new int[]{3, 0, 9}, 99));
        return dir;
    }

    private static void assertPixels(ImageSet s, int sample, int seed, int record) {
        for (int row = 0; row < 32; row++) {
            for (int col = 0; col < 32; col++) {
                for (int ch = 0; ch < 3; ch++) {
                    int want = TestFiles.expectedCifarValue(seed, record, ch, row * 32 + col);
                    if (s.pixel(sample, row, col, ch) != want) {
                        fail("sample " + sample + " (" + row + "," + col + "," + ch + ") = " + s.pixel(sample, row, col, ch) + ", want " + want);
                    }
                }
            }
        }
    }

    @Test
    void readsTrainInFileOrderAndConvertsPlanesToHwc() throws IOException {
        Path dir = fakeCifar10(tmp);
        ImageSet train = CifarReader.cifar10(dir, true);
        assertEquals(10, train.size());
        assertEquals(10, train.numClasses());
        assertEquals("cifar10-train", train.name());
        assertArrayEquals(new int[]{1, 8, 2, 7, 3, 6, 4, 5, 5, 4}, train.labels());
        for (int f = 1; f <= 5; f++) {
            assertPixels(train, (f - 1) * 2, f * 10, 0);
            assertPixels(train, (f - 1) * 2 + 1, f * 10, 1);
        }
        ImageSet test = CifarReader.cifar10(dir, false);
        assertArrayEquals(new int[]{3, 0, 9}, test.labels());
        assertPixels(test, 2, 99, 2);
    }

    @Test
    void parentDirectoryAndTarGzGiveTheSameData() throws IOException {
        Path dir = fakeCifar10(tmp);
        ImageSet fromDir = CifarReader.cifar10(dir, true);
        assertEquals(fromDir.sha256(), CifarReader.cifar10(tmp, true).sha256());

        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes());
        for (String f : new String[]{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin"}) {
            entries.put("cifar-10-batches-bin/" + f, Files.readAllBytes(dir.resolve(f)));
        }
        Path tgz = tmp.resolve("cifar-10-binary.tar.gz");
        TestFiles.tarGz(tgz, "cifar-10-batches-bin/", entries);
        assertEquals(fromDir.sha256(), CifarReader.cifar10(tgz, true).sha256());
        assertEquals(CifarReader.cifar10(dir, false).sha256(), CifarReader.cifar10(tgz, false).sha256());
    }

    @Test
    void rejectsMissingFile() throws IOException {
        Path dir = fakeCifar10(tmp);
        Files.delete(dir.resolve("data_batch_3.bin"));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(dir, true));
        assertTrue(e.getMessage().endsWith("data_batch_3.bin: file not found"), e.getMessage());
        BadInputException none = assertThrows(BadInputException.class, () -> CifarReader.cifar10(tmp.resolve("nope"), true));
        assertTrue(none.getMessage().endsWith("nope: file not found"), none.getMessage());
    }

    @Test
    void rejectsTruncatedRecord() throws IOException {
        Path dir = fakeCifar10(tmp);
        byte[] two = Files.readAllBytes(dir.resolve("data_batch_2.bin"));
        Files.write(dir.resolve("data_batch_2.bin"), Arrays.copyOf(two, 3073 + 1200));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(dir, true));
        assertTrue(e.getMessage().endsWith("data_batch_2.bin: record 1 is truncated (1200 of 3073 bytes)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rejectsTrailingBytesAfterAFullFile() throws IOException {
        Path dir = fakeCifar10(tmp);
        byte[] full = TestFiles.cifarRecords(1, new int[10_000], 1);
        Files.write(dir.resolve("test_batch.bin"), TestFiles.concat(full, new byte[7]));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(dir, false));
        assertTrue(e.getMessage().endsWith("test_batch.bin: 7 trailing bytes after 10000 records (size 30730007 is not a multiple of 3073)"),
                e.getMessage());
    }

    @Test
    void rejectsEmptyFileAndLabelOutOfRange() throws IOException {
        Path dir = fakeCifar10(tmp);
        Files.write(dir.resolve("test_batch.bin"), TestFiles.cifarRecords(1, new int[]{0, 12}, 0));
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(dir, false));
        assertTrue(e.getMessage().endsWith("test_batch.bin: label 12 of record 1 is outside [0,10)"), e.getMessage());
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(dir, false));
        assertTrue(e.getMessage().endsWith("test_batch.bin: file is empty"), e.getMessage());
    }

    @Test
    void tarGzProblemsNameTheArchive() throws IOException {
        Path dir = fakeCifar10(tmp);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/test_batch.bin", Files.readAllBytes(dir.resolve("test_batch.bin")));
        Path tgz = tmp.resolve("cifar-10-binary.tar.gz");
        TestFiles.tarGz(tgz, null, entries);
        BadInputException missing = assertThrows(BadInputException.class, () -> CifarReader.cifar10(tgz, true));
        assertTrue(missing.getMessage().endsWith("cifar-10-binary.tar.gz: archive has no entry cifar-10-batches-bin/data_batch_1.bin"),
                missing.getMessage());

        byte[] whole = Files.readAllBytes(tgz);
        Files.write(tgz, Arrays.copyOf(whole, whole.length / 2));
        BadInputException cut = assertThrows(BadInputException.class, () -> CifarReader.cifar10(tgz, false));
        assertTrue(cut.getMessage().contains("cifar-10-binary.tar.gz: "), cut.getMessage());

        Files.write(tgz, "not gzip at all".getBytes());
        BadInputException notGz = assertThrows(BadInputException.class, () -> CifarReader.cifar10(tgz, false));
        assertTrue(notGz.getMessage().contains("cifar-10-binary.tar.gz: not a valid gzip file"), notGz.getMessage());
    }

    @Test
    void tarGzTruncatedInsideAnEntryIsReportedAsSuch() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/test_batch.bin", TestFiles.cifarRecords(1, new int[]{1, 2, 3}, 5));
        Path tgz = tmp.resolve("c.tgz");
        TestFiles.tarGz(tgz, null, entries);
        // Re-compress only the first part of the tar stream so the gzip itself is intact.
        byte[] tar;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(tgz))) {
            tar = in.readAllBytes();
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(tgz))) {
            out.write(tar, 0, 512 + 5000);
        }
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(tgz, false));
        assertTrue(e.getMessage().endsWith("c.tgz: entry cifar-10-batches-bin/test_batch.bin is truncated (5000 of 9219 bytes)"),
                e.getMessage());
    }

    @Test
    void readsCifar100FineLabels() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar-100-binary"));
        Files.write(dir.resolve("train.bin"), TestFiles.cifarRecords(2, new int[]{99, 0, 42}, 3));
        Files.write(dir.resolve("test.bin"), TestFiles.cifarRecords(2, new int[]{7}, 4));
        ImageSet train = CifarReader.cifar100(tmp, true);
        assertEquals(100, train.numClasses());
        assertArrayEquals(new int[]{99, 0, 42}, train.labels());
        assertPixels(train, 2, 3, 2);

        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cifar-100-binary/train.bin", Files.readAllBytes(dir.resolve("train.bin")));
        entries.put("cifar-100-binary/test.bin", Files.readAllBytes(dir.resolve("test.bin")));
        Path tgz = tmp.resolve("cifar-100-binary.tar.gz");
        TestFiles.tarGz(tgz, "cifar-100-binary/", entries);
        assertEquals(train.sha256(), CifarReader.cifar100(tgz, true).sha256());
        assertArrayEquals(new int[]{7}, CifarReader.cifar100(tgz, false).labels());

        Files.write(dir.resolve("test.bin"), Arrays.copyOf(Files.readAllBytes(dir.resolve("test.bin")), 3073));
        BadInputException cut = assertThrows(BadInputException.class, () -> CifarReader.cifar100(dir, false));
        assertTrue(cut.getMessage().endsWith("test.bin: record 0 is truncated (3073 of 3074 bytes)"), cut.getMessage());

        byte[] bad = TestFiles.cifarRecords(2, new int[]{5, 120}, 0);
        bad[3074] = 3;
        Files.write(dir.resolve("test.bin"), bad);
        BadInputException fine = assertThrows(BadInputException.class, () -> CifarReader.cifar100(dir, false));
        assertTrue(fine.getMessage().endsWith("test.bin: fine label 120 of record 1 is outside [0,100)"), fine.getMessage());
        bad[3074] = 25;
        bad[3075] = 5;
        Files.write(dir.resolve("test.bin"), bad);
        BadInputException coarse = assertThrows(BadInputException.class, () -> CifarReader.cifar100(dir, false));
        assertTrue(coarse.getMessage().endsWith("test.bin: coarse label 25 of record 1 is outside [0,20)"), coarse.getMessage());
    }

    @Test
    void rejectsAFileThatIsNeitherDirectoryNorArchive() throws IOException {
        Path f = Files.write(tmp.resolve("cifar.zip"), new byte[3]);
        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.cifar10(f, true));
        assertTrue(e.getMessage().endsWith("cifar.zip: expected the cifar-10-batches-bin directory or cifar-10-binary.tar.gz"),
                e.getMessage());
    }

    @Test
    void realCifar10WhenPresent() throws IOException {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "antidote", "cifar-10-batches-bin");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("data_batch_1.bin")) && Files.isRegularFile(dir.resolve("test_batch.bin")),
                "real CIFAR-10 not found at " + dir + "; skipping");
        ImageSet train = CifarReader.cifar10(dir, true);
        ImageSet test = CifarReader.cifar10(dir, false);
        assertEquals(50_000, train.size());
        assertEquals(10_000, test.size());
        int[] perClass = new int[10];
        for (int l : train.labels()) perClass[l]++;
        for (int c = 0; c < 10; c++) assertEquals(5000, perClass[c], "class " + c);
        assertEquals(6, train.label(0), "the official order starts with a frog");

        // Writing the test set back must reproduce the official file byte for byte.
        Path out = tmp.resolve("test_batch.bin");
        CifarWriter.write(test, out);
        assertEquals(-1, Files.mismatch(out, dir.resolve("test_batch.bin")));
    }
}
