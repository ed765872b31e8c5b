package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * pairs.npy was written by numpy 1.x: np.save of an object array of three (image, label) rows, as
 * the ABL repository saves its isolated set; images are 2x2x3 uint8 (arange(12) + 10 i), labels a
 * 0-d int64 array, another, and a Python int.
 */
class NpyPairsTest {
    @Test
    void anObjectArrayOfPairsBecomesAnImageSet() throws Exception {
        Path npy = Path.of(NpyPairsTest.class.getResource("/io/antidote/torch/pairs.npy").toURI());
        ImageSet s = NpyIO.readPairs(npy, 10);
        assertEquals(3, s.size());
        assertEquals(2, s.height());
        assertEquals(2, s.width());
        assertEquals(3, s.channels());
        assertEquals(4, s.label(0));
        assertEquals(0, s.label(1));
        assertEquals(7, s.label(2));
        byte[] px = new byte[s.imageBytes()];
        for (int i = 0; i < 3; i++) {
            s.copyImage(i, px, 0);
            for (int k = 0; k < 12; k++) assertEquals(k + 10 * i, px[k] & 0xff, "image " + i + " byte " + k);
        }
        BadInputException e = assertThrows(BadInputException.class, () -> NpyIO.readPairs(npy, 5));
        assertEquals(npy + ": label 7 of record 2 is outside [0,5)", e.getMessage());
    }

    @Test
    void aNumericArrayIsNotTakenForPairs(@TempDir Path dir) {
        Path images = dir.resolve("images.npy");
        NpyIO.write(NpyIO.Array.uint8(new byte[12], 1, 2, 2, 3), images);
        BadInputException e = assertThrows(BadInputException.class, () -> NpyIO.readPairs(images, 10));
        assertEquals(images + ": holds a |u1 array (1, 2, 2, 3), not (image, label) pairs; give IMAGES.npy,LABELS.npy", e.getMessage());
    }
}
