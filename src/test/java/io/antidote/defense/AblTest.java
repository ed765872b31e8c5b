package io.antidote.defense;

import io.antidote.attack.Attack;
import io.antidote.attack.AttackContext;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Precision;
import io.antidote.nn.Sgd;
import io.antidote.nn.TensorData;
import io.antidote.train.Inference;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AblTest {
    static byte[] images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] x = new byte[n * 3072];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        return x;
    }

    /** fc.bias after one plain SGD step (lr 1, no momentum) under the objective. */
    static float[] biasStep(Model base, Objective o, byte[] x, int[] y) {
        try (Model m = base.copy()) {
            Sgd opt = m.sgd(new Sgd.Options(1.0, 0, false, 0), n -> n.equals("fc.bias"));
            m.trainStep(opt, x, y.length, y, null, o);
            return m.stateDict().get("fc.bias").floats();
        }
    }

    @Test
    void lgaDescendsAboveGammaAndAscendsBelowIt() {
        byte[] x = images(8, 1);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7};
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            float[] b0 = m.stateDict().get("fc.bias").floats();
            float[] ce = biasStep(m, Objective.crossEntropy(), x, y);
            // a fresh 10-class model has loss ~ln 10 = 2.3: above 0.5, so LGA is plain descent
            float[] lgaHigh = biasStep(m, new Objective.LocalGradientAscent(0.5), x, y);
            // with gamma above the loss, LGA must step the other way: w - lr * (-g)
            float[] lgaLow = biasStep(m, new Objective.LocalGradientAscent(100), x, y);
            float[] flood = biasStep(m, new Objective.Flooding(100), x, y);
            for (int i = 0; i < b0.length; i++) {
                double g = b0[i] - ce[i];
                assertEquals(ce[i], lgaHigh[i], 1e-6);
                assertEquals(b0[i] + g, lgaLow[i], 1e-5);
                assertEquals(lgaLow[i], flood[i], 1e-6, "flooding and LGA give the same update at gamma = level");
            }
            // the bias gradient of mean cross-entropy is mean(softmax) - mean(onehot): it sums to zero and is not all zero
            double sum = 0, abs = 0;
            for (int i = 0; i < b0.length; i++) { sum += b0[i] - ce[i]; abs += Math.abs(b0[i] - ce[i]); }
            assertEquals(0, sum, 1e-5);
            assertTrue(abs > 1e-3);
        }
    }

    @Test
    void exampleLgaAscendsOnlyTheExamplesBelowGamma() {
        // eight examples the model has learned (low loss) and eight it has not (about ln 10)
        byte[] seen = images(8, 11);
        byte[] x = new byte[16 * 3072];
        System.arraycopy(seen, 0, x, 0, seen.length);
        System.arraycopy(images(8, 12), 0, x, seen.length, 8 * 3072);
        int[] ySeen = {3, 3, 3, 3, 3, 3, 3, 3};
        int[] y = {3, 3, 3, 3, 3, 3, 3, 3, 0, 1, 2, 4, 5, 6, 7, 8};
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            Sgd teach = m.sgd(new Sgd.Options(0.5, 0, false, 0), n -> n.equals("fc.bias"));
            for (int i = 0; i < 20; i++) m.trainStep(teach, seen, 8, ySeen, null, Objective.crossEntropy());
            float[] b0 = m.stateDict().get("fc.bias").floats();
            float[] perExample = biasStep(m, new Objective.ExampleGradientAscent(1.0), x, y);
            float[] signed = biasStep(m, Objective.crossEntropy(), x, y,
                    new float[]{-1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1});
            // the batch mean is above 1, so batch LGA is plain descent on all sixteen
            float[] batch = biasStep(m, new Objective.LocalGradientAscent(1.0), x, y);
            float[] ce = biasStep(m, Objective.crossEntropy(), x, y);
            double apart = 0;
            for (int i = 0; i < b0.length; i++) {
                assertEquals(signed[i], perExample[i], 1e-5, "learned examples ascended, the others descended");
                assertEquals(ce[i], batch[i], 1e-6);
                apart += Math.abs(perExample[i] - batch[i]);
            }
            assertTrue(apart > 1e-2, "the per-example sign changes the step: " + apart);
            // ascending the learned label-3 examples and descending the others both push label 3's bias down
            assertTrue(perExample[3] < b0[3], b0[3] + " -> " + perExample[3]);
        }
    }

    static float[] biasStep(Model base, Objective o, byte[] x, int[] y, float[] w) {
        try (Model m = base.copy()) {
            Sgd opt = m.sgd(new Sgd.Options(1.0, 0, false, 0), n -> n.equals("fc.bias"));
            m.trainStep(opt, x, y.length, y, w, o);
            return m.stateDict().get("fc.bias").floats();
        }
    }

    @Test
    void cappedAscentDropsAscendedExamplesPastTheCeilingOnly() {
        byte[] x = images(6, 2);
        int[] y = {0, 0, 0, 1, 2, 3};
        float[] w = {-2, -2, -2, 1, 1, 1};
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            float[] b0 = m.stateDict().get("fc.bias").floats();
            // a fresh model's losses are near ln 10: a ceiling of 100 is never reached, 0 always
            float[] open = biasStep(m, new Objective.CappedAscent(100), x, y, w);
            float[] weighted = biasStep(m, Objective.crossEntropy(), x, y, w);
            float[] capped = biasStep(m, new Objective.CappedAscent(0), x, y, w);
            float[] descentOnly = biasStep(m, Objective.crossEntropy(), x, y, new float[]{0, 0, 0, 1, 1, 1});
            float[] none = biasStep(m, Objective.crossEntropy(), x, y, new float[6]);
            for (int i = 0; i < b0.length; i++) {
                assertEquals(weighted[i], open[i], 1e-6);
                assertEquals(descentOnly[i], capped[i], 1e-6, "ascended examples past the ceiling stop contributing");
                assertEquals(b0[i], none[i], 1e-7);
            }
            // uncapped, ascent on the label-0 examples drives the label-0 bias down hard; capped, only
            // the descent examples' small softmax pull on it remains
            assertTrue(open[0] < b0[0] - 0.5 && Math.abs(capped[0] - b0[0]) < 0.1, "label-0 bias: " + b0[0] + " -> " + open[0] + " / " + capped[0]);
        }
    }

    @Test
    void cleanPartnersLeaveOutTheSuspectedTargetAndTheSlice() {
        int n = 1400;   // the slice takes up to 1,000 non-target examples; the partners come from what is left
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 4;
        ImageSet all = ImageSet.of("s", 32, 32, 3, 4, images(n, 3), labels);
        ImageSet iso = all.subset("iso", new int[]{0, 4, 8, 1});      // three of label 0: the suspect
        int[] rest = java.util.stream.IntStream.range(0, n).filter(i -> i != 0 && i != 4 && i != 8 && i != 1).toArray();
        ImageSet other = all.subset("other", rest);
        ImageSet slice = Abl.cleanSlice(other, iso, 5);
        ImageSet mixed = Abl.withCleanPartners(iso, other, slice, 3, 7);
        assertEquals(4 + 12, mixed.size());
        java.util.Set<Integer> sliceIdx = new java.util.HashSet<>();
        for (int i = 0; i < slice.size(); i++) sliceIdx.add(slice.originalIndex(i));
        for (int i = 0; i < 4; i++) assertEquals(iso.originalIndex(i), mixed.originalIndex(i), "isolated examples come first");
        for (int i = 4; i < mixed.size(); i++) {
            assertNotEquals(0, mixed.label(i), "no partner carries the suspected target label");
            assertFalse(sliceIdx.contains(mixed.originalIndex(i)), "partners never come from the stop rule's slice");
        }
        assertFalse(java.util.Arrays.equals(originals(Abl.withCleanPartners(iso, other, slice, 3, 8)), originals(mixed)), "redrawn with the seed");
    }

    @Test
    void targetAnchorsAreTheSuspectedClassesHighestIsolationLosses() {
        int[] labels = {0, 1, 0, 0, 2, 0, 0, 1};
        ImageSet other = ImageSet.of("o", 32, 32, 3, 3, images(8, 4), labels);
        ImageSet iso = ImageSet.of("i", 32, 32, 3, 3, images(3, 5), new int[]{0, 0, 1});
        float[] loss = {0.3f, 9f, 2.5f, 0.01f, 8f, 2.5f, 1.0f, 7f};
        // class 0 sits at positions 0, 2, 3, 5, 6; by loss, highest first: 2 and 5 (tied, lower first), 6, 0, 3
        assertArrayEquals(new int[]{2, 5}, Abl.targetAnchors(other, iso, loss, 0.4));
        assertArrayEquals(new int[]{2, 5, 6}, Abl.targetAnchors(other, iso, loss, 0.5), "the count rounds up");
        assertArrayEquals(new int[]{}, Abl.targetAnchors(other, iso, loss, 0));
        assertArrayEquals(new int[]{}, Abl.targetAnchors(other, iso, null, 0.5), "no losses, no anchors");
    }

    @Test
    void keepersAreTheUpperHalfOfTheSuspectedClassBelowItsAnchors() {
        int[] labels = {0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0};
        ImageSet other = ImageSet.of("o", 32, 32, 3, 3, images(11, 4), labels);
        ImageSet iso = ImageSet.of("i", 32, 32, 3, 3, images(3, 5), new int[]{0, 0, 1});
        float[] loss = {0.3f, 9f, 2.5f, 0.01f, 8f, 2.5f, 1.0f, 7f, 4f, 0.2f, 3f};
        // class 0 by loss, highest first: 8 (4), 10 (3), 2 and 5 (2.5, lower first), 6, 0, 9, 3; half of 8 is 4
        assertArrayEquals(new int[]{8, 10, 2, 5}, Abl.keeperPositions(other, iso, loss, 0));
        assertArrayEquals(new int[]{10, 2, 5}, Abl.keeperPositions(other, iso, loss, 0.1), "the anchors (one, rounded up) are left out");
        assertArrayEquals(new int[]{5}, Abl.keeperPositions(other, iso, loss, 0.3));
        assertArrayEquals(new int[]{}, Abl.keeperPositions(other, iso, loss, 0.5), "anchors reaching the median leave none");
        assertArrayEquals(new int[]{}, Abl.keeperPositions(other, iso, null, 0.1), "no losses, no check");
    }

    @Test
    void aLabelIsErasedByItsKeepersAtTheEndOfUnlearningNotAtTheirLowest() {
        // CIFAR-10 of 2026-12-07: a set of 100% poisons; class 0's keepers 98.9%, 15.6% as the backdoor gave way, 80.0% at the end
        assertNull(Abl.erased(0, 0.989, 0.156, 0.800));
        assertEquals("unlearning erased label 5: of its examples that look clean (outside the set, in the upper half of its isolation losses)"
                + " 100.0% were predicted as 5 before, 0.0% at the lowest and 2.5% at the end, so the isolated set looks like that class's own"
                + " images, not poisons", Abl.erased(5, 1.0, 0.0, 0.025));
        assertNull(Abl.erased(3, 0.8, 0.1, 0.4), "exactly half of the share before is kept, not erased");
        assertNotNull(Abl.erased(3, 0.8, 0.1, 0.399));
        assertNull(Abl.erased(3, Double.NaN, Double.NaN, Double.NaN), "no keepers, no check");
    }

    @Test
    void retriesNeedASeparateUnlearningStage() {
        Abl.Config b = Abl.Config.balanced(1);
        assertEquals(2, b.toBuilder().isolationRetries(2).build().isolationRetries());
        io.antidote.BadInputException neg = assertThrows(io.antidote.BadInputException.class, () -> b.toBuilder().isolationRetries(-1).build());
        assertTrue(neg.getMessage().contains("isolation retries -1"), neg.getMessage());
        io.antidote.BadInputException joint = assertThrows(io.antidote.BadInputException.class,
                () -> b.toBuilder().isolationRetries(1).unlearning(Abl.Unlearning.JOINT).build());
        assertTrue(joint.getMessage().contains("unlearning 'joint'"), joint.getMessage());
        assertThrows(io.antidote.BadInputException.class, () -> b.toBuilder().isolationRetries(1).unlearnBy("finetune-all").build());
    }

    @Test
    void anchorsGiveTheSuspectedClassOneClasssShareOfThePartners() {
        int n = 1400;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 4;
        ImageSet all = ImageSet.of("s", 32, 32, 3, 4, images(n, 3), labels);
        ImageSet iso = all.subset("iso", new int[]{0, 4, 8, 1});
        int[] rest = java.util.stream.IntStream.range(0, n).filter(i -> i != 0 && i != 4 && i != 8 && i != 1).toArray();
        ImageSet other = all.subset("other", rest);
        ImageSet slice = Abl.cleanSlice(other, iso, 5);
        float[] loss = new float[other.size()];
        for (int i = 0; i < loss.length; i++) loss[i] = other.originalIndex(i) / 1000f;
        int[] anchors = Abl.targetAnchors(other, iso, loss, 0.05);
        java.util.Set<Integer> anchorIdx = new java.util.HashSet<>();
        for (int a : anchors) anchorIdx.add(other.originalIndex(a));
        assertEquals(18, anchors.length, "ceil(5% of the 347 non-isolated label-0 examples)");
        for (int a : anchorIdx) assertTrue(a >= 1400 - 4 * 18, "the highest losses are the highest indices here: " + a);
        ImageSet mixed = Abl.withCleanPartners(iso, iso, other, slice, 6, anchors, 7);
        // 24 partners from the three other classes, and a fourth class's share, 24 / 3, from the anchors
        assertEquals(4 + 24 + 8, mixed.size());
        int fromTarget = 0;
        for (int i = 4; i < mixed.size(); i++) {
            if (mixed.label(i) == 0) {
                fromTarget++;
                assertTrue(anchorIdx.contains(mixed.originalIndex(i)), "a target-class partner is an anchor");
            }
        }
        assertEquals(8, fromTarget);
    }

    @Test
    void aBuilderCopiesEveryFieldAndChangesOnlyWhatItIsTold() {
        Abl.Config b = Abl.Config.balanced(3);
        assertEquals(b, b.toBuilder().build());
        Abl.Config c = b.toBuilder().targetAnchors(0.2).unlearnBy("label-shuffle").build();
        assertEquals(0.2, c.targetAnchors());
        assertEquals("label-shuffle", c.unlearnBy());
        assertEquals(b, c.toBuilder().targetAnchors(b.targetAnchors()).unlearnBy("ascent").build());
        assertThrows(io.antidote.BadInputException.class, () -> b.toBuilder().targetAnchors(1.5).build());
    }

    @Test
    void fineTuningFollowsTheChosenScheduleAndWeightDecay() {
        Abl.Config ref = Abl.Config.reference(1);
        TrainConfig step = Abl.fineTuning(ref);
        assertEquals(new Schedule.MultiStep(new int[]{40}, 0.1), step.schedule(), "the reference drops to a tenth at epoch 40");
        assertEquals(0.01, step.schedule().lr(0.1, 59.9, 60), 1e-12, "and ends at 0.01");
        assertEquals(1e-4, step.weightDecay());
        TrainConfig cos = Abl.fineTuning(ref.toBuilder().finetuneSchedule(Abl.FinetuneSchedule.COSINE).finetuneWeightDecay(5e-4).build());
        assertInstanceOf(Schedule.Cosine.class, cos.schedule());
        assertEquals(0.05, cos.schedule().lr(0.1, 30, 60), 1e-12);
        assertEquals(5e-4, cos.weightDecay());
        assertEquals(List.of(60, 0.1), List.of(cos.epochs(), cos.lr()));
        assertThrows(io.antidote.BadInputException.class, () -> ref.toBuilder().finetuneWeightDecay(-1).build());
    }

    private static int[] originals(ImageSet s) {
        int[] o = new int[s.size()];
        for (int i = 0; i < o.length; i++) o[i] = s.originalIndex(i);
        return o;
    }

    @Test
    void rankingPicksTheLowestLossesWithTiesToTheLowerIndex() {
        float[] loss = {0.9f, 0.1f, 0.5f, 0.1f, 2.0f, 0.05f, 0.7f};
        assertArrayEquals(new int[]{5, 1, 3}, Abl.lowest(loss, 3));
        assertArrayEquals(new int[]{}, Abl.lowest(loss, 0));
    }

    @Test
    void isolationScoresPrecisionAndRecallAgainstTheTruth() {
        ImageSet clean = Synthetic.train(new Synthetic.Config(200, 0, 4));
        PoisonSpec spec = PoisonSpec.of("badnets", 0.1, 0).withSeed(3);
        ImageSet poisoned = Poisoner.poisonTrain(clean, spec);
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            float[][] losses = new float[1][];
            Abl.Isolation iso = Abl.isolate(m, poisoned, 0.05, 64, losses);
            assertEquals(10, iso.positions().length);
            assertArrayEquals(Abl.lowest(losses[0], 10), iso.positions());
            int inside = 0;
            for (int p : iso.positions()) if (poisoned.poisoned(p)) inside++;
            assertEquals(inside, iso.poisonedInside());
            assertEquals(20, iso.poisonedTotal());
            assertEquals(inside / 10.0, iso.precision(), 1e-12);
        }
    }

    @Test
    void stopRuleFiresOnAPlantedDivergenceAndRestoresTheModel() {
        ImageSet data = Synthetic.train(new Synthetic.Config(300, 0, 5));
        TrainConfig warm = new TrainConfig(1, 32, "sgd", 0.05, 0.9, true, 5e-4, new Schedule.Cosine(),
                io.antidote.data.Augmentation.none(), true, false, 1);
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            Trainer.train(m, Trainer.optimizer(m, warm, n -> true), data, warm, new Trainer.Hooks() {}, null, Progress.silent(), -1);
            Map<String, TensorData> before = m.stateDict();
            // an absurd ascent rate drives the weights to infinity in one step: the rule must fire and undo it
            Abl.Config c = Abl.Config.reference(1).withEpochs(1, 0, 0, 3).withUnlearnLr(1e30);
            ImageSet iso = data.subset(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
            StringBuilder notes = new StringBuilder();
            java.util.List<Map<String, Object>> extras = new java.util.ArrayList<>();
            Abl.Result r = Abl.quickUnlearn(m, data, iso, null, c, new Abl.Listener() {
                @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
                @Override public void epoch(String stage, Trainer.EpochStats s, Model model, Map<String, Object> extra) { extras.add(extra); }
                @Override public void note(String message) { notes.append(message); }
            }, Progress.silent());
            assertTrue(r.stoppedEarly(), "the stop rule did not fire");
            assertEquals(1, r.unlearnEpochsRun());
            // the epoch's record carries the slice accuracies the rule judged (here it fired on the NaN loss)
            assertEquals(1, extras.size());
            assertEquals(java.util.Set.of("slice_acc", "slice_acc_start", "isolated_acc", "isolated_unlearned"), extras.get(0).keySet());
            for (Object v : extras.get(0).values()) assertTrue((Double) v >= 0 && (Double) v <= 1, extras.toString());
            assertTrue(notes.toString().contains("unlearning stopped"), notes.toString());
            assertEquals(before, m.stateDict(), "the model before the divergence was not restored");
        }
    }

    @Test
    void aFullRunHandsItsIsolationLossesToTheTargetAnchors() {
        ImageSet data = Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(1300, 0, 4)), PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
        Abl.Config c = Abl.Config.balanced(1).withEpochs(1, 0, 0, 1).toBuilder().isolationRatio(0.05).targetAnchors(0.2).build();
        StringBuilder notes = new StringBuilder();
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            Abl.run(m, data, c, null, new Abl.Listener() {
                @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
                @Override public void note(String message) { notes.append(message).append('\n'); }
            }, Progress.silent());
        }
        // the 65 isolated examples are mostly the 130 poisons, all labelled 0: the anchors are a fifth of the other label-0 examples
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("target anchors: the (\\d+) of (\\d+) examples labelled 0 with the highest")
                .matcher(notes);
        assertTrue(mt.find(), notes.toString());
        int anchors = Integer.parseInt(mt.group(1)), inClass = Integer.parseInt(mt.group(2));
        assertEquals((int) Math.ceil(0.2 * inClass), anchors, "a fifth of the non-isolated label-0 examples");
        assertTrue(inClass >= 100 && inClass <= 300, "label-0 examples outside the isolated set: " + inClass);
    }

    @Test
    void theTwoExpectationJointStageDescendsOnPartnersAgainstTheRepeatedIsolatedSet() {
        assertEquals(25, Abl.jointCopies(49_500, 500, 4));
        assertEquals(1, Abl.jointCopies(100, 500, 4), "the isolated set appears at least once");
        ImageSet data = Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(1300, 0, 4)), PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
        Abl.Config c = Abl.Config.paper(1).withEpochs(1, 1, 1, 0).toBuilder().isolationRatio(0.05).unlearnClean(4).targetAnchors(0.2).build();
        java.util.List<Trainer.EpochStats> joint = new java.util.ArrayList<>();
        StringBuilder notes = new StringBuilder();
        Abl.Result r;
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            r = Abl.run(m, data, c, null, new Abl.Listener() {
                @Override public void epoch(String stage, Trainer.EpochStats s, Model model) { if (stage.equals("joint")) joint.add(s); }
                @Override public void note(String message) { notes.append(message).append('\n'); }
            }, Progress.silent());
        }
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile(
                "joint stage: 65 isolated examples x (\\d+) copies against (\\d+) others \\([0-9.]+ per isolated; label 0 only from its (\\d+) target anchors\\)")
                .matcher(notes);
        assertTrue(mt.find(), notes.toString());
        int copies = Integer.parseInt(mt.group(1)), others = Integer.parseInt(mt.group(2)), anchors = Integer.parseInt(mt.group(3));
        // the descended side: every non-isolated example not labelled 0, plus a fifth of the non-isolated label-0 ones
        boolean[] iso = new boolean[data.size()];
        for (int p : r.isolation().positions()) iso[p] = true;
        int rest0 = 0, restOther = 0;
        for (int i = 0; i < data.size(); i++) if (!iso[i]) { if (data.label(i) == 0) rest0++; else restOther++; }
        assertEquals((int) Math.ceil(0.2 * rest0), anchors);
        assertEquals(restOther + anchors, others);
        assertEquals(Abl.jointCopies(others, 65, 4), copies);
        assertEquals(1, joint.size());
        assertEquals(65 * copies + others, joint.get(0).images());
    }

    @Test
    void labelShareIsTheMostCommonLabelsFraction() {
        int[] labels = {0, 1, 0, 0, 2, 0, 1, 0};
        ImageSet set = ImageSet.of("l", 32, 32, 3, 3, images(8, 6), labels);
        assertEquals(0.75, Abl.isolation(set, new int[]{0, 1, 2, 3}, null).labelShare(), 1e-12);
        assertEquals(0.5, Abl.isolation(set, new int[]{1, 6, 4, 5}, null).labelShare(), 1e-12);
        assertEquals(1.0, Abl.isolation(set, new int[]{5}, null).labelShare(), 1e-12);
    }

    @Test
    void majorityOnlyKeepsTheSetsMostCommonLabelAndItsSeparation() {
        int[] labels = {0, 1, 0, 2, 0, 1, 0, 2, 1, 0};
        ImageSet.Editor e = ImageSet.of("m", 32, 32, 3, 3, images(10, 7), labels).edit();
        // poisons 0, 2, 6 carry the target label 0; 4 and 9 are clean images of 0
        for (int p : new int[]{0, 2, 6}) e.poisoned(p, true);
        ImageSet set = e.build();
        Abl.Isolation iso = new Abl.Isolation(new int[]{8, 0, 3, 2, 1, 6, 4}, 3, 3, 4 / 7.0, 2.5);
        List<String> notes = new java.util.ArrayList<>();
        Abl.Isolation kept = Abl.majorityOnly(set, iso, new Abl.Listener() {
            @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
            @Override public void note(String message) { notes.add(message); }
        });
        assertArrayEquals(new int[]{0, 2, 6, 4}, kept.positions(), "label 0's members, in the set's order");
        assertEquals(3, kept.poisonedInside());
        assertEquals(3, kept.poisonedTotal());
        assertEquals(0.75, kept.precision(), 1e-12);
        assertEquals(1.0, kept.recall(), 1e-12);
        assertEquals(1.0, kept.labelShare(), 1e-12);
        assertEquals(2.5, kept.separation(), 0.0, "the pick's separation describes the set it ranked");
        assertEquals(List.of("kept the 4 of the isolated set's 7 examples labelled 0, its most common label; the other 3 stay with the rest"), notes);
        // a one-label set is kept whole
        assertArrayEquals(new int[]{1, 5}, Abl.majorityOnly(set, new Abl.Isolation(new int[]{1, 5}, 0, 3, 1.0, 0.1), new Abl.Listener() {
            @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
            @Override public void note(String message) {}
        }).positions());
    }

    @Test
    void separationComparesTheLabelsExamplesLeftOutWithTheHighestLossInside() {
        int[] labels = {0, 1, 0, 0, 2, 0, 1, 0};
        ImageSet set = ImageSet.of("l", 32, 32, 3, 3, images(8, 6), labels);
        float[] loss = {0.01f, 0.005f, 0.02f, 0.5f, 3f, 1f, 0.9f, 2f};
        // label 0 inside at 0.01 and 0.02; outside 0.5, 1, 2: median 1
        Abl.Isolation iso = Abl.isolation(set, new int[]{0, 2}, loss);
        assertEquals(Math.log(1.0 / 0.02), iso.separation(), 1e-6);
        // a clean class taken whole leaves nothing outside: no evidence of separation
        assertEquals(0.0, Abl.isolation(set, new int[]{4}, loss).separation(), 0.0);
        // an even count outside averages the middle two: label 0 outside is 0.01, 0.5, 1, 2 around 0.02
        assertEquals(Math.log(0.75 / 0.02), Abl.isolation(set, new int[]{2, 1}, loss).separation(), 1e-6);
    }

    @Test
    void everyIsolationPickUnlearnsTheEpochItScoresHighest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ImageSet data = Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(1300, 0, 4)), PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
        for (Abl.IsolationPick pick : Abl.IsolationPick.values()) {
            Abl.Config c = Abl.Config.reference(1).withEpochs(4, 0, 0, 0).toBuilder().isolationRatio(0.05).isolationPick(pick).build();
            java.util.List<Abl.Isolation> seen = new java.util.ArrayList<>();
            Abl.Result r;
            java.nio.file.Path run = dir.resolve(pick.name());
            try {
                java.nio.file.Files.createDirectories(run);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
                r = Abl.run(m, data, c, run, new Abl.Listener() {
                    @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
                    @Override public void isolation(int epoch, Abl.Isolation iso, float[] losses) { seen.add(iso); }
                    @Override public void note(String message) {}
                }, Progress.silent());
            }
            assertEquals(4, seen.size());
            int want = pick == Abl.IsolationPick.LAST ? seen.size() - 1 : IsolationPicksTest.expected(pick, seen) - 1;
            assertArrayEquals(seen.get(want).positions(), r.isolation().positions(), pick + " picked another epoch's set");
            // the checkpoint carries the candidates so far, so a resumed run compares every epoch
            IsolationPicks.Candidate kept = IsolationPicks.restore(new io.antidote.train.Checkpoint(run.resolve("abl-isolation.ckpt.safetensors")), data, pick).best();
            int best = (pick == Abl.IsolationPick.LAST ? IsolationPicksTest.expected(Abl.IsolationPick.CONCENTRATED, seen) : want + 1) - 1;
            assertEquals(best + 1, kept.epoch());
            assertArrayEquals(seen.get(best).positions(), kept.isolation().positions());
            assertEquals(seen.get(best).labelShare(), kept.isolation().labelShare(), 1e-12);
            assertEquals(seen.get(best).separation(), kept.isolation().separation(), 1e-12);
            assertTrue(seen.get(best).separation() >= 0, "the highest loss inside is at most the median outside");
        }
    }

    /** A backdoored model's weights, the data it was trained on and its isolation losses. */
    private record Backdoored(ImageSet data, Map<String, TensorData> weights, float[] loss) {}

    private static Backdoored backdoored;

    /** 1,300 synthetic images with BadNets' square at 10%, WRN-10-1 trained 8 epochs on them: trained once for the tests that share it. */
    private static synchronized Backdoored backdoored() {
        if (backdoored != null) return backdoored;
        ImageSet data = Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(1300, 0, 4)),
                PoisonSpec.of("badnets", 0.1, 0).withParams(Map.of("variant", "square")).withSeed(3));
        TrainConfig plain = TrainConfig.standard(8, 1).withLr(0.05, new Schedule.Cosine()).withAugmentation(io.antidote.data.Augmentation.none()).withBatchSize(64);
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            Trainer.train(m, Trainer.optimizer(m, plain, n -> true), data, plain, new Trainer.Hooks() {}, null, Progress.silent(), -1);
            float[][] loss = new float[1][];
            Abl.isolate(m, data, 0.05, 256, loss);
            backdoored = new Backdoored(data, m.stateDict(), loss[0]);
        }
        return backdoored;
    }

    @Test
    void aSetWhoseUnlearningErasesItsOwnLabelIsReplacedByTheNextEpochsSet() {
        Backdoored b = backdoored();
        ImageSet data = b.data();
        float[][] loss = {b.loss()};
        Abl.Config c = Abl.Config.balanced(1).toBuilder().isolationRatio(0.05).batchSize(64).unlearnEpochs(5).unlearnLr(0.001)
                .unlearnClean(4).targetAnchors(0.1).isolationRetries(2).majorityLabelOnly(true).build();
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            m.loadStateDict(b.weights(), true);
            // two candidate sets: the 65 lowest-loss images of clean class 6, ranked first, then 65 poisons among 20 clean images of other labels
            int[] clean = java.util.stream.IntStream.range(0, data.size()).filter(i -> data.label(i) == 6 && !data.poisoned(i)).boxed()
                    .sorted(java.util.Comparator.comparingDouble(i -> loss[0][i])).limit(65).mapToInt(Integer::intValue).toArray();
            int[] poisons = java.util.stream.IntStream.range(0, data.size()).filter(data::poisoned).limit(65).toArray();
            int[] strays = java.util.stream.IntStream.range(0, data.size()).filter(i -> data.label(i) != 0 && data.label(i) != 6).limit(20).toArray();
            Abl.Isolation first = Abl.isolation(data, clean, loss[0]);
            Abl.Isolation second = Abl.isolation(data, java.util.stream.IntStream.concat(java.util.Arrays.stream(poisons),
                    java.util.Arrays.stream(strays)).toArray(), loss[0]);
            List<IsolationPicks.Candidate> ranked = List.of(new IsolationPicks.Candidate(5, first), new IsolationPicks.Candidate(4, second));
            StringBuilder notes = new StringBuilder();
            Abl.Result r = Abl.unlearnWithRetries(m, Trainer.optimizer(m, Abl.fineTuning(c), n -> true), data, ranked.get(0), Abl.split(data, clean, loss[0]),
                    ranked, loss[0], c, null, new Abl.Listener() {
                        @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
                        @Override public void note(String message) { notes.append(message).append('\n'); }
                    }, Progress.silent());
            assertEquals(1, r.rejected().size(), notes.toString());
            assertTrue(r.rejected().get(0).startsWith("isolation epoch 5's set (100.0% label 6): unlearning erased label 6"), r.rejected().get(0));
            assertArrayEquals(poisons, r.isolation().positions(), "the poisons' set was not tried next, or not without its other labels");
            assertTrue(notes.toString().contains("kept the 65 of the isolated set's 85 examples labelled 0"), notes.toString());
            assertNull(r.labelErased(), "unlearning the poisons erased label 0: " + notes);
            assertFalse(r.stoppedEarly(), notes.toString());
            assertTrue(notes.toString().contains("restored the fine-tuned model; unlearning isolation epoch 4's set instead"), notes.toString());
        }
    }

    @Test
    void aSetSentToOneOtherLabelLooksLikeACleanClassAndOneSpreadOverManyDoesNot() {
        Backdoored b = backdoored();
        ImageSet data = b.data();
        List<String> notes = new java.util.ArrayList<>();
        Abl.Listener listener = new Abl.Listener() {
            @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
            @Override public void note(String message) { notes.add(message); }
        };
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            m.loadStateDict(b.weights(), true);
            // 60 clean images of class 8 labelled 7, as an unlearned clean class 7 looks: the model sends them to 8
            int[] eights = java.util.Arrays.stream(data.positionsWithLabel(8, true)).filter(i -> !data.poisoned(i)).limit(60).toArray();
            ImageSet.Editor e = data.subset(eights).edit();
            for (int i = 0; i < eights.length; i++) e.label(i, 7);
            ImageSet asSeven = e.build();
            double toEight = java.util.Arrays.stream(Inference.predict(m, asSeven, 256).predicted()).filter(p -> p == 8).count() / 60.0;
            assertTrue(toEight > Abl.ONE_LABEL, "the model sends " + toEight + " of class 8 to 8");
            String why = Abl.sentToOneLabel(m, asSeven, 7, listener);
            assertNotNull(why);
            assertTrue(why.startsWith(String.format(java.util.Locale.ROOT, "unlearning sent %.1f%% of the isolated set's 60 examples labelled 7 to label 8",
                    100 * toEight)), why);
            assertEquals(List.of(why), notes);
            // clean images of classes 1-9 labelled 0, as unlearned poisons of an all-to-one attack look: they go back to many labels
            int[] many = java.util.stream.IntStream.rangeClosed(1, 9).flatMap(k -> java.util.Arrays.stream(data.positionsWithLabel(k, true))
                    .filter(i -> !data.poisoned(i)).limit(10)).toArray();
            ImageSet.Editor z = data.subset(many).edit();
            for (int i = 0; i < many.length; i++) z.label(i, 0);
            assertNull(Abl.sentToOneLabel(m, z.build(), 0, listener));
            // members of other labels are not counted: the class 8 images beside 10 of label 0 send none of label 0 anywhere
            int[] mixed = java.util.stream.IntStream.concat(java.util.Arrays.stream(eights),
                    java.util.Arrays.stream(data.positionsWithLabel(0, true)).filter(i -> !data.poisoned(i)).limit(10)).toArray();
            assertNull(Abl.sentToOneLabel(m, data.subset(mixed), 0, listener));
            assertEquals(1, notes.size());
        }
    }

    @Test
    void unlearningGoesOnPastItsEpochsUntilHalfTheSetIsUnlearned() {
        Backdoored b = backdoored();
        ImageSet data = b.data();
        // every poison: those left outside would be descended on among the clean partners, holding the backdoor up
        int[] poisons = java.util.stream.IntStream.range(0, data.size()).filter(data::poisoned).toArray();
        Abl.Config c = Abl.Config.balanced(1).toBuilder().isolationRatio(0.1).batchSize(64).unlearnEpochs(1).unlearnMaxEpochs(12)
                .unlearnLr(0.001).unlearnClean(4).targetAnchors(0.1).build();
        List<Double> unlearned = new java.util.ArrayList<>();
        StringBuilder notes = new StringBuilder();
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            m.loadStateDict(b.weights(), true);
            IsolationPicks.Candidate only = new IsolationPicks.Candidate(4, Abl.isolation(data, poisons, b.loss()));
            Abl.Result r = Abl.unlearnWithRetries(m, Trainer.optimizer(m, Abl.fineTuning(c), n -> true), data, only, Abl.split(data, poisons, b.loss()),
                    List.of(only), b.loss(), c, null, new Abl.Listener() {
                        @Override public void epoch(String stage, Trainer.EpochStats s, Model model) {}
                        @Override public void epoch(String stage, Trainer.EpochStats s, Model model, Map<String, Object> extra) {
                            unlearned.add((Double) extra.get("isolated_unlearned"));
                        }
                        @Override public void note(String message) { notes.append(message).append('\n'); }
                    }, Progress.silent());
            assertFalse(r.stoppedEarly(), notes.toString());
            assertEquals(unlearned.size(), r.unlearnEpochsRun());
            // one epoch leaves most poisons predicted as the target; it stops at the first epoch past half, well before 12
            assertTrue(unlearned.size() > 1 && unlearned.size() < 12, unlearned.toString());
            assertTrue(unlearned.get(unlearned.size() - 1) >= Abl.UNLEARNED, unlearned.toString());
            for (double u : unlearned.subList(0, unlearned.size() - 1)) assertTrue(u < Abl.UNLEARNED, unlearned.toString());
            assertTrue(notes.toString().contains("after unlearning epoch 1, "), notes.toString());
        }
    }

    @Test
    void ablRemovesTheBackdoorFromPoisonedSyntheticData() {
        // the demo's setting: 5,000 synthetic images, BadNets' white square at 10%, WRN-10-1 at batch 64, 20 undefended epochs
        Synthetic.Config sc = Synthetic.Config.defaults();
        ImageSet train = Synthetic.train(sc), test = Synthetic.test(sc);
        PoisonSpec spec = PoisonSpec.of("badnets", 0.1, 0).withParams(java.util.Map.of("variant", "square")).withSeed(1);
        Attack a = AttackRegistry.create(spec, new AttackContext(train, 0));
        ImageSet ptrain = Poisoner.poisonTrain(train, spec, a);
        ImageSet ptest = Poisoner.poisonTest(test, spec, a);
        Abl.Config base = Abl.Config.reference(1).withEpochs(8, 10, 8, 5);
        Abl.Config c = base.toBuilder().isolationPick(Abl.IsolationPick.SEPARATED).flooding(true).gamma(0.5).isolationAugment(false).isolationRatio(0.05).unlearning(Abl.Unlearning.REFERENCE)
                .finetuneLr(0.1).unlearnLr(0.001).batchSize(64).momentum(0.9).weightDecay(1e-4).stopMargin(0.1).recalibrateBn(false).unlearnClean(4).targetAnchors(0.1)
                .isolationRetries(2).build();
        TrainConfig plain = TrainConfig.standard(20, 1).withLr(0.05, new Schedule.Cosine()).withAugmentation(io.antidote.data.Augmentation.none()).withBatchSize(64);
        try (Model undefended = Model.create("wrn-10-1", 10, 1, Precision.detect());
             Model defended = Model.create("wrn-10-1", 10, 1, Precision.detect())) {
            Trainer.train(undefended, Trainer.optimizer(undefended, plain, n -> true), ptrain, plain, new Trainer.Hooks() {}, null, Progress.silent(), -1);
            Metrics.Scores u = Metrics.score(undefended, test, ptest, 0, 256);
            Abl.Result r = Abl.run(defended, ptrain, c, null, (stage, s, m) -> {}, Progress.silent());
            Metrics.Scores d = Metrics.score(defended, test, ptest, 0, 256);
            assertTrue(u.attackSuccessRate() > 0.9, "undefended ASR " + u.attackSuccessRate());
            assertTrue(r.isolation().precision() > 0.8, "isolation precision " + r.isolation().precision());
            // unlearning poisons leaves the target's clean images alone, so no set was taken for a clean class's
            assertNull(r.labelErased(), r.labelErased());
            assertEquals(List.of(), r.rejected());
            assertTrue(d.attackSuccessRate() < 0.1, "ABL ASR " + d.attackSuccessRate());
            assertTrue(d.cleanAccuracy() > u.cleanAccuracy() - 0.05, "ABL CA " + d.cleanAccuracy() + " vs " + u.cleanAccuracy());
        }
    }
}
