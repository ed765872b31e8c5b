package io.antidote.nn;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AttentionTest {
    // two samples of 2 channels x 1 x 2: sample 0 is c0 = [1, -2], c1 = [2, 0]; sample 1 is all zeros
    private static final float[] F = {1, -2, 2, 0, 0, 0, 0, 0};

    @Test
    void mapIsTheChannelSumOfPoweredMagnitudesOverItsNormPlusEps() {
        float[] a = Attention.map(F, 2, 2, 1, 2, 2.0);
        // |F|^2 summed over channels: [1 + 4, 4 + 0] = [5, 4]; its norm is sqrt(41)
        double d = Math.sqrt(41) + 1e-6;
        assertArrayEquals(new float[]{(float) (5 / d), (float) (4 / d), 0, 0}, a, 1e-6f,
                "each sample is normalised on its own, and an all-zero map stays zero thanks to the added eps");
        float[] a1 = Attention.map(F, 2, 2, 1, 2, 1.0);
        double d1 = Math.sqrt(13) + 1e-6;
        assertArrayEquals(new float[]{(float) (3 / d1), (float) (2 / d1), 0, 0}, a1, 1e-6f, "p = 1: [1 + 2, 2 + 0] = [3, 2]");
    }

    @Test
    void mseAveragesOverAllPositionsAndL2AveragesPerSampleNorms() {
        float[] s = {1, 0, 0, 0};
        float[] t = {0, 0, 3, 4};
        // squared differences 1, 0, 9, 16 over 4 positions; per-sample norms 1 and 5
        assertEquals(26 / 4.0, Attention.loss(s, t, 2, AttentionLoss.MSE), 1e-6);
        assertEquals((1 + 5) / 2.0, Attention.loss(s, t, 2, AttentionLoss.L2), 1e-6);
        assertEquals(0, Attention.loss(t, t, 2, AttentionLoss.L2), 0);
    }

    @Test
    void modelMapsHaveUnitNormAndOneEntryPerPosition() {
        SplittableRandom r = new SplittableRandom(5);
        byte[] x = new byte[3 * 3072];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        try (Model m = Model.create("wrn-16-1", 10, 2, Precision.FP32)) {
            int[] side = {32, 16, 8};
            for (int tap = 0; tap < 3; tap++) {
                float[] a = m.attentionMap(x, 3, tap, 2.0);
                int k = side[tap] * side[tap];
                assertEquals(3 * k, a.length);
                for (int s = 0; s < 3; s++) {
                    double sq = 0;
                    for (int j = 0; j < k; j++) sq += a[s * k + j] * a[s * k + j];
                    assertEquals(1.0, Math.sqrt(sq), 1e-5, "tap " + tap + " sample " + s);
                }
            }
            assertThrows(BadInputException.class, () -> m.attentionMap(x, 3, 3, 2.0));
        }
    }

    @Test
    void parsesTheLossForms() {
        assertEquals(AttentionLoss.MSE, AttentionLoss.parse("MSE"));
        assertEquals(AttentionLoss.L2, AttentionLoss.parse("l2"));
        BadInputException e = assertThrows(BadInputException.class, () -> AttentionLoss.parse("kl"));
        assertTrue(e.getMessage().contains("'kl'"), e.getMessage());
    }
}
