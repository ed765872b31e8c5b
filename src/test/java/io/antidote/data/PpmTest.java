package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class PpmTest {
    static byte[] ppm(String header, byte[] samples) {
        return TestFiles.concat(header.getBytes(StandardCharsets.US_ASCII), samples);
    }

    @Test
    void decodesHeaderWithComments() {
        byte[] samples = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Ppm.Image img = Ppm.decode("a.ppm", ppm("P6\n# made by hand\n2 # width\n2\n255\n", samples));
        assertEquals(2, img.width());
        assertEquals(2, img.height());
        assertArrayEquals(samples, img.rgb());
    }

    @Test
    void sampleDataMayStartWithAWhitespaceByte() {
        // After maxval exactly one whitespace byte is skipped; a leading 0x0a sample must survive.
        byte[] samples = {10, 32, 9};
        assertArrayEquals(samples, Ppm.decode("a.ppm", ppm("P6 1 1 255\n", samples)).rgb());
    }

    @Test
    void rescalesSmallerMaxval() {
        assertArrayEquals(new byte[]{0, (byte) 128, (byte) 255}, Ppm.decode("a.ppm", ppm("P6 1 1 2\n", new byte[]{0, 1, 2})).rgb());
    }

    @Test
    void rejectsBadFiles() {
        BadInputException magic = assertThrows(BadInputException.class, () -> Ppm.decode("a.ppm", ppm("P3 1 1 255\n", new byte[3])));
        assertEquals("a.ppm: not a binary PPM (magic 'P3', expected 'P6')", magic.getMessage());
        BadInputException cut = assertThrows(BadInputException.class, () -> Ppm.decode("a.ppm", ppm("P6 2 2 255\n", new byte[7])));
        assertEquals("a.ppm: pixel data is truncated (7 of 12 bytes)", cut.getMessage());
        BadInputException deep = assertThrows(BadInputException.class, () -> Ppm.decode("a.ppm", ppm("P6 1 1 65535\n", new byte[6])));
        assertEquals("a.ppm: maxval 65535 is not supported (only 1..255, one byte per sample)", deep.getMessage());
        BadInputException noHeight = assertThrows(BadInputException.class, () -> Ppm.decode("a.ppm", ppm("P6 1 x", new byte[0])));
        assertEquals("a.ppm: header height is missing or not a number", noHeight.getMessage());
    }
}
