package io.antidote.nn;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class MixMatchTest {
    private static float[] sce(float[] logits, int k, int[] y) {
        Engine.init();
        try (PointerScope s = new PointerScope()) {
            Tensor z = Tensors.floats(logits, logits.length).view(y.length, k);
            return Tensors.toFloats(Model.symmetricCe(z, Tensors.longs(y, y.length), k, 0.1, 1.0));
        }
    }

    @Test
    void symmetricCrossEntropyMatchesHandComputedValues() {
        float[] uniform = new float[10];
        float[] confident = new float[10];
        confident[3] = 100;
        float[] out = sce(concat(uniform, confident), 10, new int[]{3, 3});
        // uniform: 0.1 ln 10 + (-ln 1e-4) x 0.9 (spec §10)
        assertEquals(0.1 * Math.log(10) + 9.210340372 * 0.9, out[0], 1e-4);
        assertEquals(8.5196, out[0], 1e-4);
        // confident and right: CE ~ 0, every wrong class clamped up to 1e-7
        assertEquals(9.210340372 * 9e-7, out[1], 1e-8);
        // three classes, logits (2, 1, 0), label 0: p = (0.66524, 0.24473, 0.09003)
        float[] three = sce(new float[]{2, 1, 0}, 3, new int[]{0});
        assertEquals(0.1 * 0.407606 + 9.210340 * (0.244728 + 0.090031), three[0], 1e-4);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    @Test
    void sharpeningSquaresAndRenormalisesAtHalfTemperature() {
        Engine.init();
        try (PointerScope s = new PointerScope()) {
            Tensor p = Tensors.floats(new float[]{0.5f, 0.3f, 0.2f, 0.25f, 0.25f, 0.5f}, 6).view(2, 3);
            float[] q = Tensors.toFloats(Model.sharpen(p, 0.5));
            float[] want = {0.25f / 0.38f, 0.09f / 0.38f, 0.04f / 0.38f, 0.0625f / 0.375f, 0.0625f / 0.375f, 0.25f / 0.375f};
            assertArrayEquals(want, q, 1e-6f);
        }
    }

    @Test
    void interleavingSwapsTheDiagonalSlicesAndUndoesItself() {
        assertArrayEquals(new long[]{0, 21, 42, 64}, Model.interleaveOffsets(64, 3));
        assertArrayEquals(new long[]{0, 2, 4, 7}, Model.interleaveOffsets(7, 3));
        Engine.init();
        try (PointerScope s = new PointerScope()) {
            int n = 7;
            Tensor[] chunks = new Tensor[3];
            for (int c = 0; c < 3; c++) {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = 100 * c + i;
                chunks[c] = Tensors.floats(v, n);
            }
            Tensor[] once = Model.interleave(chunks, n);
            assertArrayEquals(new float[]{0, 1, 102, 103, 204, 205, 206}, Tensors.toFloats(once[0]));
            assertArrayEquals(new float[]{100, 101, 2, 3, 104, 105, 106}, Tensors.toFloats(once[1]));
            assertArrayEquals(new float[]{200, 201, 202, 203, 4, 5, 6}, Tensors.toFloats(once[2]));
            Tensor[] twice = Model.interleave(once, n);
            for (int c = 0; c < 3; c++) assertArrayEquals(Tensors.toFloats(chunks[c]), Tensors.toFloats(twice[c]));
        }
    }

    @Test
    void engineSymmetricCrossEntropyAgreesWithItsCrossEntropyPart() {
        byte[] x = new byte[6 * 3072];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        int[] y = {0, 1, 2, 3, 4, 5};
        try (Model m = Model.create("wrn-10-1", 10, 2, Precision.FP32)) {
            float[] ce = m.evaluate(x, 6, y).losses();
            assertArrayEquals(ce, m.symmetricCrossEntropy(x, 6, y, 1.0, 0.0), 1e-5f);
            float[] sce = m.symmetricCrossEntropy(x, 6, y, 0.1, 1.0);
            for (int i = 0; i < 6; i++) {
                assertTrue(sce[i] > 0.1 * ce[i] && sce[i] < 0.1 * ce[i] + 9.2104, "SCE " + sce[i] + " vs CE " + ce[i]);
            }
        }
    }

    @Test
    void mixMatchStepTrainsOnATinyBatch() {
        int n = 6;
        SplittableRandom r = new SplittableRandom(9);
        byte[] x = new byte[n * 3072], u1 = new byte[n * 3072], u2 = new byte[n * 3072];
        for (byte[] a : new byte[][]{x, u1, u2}) for (int i = 0; i < a.length; i++) a[i] = (byte) r.nextInt(256);
        int[] y = {0, 1, 2, 3, 4, 5};
        int[] perm = {17, 3, 0, 9, 12, 1, 5, 16, 2, 14, 7, 4, 11, 6, 13, 8, 10, 15};
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            Map<String, TensorData> before = m.stateDict();
            Adam opt = m.adam(Adam.Options.reference(0.002), name -> true);
            Model.MixMatchResult res = m.mixMatchStep(opt, x, y, u1, u2, n, 0.5, 0.8, perm, 2.0);
            assertTrue(Double.isFinite(res.loss()) && res.lossX() > 0 && res.lossU() > 0, res.toString());
            assertEquals(res.lossX() + 2.0 * res.lossU(), res.loss(), 1e-5);
            // a fresh 10-class model: soft cross-entropy of mixed one-hot targets is near ln 10
            assertEquals(Math.log(10), res.lossX(), 1.0);
            Map<String, TensorData> after = m.stateDict();
            assertFalse(java.util.Arrays.equals(before.get("fc.weight").floats(), after.get("fc.weight").floats()), "weights did not move");
            assertFalse(java.util.Arrays.equals(before.get("conv1.weight").floats(), after.get("conv1.weight").floats()));
            // guessing and the three passes ran in train mode: running statistics moved
            assertFalse(java.util.Arrays.equals(before.get("bn1.running_mean").floats(), after.get("bn1.running_mean").floats()));
            assertThrows(IllegalArgumentException.class, () -> m.mixMatchStep(opt, x, y, u1, u2, n, 0.5, 0.8, new int[3], 1.0));
        }
    }

    @Test
    void bf16AutocastGivesTheSameLossesWithinItsPrecision() {
        int n = 6;
        SplittableRandom r = new SplittableRandom(11);
        byte[] x = new byte[n * 3072], u1 = new byte[n * 3072], u2 = new byte[n * 3072];
        for (byte[] a : new byte[][]{x, u1, u2}) for (int i = 0; i < a.length; i++) a[i] = (byte) r.nextInt(256);
        int[] y = {5, 4, 3, 2, 1, 0};
        int[] perm = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0};
        try (Model f = Model.create("wrn-10-1", 10, 3, Precision.FP32); Model b = Model.create("wrn-10-1", 10, 3, Precision.BF16)) {
            float[] sf = f.symmetricCrossEntropy(x, n, y, 0.1, 1.0), sb = b.symmetricCrossEntropy(x, n, y, 0.1, 1.0);
            assertArrayEquals(sf, sb, 0.1f);
            Model.MixMatchResult rf = f.mixMatchStep(f.adam(Adam.Options.reference(0.002), k -> true), x, y, u1, u2, n, 0.5, 0.9, perm, 3.0);
            Model.MixMatchResult rb = b.mixMatchStep(b.adam(Adam.Options.reference(0.002), k -> true), x, y, u1, u2, n, 0.5, 0.9, perm, 3.0);
            assertEquals(rf.lossX(), rb.lossX(), 0.05);
            assertEquals(rf.lossU(), rb.lossU(), 0.01);
        }
    }
}
