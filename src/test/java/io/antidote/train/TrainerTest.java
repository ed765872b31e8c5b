package io.antidote.train;

import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.Optimizer;
import io.antidote.nn.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    static ImageSet randomSet(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 32 * 32 * 3];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
            // class-dependent brightness so there is something to learn
            for (int k = 0; k < 3072; k++) px[i * 3072 + k] = (byte) (y[i] * 20 + r.nextInt(40));
        }
        return ImageSet.of("random", 32, 32, 3, 10, px, y);
    }

    static TrainConfig cfg(int epochs) {
        return new TrainConfig(epochs, 32, "sgd", 0.05, 0.9, true, 5e-4, new Schedule.Cosine(), Augmentation.ablNad(), true, false, 42);
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path dir) {
        ImageSet data = randomSet(96, 1);
        TrainConfig c = cfg(4);
        try (Model full = Model.create("wrn-16-1", 10, 5, Precision.FP32)) {
            Optimizer o = Trainer.optimizer(full, c, n -> true);
            Trainer.train(full, o, data, c, new Trainer.Hooks() {}, null, Progress.silent(), -1);

            Checkpoint ck = new Checkpoint(dir.resolve("train.ckpt.safetensors"));
            try (Model first = Model.create("wrn-16-1", 10, 5, Precision.FP32)) {
                // "killed" after two epochs: only the checkpoint survives
                assertEquals(2, Trainer.train(first, Trainer.optimizer(first, c, n -> true), data, c, new Trainer.Hooks() {}, ck, Progress.silent(), 2));
            }
            assertEquals("2", ck.metadata().get("epochs_done"));
            try (Model resumed = Model.create("wrn-16-1", 10, 999, Precision.FP32)) {
                int ran = Trainer.train(resumed, Trainer.optimizer(resumed, c, n -> true), data, c, new Trainer.Hooks() {}, ck, Progress.silent(), -1);
                assertEquals(2, ran);
                assertEquals(full.stateDict(), resumed.stateDict(), "weights after resume differ from the uninterrupted run");
            }
        }
    }

    @Test
    void resumeWithADifferentConfigIsRefused(@TempDir Path dir) {
        ImageSet data = randomSet(32, 2);
        Checkpoint ck = new Checkpoint(dir.resolve("c.safetensors"));
        try (Model m = Model.create("wrn-16-1", 10, 5, Precision.FP32)) {
            Trainer.train(m, Trainer.optimizer(m, cfg(1), n -> true), data, cfg(1), new Trainer.Hooks() {}, ck, Progress.silent(), -1);
            TrainConfig other = cfg(3);
            var e = assertThrows(io.antidote.BadInputException.class,
                    () -> Trainer.train(m, Trainer.optimizer(m, other, n -> true), data, other, new Trainer.Hooks() {}, ck, Progress.silent(), -1));
            assertTrue(e.getMessage().contains("different config"));
        }
    }

    @Test
    void negativeWeightsAscendOnTheirExamples() {
        ImageSet data = randomSet(64, 3);
        TrainConfig c = new TrainConfig(4, 16, "sgd", 0.05, 0.9, false, 0, new Schedule.Constant(), Augmentation.none(), false, false, 1);
        try (Model up = Model.create("wrn-16-1", 10, 5, Precision.FP32); Model down = up.copy()) {
            Trainer.Hooks ascend = new Trainer.Hooks() {
                @Override
                public float[] weights(int epoch, int[] positions) {
                    float[] w = new float[positions.length];
                    java.util.Arrays.fill(w, -1f);
                    return w;
                }
            };
            double before = Inference.predict(up, data, 64).losses()[0];
            Trainer.train(up, Trainer.optimizer(up, c, n -> true), data, c, ascend, null, Progress.silent(), -1);
            Trainer.train(down, Trainer.optimizer(down, c, n -> true), data, c, new Trainer.Hooks() {}, null, Progress.silent(), -1);
            double lu = mean(Inference.predict(up, data, 64).losses());
            double ld = mean(Inference.predict(down, data, 64).losses());
            assertTrue(lu > before && lu > 10 * ld, "ascent loss " + lu + " should exceed descent loss " + ld + " (start " + before + ")");
        }
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    @Test
    void schedulesGiveTheirDocumentedRates() {
        assertEquals(0.1, new Schedule.Cosine().lr(0.1, 0, 10), 1e-12);
        assertEquals(0.05, new Schedule.Cosine().lr(0.1, 5, 10), 1e-12);
        assertEquals(0.0, new Schedule.Cosine().lr(0.1, 10, 10), 1e-12);
        Schedule ms = Schedule.parse("multistep:2,4:0.1");
        assertEquals(0.1, ms.lr(0.1, 1.9, 6), 1e-12);
        assertEquals(0.01, ms.lr(0.1, 2.0, 6), 1e-12);
        assertEquals(0.001, ms.lr(0.1, 5.5, 6), 1e-12);
        assertEquals(0.01, Schedule.parse("step:3").lr(0.1, 3.2, 9), 1e-12);
        Schedule oc = Schedule.parse("onecycle:0.25");
        assertEquals(0.004, oc.lr(0.1, 0, 4), 1e-12);
        assertEquals(0.1, oc.lr(0.1, 1, 4), 1e-12);
        assertThrows(io.antidote.BadInputException.class, () -> Schedule.parse("cosin"));
    }
}
