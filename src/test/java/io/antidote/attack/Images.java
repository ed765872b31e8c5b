package io.antidote.attack;

import io.antidote.data.ImageSet;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Fake images and sets for the attack tests. */
final class Images {
    private Images() {}

    static byte[] constant(int h, int w, int c, int v) {
        byte[] b = new byte[h * w * c];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static byte[] random(int h, int w, int c, long seed) {
        byte[] b = new byte[h * w * c];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < b.length; i++) b[i] = (byte) r.nextInt(256);
        return b;
    }

    static int px(byte[] img, int w, int c, int row, int col, int ch) {
        return img[(row * w + col) * c + ch] & 0xff;
    }

    /** n images of h x w x c, sample i labelled i mod classes; pixels random when noisy, else 100. */
    static ImageSet set(int n, int h, int w, int c, int classes, boolean noisy) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % classes;
        byte[] px;
        if (noisy) {
            px = random(1, n * h * w, c, c * 31L + n);
        } else {
            px = new byte[n * h * w * c];
            Arrays.fill(px, (byte) 100);
        }
        return ImageSet.of("fake", h, w, c, classes, px, labels);
    }
}
