package io.antidote.attack;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class WaNetTest {

    @Test
    void zeroStrengthIsTheIdentity() {
        byte[] img = Images.random(32, 32, 3, 1);
        assertArrayEquals(img, new WaNet(4, 0, 1, 2, 9).apply(img, 32, 32, 3));
        byte[] odd = Images.random(7, 13, 1, 2);
        assertArrayEquals(odd, new WaNet(4, 0, 1, 2, 9).apply(odd, 7, 13, 1));
    }

    @Test
    void warpIsFixedBySeedAndChangesTheImage() {
        byte[] img = Images.random(32, 32, 3, 1);
        byte[] a = WaNet.defaults(7).apply(img, 32, 32, 3);
        assertArrayEquals(a, WaNet.defaults(7).apply(img, 32, 32, 3));
        assertFalse(Arrays.equals(a, img));
        assertFalse(Arrays.equals(a, WaNet.defaults(8).apply(img, 32, 32, 3)));
    }

    @Test
    void noiseModeDiffersFromTheWarpAndFollowsItsGenerator() {
        byte[] img = Images.random(32, 32, 3, 1);
        WaNet w = WaNet.defaults(7);
        byte[] n1 = w.noise(img, 32, 32, 3, new SplittableRandom(3));
        assertArrayEquals(n1, w.noise(img, 32, 32, 3, new SplittableRandom(3)));
        assertFalse(Arrays.equals(n1, w.apply(img, 32, 32, 3)));
    }

    @Test
    void gridStaysInsideMinusOneToOne() {
        double[] g = new WaNet(4, 5, 1, 0, 1).samplingGrid(32, 32);
        for (double v : g) assertTrue(v >= -1 && v <= 1);
    }

    @Test
    void bicubicMatchesKeysKernelWithAlignedCorners() {
        // One plane 4x4, every row 0, 0, 1, 0; upsampled to 4x7 the source column of output j is j / 2.
        double[] src = new double[16];
        for (int r = 0; r < 4; r++) src[r * 4 + 2] = 1;
        double[] up = WaNet.upsampleBicubic(src, 0, 4, 4, 4, 7);
        double[] expectedRow = {0, -0.09375, 0, 0.59375, 1, 0.59375, 0};
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 7; j++) assertEquals(expectedRow[j], up[r * 7 + j], 1e-12, "row " + r + " col " + j);
        }
    }

    @Test
    void bilinearSamplingUsesAlignedCornersAndZeroPadding() {
        byte[] img = {0, 100, (byte) 200};
        // h = 1 so y plays no part; x -1, 0, 0.5, 1 land on pixels 0, 1, 1.5, 2.
        double[] grid = {-1, 0, 0, 0, 0.5, 0};
        byte[] out = WaNet.sample(img, 1, 3, 1, grid);
        assertArrayEquals(new int[]{0, 100, 150}, new int[]{out[0] & 0xff, out[1] & 0xff, out[2] & 0xff});
        byte[] edge = WaNet.sample(img, 1, 3, 1, new double[]{1, 0, 1, 0, 1, 0});
        assertEquals(200, edge[0] & 0xff);
    }

    @Test
    void linspaceIsSymmetric() {
        double[] v = WaNet.linspace(32);
        for (int i = 0; i < 32; i++) assertEquals(-v[i], v[31 - i], 0);
        assertEquals(-1, v[0], 0);
        assertEquals(1, v[31], 0);
    }
}
