package io.antidote.data;

import org.junit.jupiter.api.Test;

import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.*;

class AugmentationTest {
    /** Replays fixed draws: ints first (crop top, crop left, ..., cutout y, x), doubles for the flip. */
    static RandomGenerator fixed(int[] ints, double flip) {
        return new RandomGenerator() {
            int i;
            @Override public long nextLong() { throw new UnsupportedOperationException(); }
            @Override public int nextInt(int bound) { return ints[i++]; }
            @Override public double nextDouble() { return flip; }
        };
    }

    static byte[] ramp() {
        byte[] img = new byte[32 * 32];
        for (int r = 0; r < 32; r++) for (int c = 0; c < 32; c++) img[r * 32 + c] = (byte) (r * 32 + c + 1);
        return img;
    }

    static int px(byte[] img, int r, int c) { return img[r * 32 + c] & 0xff; }

    @Test
    void zeroPaddedCropAtTheTopLeftShiftsTheImageDownRight() {
        byte[] img = ramp();
        new Augmentation(4, Augmentation.PadMode.ZERO, false, 0, null, null).apply(img, 0, 32, 32, 1, fixed(new int[]{0, 0}, 0.9));
        for (int r = 0; r < 4; r++) for (int c = 0; c < 32; c++) assertEquals(0, px(img, r, c));
        for (int r = 0; r < 32; r++) for (int c = 0; c < 4; c++) assertEquals(0, px(img, r, c));
        assertEquals(1, px(img, 4, 4));
        assertEquals((27 * 32 + 27 + 1) & 0xff, px(img, 31, 31));
    }

    @Test
    void centreCropIsTheIdentityAndReflectMirrorsWithoutTheEdge() {
        byte[] img = ramp();
        new Augmentation(4, Augmentation.PadMode.ZERO, false, 0, null, null).apply(img, 0, 32, 32, 1, fixed(new int[]{4, 4}, 0.9));
        assertArrayEquals(ramp(), img);
        byte[] r = ramp();
        new Augmentation(4, Augmentation.PadMode.REFLECT, false, 0, null, null).apply(r, 0, 32, 32, 1, fixed(new int[]{8, 8}, 0.9));
        // window starts at (4,4): output col 28 is source col 32, which reflects to 30; col 31 -> 35 -> 27
        assertEquals(px(ramp(), 4 + 0, 30), px(r, 0, 28));
        assertEquals(px(ramp(), 4, 27), px(r, 0, 31));
        assertEquals(px(ramp(), 30, 4), px(r, 28, 0));
    }

    @Test
    void flipMirrorsColumnsOnlyWhenTheDrawIsBelowOneHalf() {
        byte[] img = ramp();
        new Augmentation(0, Augmentation.PadMode.ZERO, true, 0, null, null).apply(img, 0, 32, 32, 1, fixed(new int[]{}, 0.2));
        assertEquals(px(ramp(), 5, 31), px(img, 5, 0));
        byte[] same = ramp();
        new Augmentation(0, Augmentation.PadMode.ZERO, true, 0, null, null).apply(same, 0, 32, 32, 1, fixed(new int[]{}, 0.7));
        assertArrayEquals(ramp(), same);
    }

    static byte[] constant() {
        byte[] img = new byte[32 * 32];
        java.util.Arrays.fill(img, (byte) 7);
        return img;
    }

    @Test
    void cutoutOfLengthThreeZeroesATwoByTwoBlockAndOneByOneAtTheCorner() {
        byte[] img = constant();
        new Augmentation(0, Augmentation.PadMode.ZERO, false, 3, null, null).apply(img, 0, 32, 32, 1, fixed(new int[]{10, 20}, 0.9));
        int zeros = 0;
        for (int r = 0; r < 32; r++) for (int c = 0; c < 32; c++) if (px(img, r, c) == 0) zeros++;
        assertEquals(4, zeros);
        assertEquals(0, px(img, 9, 19));
        assertEquals(0, px(img, 10, 20));
        assertNotEquals(0, px(img, 11, 21));
        byte[] corner = constant();
        new Augmentation(0, Augmentation.PadMode.ZERO, false, 3, null, null).apply(corner, 0, 32, 32, 1, fixed(new int[]{0, 0}, 0.9));
        zeros = 0;
        for (int r = 0; r < 32; r++) for (int c = 0; c < 32; c++) if (px(corner, r, c) == 0) zeros++;
        assertEquals(1, zeros);
    }

    @Test
    void batchLoaderIsDeterministicAndCoversEverySampleOnce() {
        byte[] px = new byte[10 * 3072];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) { y[i] = i; java.util.Arrays.fill(px, i * 3072, (i + 1) * 3072, (byte) (i + 1)); }
        ImageSet s = ImageSet.of("t", 32, 32, 3, 10, px, y);
        int[] order = BatchLoader.shuffledOrder(10, 7);
        java.util.List<BatchLoader.Batch> a = new java.util.ArrayList<>(), b = new java.util.ArrayList<>();
        try (BatchLoader l = new BatchLoader(s, order, 4, false, Augmentation.ablNad(), 3)) { l.forEachRemaining(a::add); }
        try (BatchLoader l = new BatchLoader(s, order, 4, false, Augmentation.ablNad(), 3)) { l.forEachRemaining(b::add); }
        assertEquals(3, a.size());
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int k = 0; k < a.size(); k++) {
            assertArrayEquals(a.get(k).pixels(), b.get(k).pixels());
            for (int p : a.get(k).positions()) assertTrue(seen.add(p));
        }
        assertEquals(10, seen.size());
        try (BatchLoader l = new BatchLoader(s, order, 4, true, Augmentation.none(), 3)) {
            int n = 0;
            while (l.hasNext()) { assertEquals(4, l.next().size()); n++; }
            assertEquals(2, n);
        }
    }
}
