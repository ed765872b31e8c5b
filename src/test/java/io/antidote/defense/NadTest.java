package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.nn.AttentionLoss;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Precision;
import io.antidote.nn.Sgd;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class NadTest {
    private static final double[] REF_BETAS = {500, 1000, 1000};

    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 10;
        return y;
    }

    /** A teacher that differs from the student, as a fine-tuned one does. */
    static Model nudged(Model base, byte[] x, int[] y) {
        Model t = base.copy();
        t.trainStep(t.sgd(Sgd.Options.reference()), x, y.length, y, null, Objective.crossEntropy());
        return t;
    }

    @Test
    void distillationLeavesTheTeacherUntouched() {
        byte[] x = AblTest.images(16, 1);
        int[] y = labels(16);
        try (Model student = Model.create("wrn-16-1", 10, 3, Precision.FP32); Model teacher = nudged(student, x, y)) {
            Map<String, TensorData> before = teacher.stateDict();
            Map<String, TensorData> studentBefore = student.stateDict();
            Sgd opt = student.sgd(Sgd.Options.reference());
            for (int s = 0; s < 2; s++) student.distillStep(opt, teacher, x, 16, y, REF_BETAS, 2.0, AttentionLoss.MSE);
            assertEquals(before, teacher.stateDict(), "teacher weights or BN statistics changed");
            assertNotEquals(studentBefore.get("conv1.weight"), student.stateDict().get("conv1.weight"));
        }
    }

    @Test
    void bf16DistillationComputesMapsInFloatAndLeavesTheTeacherUntouched() {
        byte[] x = AblTest.images(16, 6);
        int[] y = labels(16);
        try (Model student = Model.create("wrn-16-1", 10, 3, Precision.BF16); Model teacher = nudged(student, x, y)) {
            Map<String, TensorData> before = teacher.stateDict();
            Sgd opt = student.sgd(new Sgd.Options(0.1, 0, false, 0));
            double first = 0, last = 0;
            for (int s = 0; s < 6; s++) {
                Model.DistillResult r = student.distillStep(opt, teacher, x, 16, y, new double[]{0, 0, 1000}, 2.0, AttentionLoss.MSE);
                assertTrue(Double.isFinite(r.step().loss()) && r.attention()[2] > 0, "loss " + r.step().loss());
                if (s == 0) first = r.attention()[2];
                last = r.attention()[2];
            }
            assertEquals(before, teacher.stateDict());
            assertTrue(last < first, "AT " + first + " -> " + last);
            float[] a = student.attentionMap(x, 1, 2, 2.0);
            double sq = 0;
            for (float v : a) sq += v * v;
            assertEquals(1.0, Math.sqrt(sq), 1e-5, "maps are normalised in fp32 even under bf16 autocast");
        }
    }

    @Test
    void zeroBetasMakeTheStepExactlyACrossEntropyStep() {
        byte[] x = AblTest.images(16, 2);
        int[] y = labels(16);
        try (Model base = Model.create("wrn-16-1", 10, 4, Precision.FP32); Model teacher = nudged(base, x, y);
             Model plain = base.copy(); Model distilled = base.copy()) {
            Sgd a = plain.sgd(Sgd.Options.reference());
            Sgd b = distilled.sgd(Sgd.Options.reference());
            // two steps, so the momentum buffers take part too
            for (int s = 0; s < 2; s++) {
                Model.StepResult ce = plain.trainStep(a, x, 16, y, null, Objective.crossEntropy());
                Model.DistillResult d = distilled.distillStep(b, teacher, x, 16, y, new double[3], 2.0, AttentionLoss.MSE);
                assertEquals(ce.loss(), d.step().loss(), 0);
                assertArrayEquals(new double[3], d.attention());
            }
            assertEquals(plain.stateDict(), distilled.stateDict());
        }
    }

    @Test
    void attentionTermCarriesGradient() {
        // The reference detached this term until 2022, which silently made NAD plain fine-tuning (§9 item 29).
        byte[] x = AblTest.images(16, 3);
        int[] y = labels(16);
        try (Model base = Model.create("wrn-16-1", 10, 5, Precision.FP32); Model teacher = nudged(base, x, y);
             Model plain = base.copy(); Model distilled = base.copy()) {
            // plain SGD with lr x beta ~ 100: larger products overshoot and the AT value oscillates
            Sgd po = plain.sgd(new Sgd.Options(0.1, 0, false, 0));
            Sgd dopt = distilled.sgd(new Sgd.Options(0.1, 0, false, 0));
            double[] betas = {0, 0, 1000};
            double first = 0, lastAt = 0;
            for (int s = 0; s < 12; s++) {
                plain.distillStep(po, teacher, x, 16, y, new double[3], 2.0, AttentionLoss.MSE);
                Model.DistillResult r = distilled.distillStep(dopt, teacher, x, 16, y, betas, 2.0, AttentionLoss.MSE);
                assertEquals(0, r.attention()[0], 0, "a tap with beta 0 is not computed");
                assertTrue(r.attention()[2] > 0);
                if (s == 0) first = r.attention()[2];
                lastAt = r.attention()[2];
            }
            // the map of block3 depends on the stem, so its gradient must have reached conv1
            assertNotEquals(plain.stateDict().get("conv1.weight"), distilled.stateDict().get("conv1.weight"));
            assertTrue(lastAt < first * 0.3, "repeated steps did not pull the maps together: AT " + first + " -> " + lastAt);
        }
    }

    @Test
    void l2FormIsThePerSampleNormOfTheMapDifference() {
        byte[] x = AblTest.images(4, 4);
        try (Model s = Model.create("wrn-16-1", 10, 6, Precision.FP32); Model t = Model.create("wrn-16-1", 10, 7, Precision.FP32)) {
            for (int tap = 0; tap < 3; tap++) {
                float[] as = s.attentionMap(x, 4, tap, 2.0), at = t.attentionMap(x, 4, tap, 2.0);
                double mse = 0, l2 = 0;
                int k = as.length / 4;
                for (int i = 0; i < 4; i++) {
                    double sq = 0;
                    for (int j = 0; j < k; j++) sq += Math.pow(as[i * k + j] - at[i * k + j], 2);
                    mse += sq;
                    l2 += Math.sqrt(sq);
                }
                assertEquals(mse / as.length, s.attentionLosses(t, x, 4, 2.0, AttentionLoss.MSE)[tap], 1e-6);
                assertEquals(l2 / 4, s.attentionLosses(t, x, 4, 2.0, AttentionLoss.L2)[tap], 1e-5);
            }
        }
    }

    @Test
    void betasMustMatchTheTaps() {
        ImageSet data = Synthetic.train(new Synthetic.Config(8, 0, 1));
        try (Model m = Model.create("wrn-10-1", 10, 1, Precision.FP32); Model t = m.copy()) {
            Nad.Config c = Nad.Config.reference(1).withBetas(List.of(1.0, 2.0)).withEpochs(0, 1);
            BadInputException e = assertThrows(BadInputException.class,
                    () -> Nad.distill(m, t, data, c, null, (stage, s, mm) -> {}, Progress.silent()));
            assertTrue(e.getMessage().contains("2 given for the 3"), e.getMessage());
            assertThrows(BadInputException.class, () -> c.withBetas(List.of(1.0, -1.0, 0.0)));
        }
    }

    @Test
    void referencePresetFollowsTheSpec() {
        Nad.Config c = Nad.Config.reference(9);
        assertEquals(List.of(500.0, 1000.0, 1000.0), c.betas());
        assertEquals(20, c.epochs());
        assertEquals(64, c.batchSize());
        assertEquals(AttentionLoss.MSE, c.loss());
        assertEquals(2.0, c.p());
        assertEquals(3, c.augmentation().cutoutLength());
        double[] lr = new double[22];
        for (int e = 0; e < lr.length; e++) lr[e] = c.schedule().lr(c.lr(), e, c.epochs());
        assertEquals(0.1, lr[1], 1e-12);
        assertEquals(0.01, lr[2], 1e-12);
        assertEquals(0.01, lr[19], 1e-12);
        assertEquals(1e-4, lr[20], 1e-12);
    }

    @Test
    void runReportsTeacherThenStudentEpochsWithAttention() {
        ImageSet data = Synthetic.train(new Synthetic.Config(96, 0, 2));
        Nad.Config c = Nad.Config.reference(3).withEpochs(1, 2).withBatchSize(48);
        List<String> seen = new ArrayList<>();
        try (Model m = Model.create("wrn-10-1", 10, 2, Precision.FP32)) {
            Nad.Result r = Nad.run(m, data, c, null, new Nad.Listener() {
                @Override
                public void epoch(String stage, Trainer.EpochStats s, Model model) { seen.add(stage + (s.epoch() + 1)); }

                @Override
                public void attention(int epoch, double[] at, Model student, Model teacher) {
                    assertNotSame(student, teacher);
                    for (double v : at) assertTrue(Double.isFinite(v) && v > 0, "AT " + v);
                    seen.add("at" + (epoch + 1));
                }
            }, Progress.silent());
            assertEquals(List.of("teacher1", "nad1", "at1", "nad2", "at2"), seen);
            assertEquals(2, r.epochsRun());
        }
    }
}
