package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CifarWriterTest {
    @TempDir
    Path tmp;

    @Test
    void writesLabelThenRgbPlanes() throws IOException {
        byte[] px = new byte[2 * 3072];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 31 + 7);
        ImageSet set = ImageSet.of("two", 32, 32, 3, 10, px, new int[]{4, 9});
        Path f = tmp.resolve("out").resolve("poisoned.bin");
        CifarWriter.write(set, f);
        byte[] b = Files.readAllBytes(f);
        assertEquals(2 * 3073, b.length);
        assertEquals(4, b[0]);
        assertEquals(9, b[3073]);
        for (int s = 0; s < 2; s++) {
            for (int p = 0; p < 1024; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(px[s * 3072 + p * 3 + ch], b[s * 3073 + 1 + ch * 1024 + p], "sample " + s + " pixel " + p + " ch " + ch);
                }
            }
        }
        assertFalse(Files.exists(tmp.resolve("out").resolve("poisoned.bin.part")));
    }

    @Test
    void roundTripsExactly() throws IOException {
        byte[] records = TestFiles.cifarRecords(1, new int[]{0, 42, 7, 42}, 17);
        Path in = Files.write(tmp.resolve("in.bin"), records);
        ImageSet set = CifarReader.readFile(in, 43);
        assertEquals("in", set.name());
        assertEquals(43, set.numClasses());
        Path out = tmp.resolve("out.bin");
        CifarWriter.write(set, out);
        assertArrayEquals(records, Files.readAllBytes(out));
        assertEquals(set.sha256(), CifarReader.readFile(out, 43).sha256());

        BadInputException e = assertThrows(BadInputException.class, () -> CifarReader.readFile(in, 10));
        assertTrue(e.getMessage().endsWith("in.bin: label 42 of record 1 is outside [0,10)"), e.getMessage());
    }

    @Test
    void rejectsImagesThatAreNot32x32Rgb() {
        ImageSet gray = ImageSet.of("mnist", 28, 28, 1, 10, new byte[784], new int[]{1});
        BadInputException e = assertThrows(BadInputException.class, () -> CifarWriter.write(gray, tmp.resolve("m.bin")));
        assertTrue(e.getMessage().endsWith("m.bin: CIFAR records hold 32x32x3 images, mnist has 28x28x1"), e.getMessage());
        ImageSet many = ImageSet.of("many", 32, 32, 3, 300, new byte[3072], new int[]{299});
        e = assertThrows(BadInputException.class, () -> CifarWriter.write(many, tmp.resolve("m.bin")));
        assertTrue(e.getMessage().endsWith("m.bin: a CIFAR label is one byte, many has 300 classes"), e.getMessage());
    }
}
