package io.antidote.data;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.*;

class AugmentationTest {
    /** Replays scripted draws and fails on any draw the script does not expect. */
    static final class Script implements RandomGenerator {
        private final Deque<Object> draws = new ArrayDeque<>();

        Script expectInt(int bound, int value) {
            draws.add(new int[]{bound, value});
            return this;
        }

        Script expectDouble(double v) {
            draws.add(v);
            return this;
        }

        @Override
        public int nextInt(int bound) {
            Object d = draws.poll();
            assertTrue(d instanceof int[], "unexpected nextInt(" + bound + "), next scripted draw is " + d);
            int[] e = (int[]) d;
            assertEquals(e[0], bound, "nextInt bound");
            return e[1];
        }

        @Override
        public double nextDouble() {
            Object d = draws.poll();
            assertTrue(d instanceof Double, "unexpected nextDouble(), next scripted draw is " + d);
            return (Double) d;
        }

        @Override
        public long nextLong() {
            throw new AssertionError("unexpected nextLong()");
        }

        void assertUsedUp() {
            assertTrue(draws.isEmpty(), "draws left: " + draws.size());
        }
    }

    /** 32x32x3 image with value 1 + (row*32 + col) % 250 in channel 0, row in 1, col in 2. */
    static byte[] image() {
        byte[] b = new byte[32 * 32 * 3];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                b[(y * 32 + x) * 3] = (byte) (1 + (y * 32 + x) % 250);
                b[(y * 32 + x) * 3 + 1] = (byte) (y + 1);
                b[(y * 32 + x) * 3 + 2] = (byte) (x + 1);
            }
        }
        return b;
    }

    static int at(byte[] b, int y, int x, int ch) {
        return b[(y * 32 + x) * 3 + ch] & 0xff;
    }

    @Test
    void zeroPaddedCropAtTheCornerShiftsTheImage() {
        byte[] img = image();
        Script rng = new Script().expectInt(9, 0).expectInt(9, 0);
        new Augmentation(4, Augmentation.PadMode.ZERO, false, 0, null, null).apply(img, 0, 32, 32, 3, rng);
        rng.assertUsedUp();
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                if (y < 4 || x < 4) {
                    for (int ch = 0; ch < 3; ch++) assertEquals(0, at(img, y, x, ch), "padding at " + y + "," + x);
                } else {
                    assertEquals(y - 4 + 1, at(img, y, x, 1));
                    assertEquals(x - 4 + 1, at(img, y, x, 2));
                }
            }
        }
    }

    @Test
    void centredCropIsTheIdentityAndOppositeCornerShiftsTheOtherWay() {
        Augmentation a = new Augmentation(4, Augmentation.PadMode.ZERO, false, 0, null, null);
        byte[] img = image();
        a.apply(img, 0, 32, 32, 3, new Script().expectInt(9, 4).expectInt(9, 4));
        assertArrayEquals(image(), img);

        a.apply(img, 0, 32, 32, 3, new Script().expectInt(9, 8).expectInt(9, 2));
        // top 8 -> source row y + 4; left 2 -> source col x - 2.
        assertEquals(0, at(img, 28, 5, 0));
        assertEquals(0, at(img, 3, 1, 2));
        assertEquals(3 + 4 + 1, at(img, 3, 5, 1));
        assertEquals(5 - 2 + 1, at(img, 3, 5, 2));
    }

    @Test
    void reflectPaddingMirrorsWithoutRepeatingTheEdge() {
        Augmentation a = new Augmentation(4, Augmentation.PadMode.REFLECT, false, 0, null, null);
        byte[] img = image();
        a.apply(img, 0, 32, 32, 3, new Script().expectInt(9, 0).expectInt(9, 0));
        // Output row y reads padded row y, i.e. source row y - 4, reflected: -4..-1 -> 4..1.
        int[] rowFor = {4, 3, 2, 1, 0, 1, 2};
        for (int y = 0; y < rowFor.length; y++) {
            assertEquals(rowFor[y] + 1, at(img, y, 10, 1), "row " + y);
            assertEquals(rowFor[y] + 1, at(img, 10, y, 2), "col " + y);
        }
        byte[] other = image();
        a.apply(other, 0, 32, 32, 3, new Script().expectInt(9, 8).expectInt(9, 8));
        // Source index 32 maps to 30, 35 to 27.
        assertEquals(31, at(other, 28, 0, 1));
        assertEquals(28, at(other, 31, 0, 1));
        assertEquals(31, at(other, 0, 28, 2));
        assertEquals(28, at(other, 0, 31, 2));
        assertEquals(31 + 1, at(other, 27, 0, 1));
    }

    @Test
    void flipMirrorsColumnsOnlyWhenTheCoinSaysSo() {
        Augmentation a = new Augmentation(0, Augmentation.PadMode.ZERO, true, 0, null, null);
        byte[] img = image();
        a.apply(img, 0, 32, 32, 3, new Script().expectDouble(0.7));
        assertArrayEquals(image(), img);
        a.apply(img, 0, 32, 32, 3, new Script().expectDouble(0.49));
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertEquals(32 - x, at(img, y, x, 2));
                assertEquals(y + 1, at(img, y, x, 1));
            }
        }
    }

    @Test
    void cutoutOfLengthThreeZeroesATwoByTwoBlock() {
        Augmentation a = new Augmentation(0, Augmentation.PadMode.ZERO, false, 3, null, null);
        byte[] img = image();
        a.apply(img, 0, 32, 32, 3, new Script().expectInt(32, 10).expectInt(32, 20));
        int zeros = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean hole = y >= 9 && y < 11 && x >= 19 && x < 21;
                for (int ch = 0; ch < 3; ch++) {
                    if (hole) assertEquals(0, at(img, y, x, ch), y + "," + x);
                    else assertEquals(image()[(y * 32 + x) * 3 + ch], img[(y * 32 + x) * 3 + ch]);
                }
                if (hole) zeros++;
            }
        }
        assertEquals(4, zeros);

        byte[] corner = image();
        a.apply(corner, 0, 32, 32, 3, new Script().expectInt(32, 0).expectInt(32, 0));
        for (int ch = 0; ch < 3; ch++) assertEquals(0, at(corner, 0, 0, ch));
        assertEquals(2, at(corner, 0, 1, 2));
        assertEquals(2, at(corner, 1, 0, 1));

        byte[] far = image();
        a.apply(far, 0, 32, 32, 3, new Script().expectInt(32, 31).expectInt(32, 31));
        // Rows [30, 32) and cols [30, 32): the hole is clipped by the exclusive bound min(y + 1, 32).
        assertEquals(0, at(far, 30, 30, 0));
        assertEquals(0, at(far, 31, 30, 1));
        assertEquals(0, at(far, 31, 31, 0));
        assertEquals(30, at(far, 29, 29, 2));
    }

    @Test
    void stepsRunInOrderCropFlipCutoutWithinABatchBuffer() {
        byte[] buf = new byte[2 * 3072];
        System.arraycopy(image(), 0, buf, 3072, 3072);
        Augmentation.ablNad().apply(buf, 3072, 32, 32, 3, new Script().expectInt(9, 0).expectInt(9, 0).expectDouble(0.1).expectInt(32, 5).expectInt(32, 5));
        for (int i = 0; i < 3072; i++) assertEquals(0, buf[i], "the first image must be untouched");
        byte[] img = java.util.Arrays.copyOfRange(buf, 3072, 6144);
        // Crop moved content right/down by 4, flip put the zero columns on the right.
        assertEquals(0, at(img, 10, 28, 0));
        assertEquals(0, at(img, 2, 10, 0));
        assertEquals(31 - 4 + 1, at(img, 10, 0, 2));
        assertEquals(10 - 4 + 1, at(img, 10, 0, 1));
        // Cutout centred at (5,5) with half 1: rows 4..5, cols 4..5.
        assertEquals(0, at(img, 5, 5, 1));
        assertEquals(0, at(img, 4, 4, 2));
        assertEquals(6 - 4 + 1, at(img, 6, 5, 1));
    }

    @Test
    void presetsCarryTheReferenceSettings() {
        assertTrue(Augmentation.none().isIdentity());
        assertFalse(Augmentation.none().normalises());
        Augmentation abl = Augmentation.ablNad();
        assertEquals(4, abl.cropPadding());
        assertEquals(Augmentation.PadMode.ZERO, abl.padMode());
        assertTrue(abl.horizontalFlip());
        assertEquals(3, abl.cutoutLength());
        assertEquals(new Augmentation(4, Augmentation.PadMode.ZERO, true, 0, null, null), Augmentation.cropFlip());
        Augmentation asd = Augmentation.asd();
        assertEquals(Augmentation.PadMode.REFLECT, asd.padMode());
        assertArrayEquals(new float[]{0.4914f, 0.4822f, 0.4465f}, asd.mean());
        assertArrayEquals(new float[]{0.2023f, 0.1994f, 0.2010f}, asd.std());
        asd.mean()[0] = 9;
        assertEquals(0.4914f, asd.mean()[0], "the record must not expose its arrays");
        assertEquals(Augmentation.asd(), asd);
    }

    @Test
    void noneDrawsNothingAndLeavesPixelsAlone() {
        byte[] img = image();
        Script rng = new Script();
        Augmentation.none().apply(img, 0, 32, 32, 3, rng);
        assertArrayEquals(image(), img);
        byte[] a = image(), b = image();
        Augmentation.ablNad().apply(a, 0, 32, 32, 3, new SplittableRandom(5));
        Augmentation.ablNad().apply(b, 0, 32, 32, 3, new SplittableRandom(5));
        assertArrayEquals(a, b);
    }

    @Test
    void rejectsBadSettings() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> new Augmentation(-1, Augmentation.PadMode.ZERO, false, 0, null, null));
        assertEquals("augmentation: cropPadding -1 must be >= 0", e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> new Augmentation(0, Augmentation.PadMode.ZERO, false, 0, new float[]{0.5f}, null));
        assertEquals("augmentation: mean and std must both be given or both be absent", e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> new Augmentation(0, Augmentation.PadMode.ZERO, false, 0, new float[]{0.5f}, new float[]{0f}));
        assertEquals("augmentation: std value 0.0 must be positive", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(4, Augmentation.PadMode.REFLECT, false, 0, null, null)
                .apply(new byte[12], 0, 2, 2, 3, new SplittableRandom(1)));
    }
}
