package io.antidote.nn;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BezierCurveTest {
    static byte[] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] x = new byte[n * 3072];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        return x;
    }

    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7) % 10;
        return y;
    }

    /** The parameters of a state dictionary, without its buffers. */
    static Map<String, TensorData> parameters(Model m) {
        Map<String, TensorData> all = m.stateDict(), out = new LinkedHashMap<>();
        for (String k : m.parameterNames()) out.put(k, all.get(k));
        return out;
    }

    @Test
    void theEndsOfATrainedCurveAreItsEndpointsExactly() {
        byte[] x = images(16, 1);
        int[] y = labels(16);
        try (Model a = Model.create("wrn-10-1", 10, 1, Precision.FP32); Model b = Model.create("wrn-10-1", 10, 2, Precision.FP32);
             Model carrier = a.copy(); BezierCurve c = BezierCurve.between(carrier, a.stateDict(), b.stateDict())) {
            Map<String, TensorData> theta0 = c.controlPoint();
            float[] a0 = a.stateDict().get("conv1.weight").floats(), b0 = b.stateDict().get("conv1.weight").floats();
            float[] mid = theta0.get("conv1.weight").floats();
            for (int i = 0; i < mid.length; i++) assertEquals((a0[i] + b0[i]) / 2, mid[i], 1e-7, "theta starts at the midpoint");
            Optimizer opt = c.optimizer(Sgd.Options.reference());
            for (int s = 0; s < 3; s++) {
                c.place(0.2 + 0.3 * s);
                carrier.trainStep(opt, x, 16, y, null, Objective.crossEntropy());
            }
            assertNotEquals(theta0.get("conv1.weight"), c.controlPoint().get("conv1.weight"), "training did not move theta");
            c.place(0);
            assertEquals(parameters(a), parameters(carrier), "phi(0) is w0");
            c.place(1);
            assertEquals(parameters(b), parameters(carrier), "phi(1) is w1");
            // and in between, the Bernstein blend of the three
            c.place(0.25);
            float[] th = c.controlPoint().get("fc.weight").floats(), p = carrier.stateDict().get("fc.weight").floats();
            float[] af = a.stateDict().get("fc.weight").floats(), bf = b.stateDict().get("fc.weight").floats();
            for (int i = 0; i < p.length; i++) assertEquals(0.5625 * af[i] + 0.375 * th[i] + 0.0625 * bf[i], p[i], 1e-6);
        }
    }

    @Test
    void theControlPointMovesBy2t1MinusTTimesTheGradientAtPhiOfT() {
        byte[] x = images(16, 3);
        int[] y = labels(16);
        double t = 0.3, lr = 0.5, scale = 2 * t * (1 - t);
        try (Model a = Model.create("wrn-10-1", 10, 3, Precision.FP32); Model b = Model.create("wrn-10-1", 10, 4, Precision.FP32);
             Model carrier = a.copy(); BezierCurve c = BezierCurve.between(carrier, a.stateDict(), b.stateDict())) {
            Sgd.Options plain = new Sgd.Options(lr, 0, false, 0);
            Optimizer opt = c.optimizer(plain);
            c.place(t);
            Map<String, TensorData> phi = parameters(carrier);
            Map<String, TensorData> before = c.controlPoint();
            try (Model atPhi = carrier.copy()) {
                // the gradient the network reports at phi(t), seen through one plain SGD step: w' = phi - lr·g
                atPhi.trainStep(atPhi.sgd(plain), x, 16, y, null, Objective.crossEntropy());
                carrier.trainStep(opt, x, 16, y, null, Objective.crossEntropy());
                Map<String, TensorData> stepped = parameters(atPhi), after = c.controlPoint();
                double largest = 0;
                for (String k : phi.keySet()) {
                    float[] p0 = phi.get(k).floats(), p1 = stepped.get(k).floats(), t0 = before.get(k).floats(), t1 = after.get(k).floats();
                    for (int i = 0; i < p0.length; i++) {
                        double gradStep = (double) p0[i] - p1[i], thetaStep = (double) t0[i] - t1[i];
                        largest = Math.max(largest, Math.abs(gradStep));
                        // float rounding of w and theta bounds the agreement, not the arithmetic
                        double tol = 1e-6 * (Math.abs(p0[i]) + Math.abs(t0[i])) + 1e-9;
                        assertEquals(scale * gradStep, thetaStep, tol, k + "[" + i + "]");
                    }
                }
                assertTrue(largest > 1e-4, "the step was too small to test anything: " + largest);
            }
        }
    }

    @Test
    void recomputedStatisticsForgetTheOldOnesAndAverageChunks() {
        byte[] x = images(32, 5);
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32); Model other = m.copy()) {
            other.recalibrate(images(16, 6), 16);
            m.recomputeBatchNormStatistics(x, 32, 32);
            other.recomputeBatchNormStatistics(x, 32, 32);
            String first = "block1.layer.0.bn1.running_mean";
            for (String k : m.stateDict().keySet()) {
                if (!k.endsWith("running_mean") && !k.endsWith("running_var")) continue;
                assertArrayEquals(m.stateDict().get(k).floats(), other.stateDict().get(k).floats(), 1e-4f, k);
            }
            float[] whole = m.stateDict().get(first).floats();
            m.recomputeBatchNormStatistics(x, 32, 16);
            // the first BN sees the stem's output, which does not depend on the chunking, so two halves average to the whole
            assertArrayEquals(whole, m.stateDict().get(first).floats(), 1e-4f);
        }
    }
}
