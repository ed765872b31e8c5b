package io.antidote.nn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class HeadInputsTest {
    @Test
    void resnetSubmodulesSurviveGarbageCollection() {
        // libtorch's train() calls back into every Java module object; one that was only registered, not held, is gone after a GC
        try (Model m = Model.create("resnet18", 10, 1, Precision.FP32)) {
            for (int i = 0; i < 3; i++) System.gc();
            assertEquals(2, m.evaluate(new byte[2 * 3072], 2, null).predictions().length);
        }
    }

    @Test
    void headOfTheHeadInputsGivesTheLogits() {
        SplittableRandom r = new SplittableRandom(2);
        byte[] x = new byte[2 * 3072];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        for (String arch : new String[]{"wrn-16-1", "resnet18", "preact-resnet18"}) {
            try (Model m = Model.create(arch, 10, 1, Precision.FP32)) {
                float[] f = m.headInputs(x, 2);
                float[] w = m.stateDict().get(m.headName() + ".weight").floats();
                float[] b = m.stateDict().get(m.headName() + ".bias").floats();
                int width = f.length / 2;
                assertEquals(w.length, 10 * width, arch);
                float[] logits = m.evaluate(x, 2, null).logits();
                for (int i = 0; i < 2; i++) {
                    for (int k = 0; k < 10; k++) {
                        double s = b[k];
                        for (int c = 0; c < width; c++) s += w[k * width + c] * f[i * width + c];
                        assertEquals(logits[i * 10 + k], s, 1e-4, arch + " sample " + i + " class " + k);
                    }
                }
                m.zeroHeadInputs(new int[]{0, width - 1});
                float[] z = m.stateDict().get(m.headName() + ".weight").floats();
                for (int k = 0; k < 10; k++) {
                    assertEquals(0, z[k * width], 0);
                    assertEquals(0, z[k * width + width - 1], 0);
                }
            }
        }
    }
}
