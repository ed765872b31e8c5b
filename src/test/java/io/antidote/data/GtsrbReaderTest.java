package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class GtsrbReaderTest {
    private static final String HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n";
    @TempDir
    Path tmp;
    Path root;

    /** A w x h image whose red channel is its column, green its row and blue the given constant. */
    static byte[] gradientPpm(int w, int h, int blue) {
        byte[] s = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                s[(y * w + x) * 3] = (byte) x;
                s[(y * w + x) * 3 + 1] = (byte) y;
                s[(y * w + x) * 3 + 2] = (byte) blue;
            }
        }
        return PpmTest.ppm("P6\n" + w + " " + h + "\n255\n", s);
    }

    static byte[] solidPpm(int w, int h, int v) {
        byte[] s = new byte[w * h * 3];
        java.util.Arrays.fill(s, (byte) v);
        return PpmTest.ppm("P6\n# GTSRB style comment\n" + w + " " + h + "\n255\n", s);
    }

    @BeforeEach
    void layout() throws IOException {
        root = tmp.resolve("GTSRB");
        // Classes 0 and 2 only (1 absent), two images in class 0.
        Path c0 = Files.createDirectories(root.resolve("Final_Training/Images/00000"));
        Files.write(c0.resolve("00000_00000.ppm"), gradientPpm(32, 32, 7));
        Files.write(c0.resolve("00000_00001.ppm"), solidPpm(40, 30, 100));
        Files.writeString(c0.resolve("GT-00000.csv"),
                HEADER + "00000_00000.ppm;32;32;5;6;24;25;0\n00000_00001.ppm;40;30;0;0;39;29;0\n");
        Path c2 = Files.createDirectories(root.resolve("Final_Training/Images/00002"));
        Files.write(c2.resolve("00000_00000.ppm"), solidPpm(16, 16, 200));
        Files.writeString(c2.resolve("GT-00002.csv"), HEADER + "00000_00000.ppm;16;16;1;1;14;14;2\n");
        Path test = Files.createDirectories(root.resolve("Final_Test/Images"));
        Files.write(test.resolve("00000.ppm"), solidPpm(20, 25, 50));
        Files.write(test.resolve("00001.ppm"), gradientPpm(32, 32, 1));
        Files.writeString(test.resolve("GT-final_test.csv"),
                HEADER + "00000.ppm;20;25;2;2;17;22;42\n00001.ppm;32;32;0;0;31;31;13\n");
    }

    @Test
    void readsTrainingClassesInDirectoryOrder() {
        ImageSet train = GtsrbReader.train(root);
        assertEquals("gtsrb-train", train.name());
        assertEquals(43, train.numClasses());
        assertArrayEquals(new int[]{0, 0, 2}, train.labels());
        assertEquals(32, train.height());
        // A 32x32 image passes through unchanged.
        assertEquals(17, train.pixel(0, 3, 17, 0));
        assertEquals(3, train.pixel(0, 3, 17, 1));
        assertEquals(7, train.pixel(0, 3, 17, 2));
        // Resized solid images stay solid.
        assertEquals(100, train.pixel(1, 31, 31, 2));
        assertEquals(200, train.pixel(2, 0, 0, 0));
    }

    @Test
    void readsTestSplitFromTheGroundTruthCsvAndAcceptsTheParentDirectory() {
        ImageSet test = GtsrbReader.test(tmp);
        assertArrayEquals(new int[]{42, 13}, test.labels());
        assertEquals(50, test.pixel(0, 10, 10, 1));
        assertEquals(31, test.pixel(1, 0, 31, 0));
    }

    @Test
    void roiOptionCropsBeforeResizing() {
        ImageSet roi = GtsrbReader.read(root, true, new GtsrbReader.Options(20, true));
        assertEquals(20, roi.height());
        // Sample 0: ROI columns 5..24 and rows 6..25 inclusive is 20x20, so no resize: pixel (0,0) is source (6,5).
        assertEquals(5, roi.pixel(0, 0, 0, 0));
        assertEquals(6, roi.pixel(0, 0, 0, 1));
        assertEquals(24, roi.pixel(0, 19, 19, 0));
        assertEquals(25, roi.pixel(0, 19, 19, 1));
        ImageSet whole = GtsrbReader.read(root, true, new GtsrbReader.Options(16, false));
        assertEquals(16, whole.width());
    }

    @Test
    void rejectsBadClassIdAndMismatchedDirectory() throws IOException {
        Path csv = root.resolve("Final_Test/Images/GT-final_test.csv");
        Files.writeString(csv, HEADER + "00000.ppm;20;25;2;2;17;22;43\n");
        BadInputException e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("GT-final_test.csv: line 2: ClassId 43 is outside [0,43)"), e.getMessage());

        Files.writeString(root.resolve("Final_Training/Images/00002/GT-00002.csv"), HEADER + "00000_00000.ppm;16;16;1;1;14;14;5\n");
        e = assertThrows(BadInputException.class, () -> GtsrbReader.train(root));
        assertTrue(e.getMessage().endsWith("GT-00002.csv: line 2: ClassId 5 does not match directory 00002"), e.getMessage());
    }

    @Test
    void rejectsMissingOrMismatchedImages() throws IOException {
        Path csv = root.resolve("Final_Test/Images/GT-final_test.csv");
        Files.writeString(csv, HEADER + "00009.ppm;20;25;2;2;17;22;1\n");
        BadInputException e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("00009.ppm: file not found (listed on line 2 of GT-final_test.csv)"), e.getMessage());

        Files.writeString(csv, HEADER + "00000.ppm;25;20;2;2;17;22;1\n");
        e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("00000.ppm: is 20x25 but line 2 of GT-final_test.csv says 25x20"), e.getMessage());

        Files.writeString(csv, HEADER + "00000.ppm;twenty;25;2;2;17;22;1\n");
        e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("GT-final_test.csv: line 2: Width 'twenty' is not an integer"), e.getMessage());

        Files.writeString(csv, "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2\n00000.ppm;20;25;2;2;17;22\n");
        e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("GT-final_test.csv: header lacks column ClassId"), e.getMessage());

        Files.write(root.resolve("Final_Test/Images/00000.ppm"), "P6 20 25 255\n".getBytes(StandardCharsets.US_ASCII));
        Files.writeString(csv, HEADER + "00000.ppm;20;25;2;2;17;22;1\n");
        e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().endsWith("00000.ppm: pixel data is truncated (0 of 1500 bytes)"), e.getMessage());
    }

    @Test
    void explainsWhereTheTestLabelsComeFrom() throws IOException {
        Files.delete(root.resolve("Final_Test/Images/GT-final_test.csv"));
        BadInputException e = assertThrows(BadInputException.class, () -> GtsrbReader.test(root));
        assertTrue(e.getMessage().contains("GT-final_test.csv: file not found (the test labels come in GTSRB_Final_Test_GT.zip"),
                e.getMessage());
        BadInputException none = assertThrows(BadInputException.class, () -> GtsrbReader.train(tmp.resolve("elsewhere")));
        assertTrue(none.getMessage().endsWith("elsewhere: directory not found"), none.getMessage());
    }
}
