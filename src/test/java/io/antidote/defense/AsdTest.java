package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class AsdTest {
    @Test
    void symmetricCrossEntropyOnHandComputedLogits() {
        float[] logits = new float[20];
        logits[10 + 3] = 100;
        float[] l = Asd.symmetricCrossEntropy(logits, 10, new int[]{3, 3}, 0.1, 1.0);
        // uniform prediction: 0.1 ln 10 + (-ln 1e-4) x 0.9 = 8.52 (spec §10)
        assertEquals(8.519565, l[0], 1e-5);
        // confident and right: CE ~ 0, the nine wrong classes clamped up to 1e-7
        assertEquals(9.210340 * 9e-7, l[1], 1e-9);
        float[] three = Asd.symmetricCrossEntropy(new float[]{2, 1, 0}, 3, new int[]{0}, 0.1, 1.0);
        assertEquals(0.1 * 0.407606 + 9.210340 * (0.244728 + 0.090031), three[0], 1e-5);
    }

    @Test
    void sharpeningAndMixupOnFixedArrays() {
        float[] q = Asd.sharpen(new float[]{0.5f, 0.3f, 0.2f, 0.1f, 0.1f, 0.8f}, 3, 0.5);
        assertArrayEquals(new float[]{0.25f / 0.38f, 0.09f / 0.38f, 0.04f / 0.38f, 0.01f / 0.66f, 0.01f / 0.66f, 0.64f / 0.66f}, q, 1e-6f);
        // T = 1 leaves a distribution as it is
        assertArrayEquals(new float[]{0.5f, 0.3f, 0.2f}, Asd.sharpen(new float[]{0.5f, 0.3f, 0.2f}, 3, 1.0), 1e-6f);

        float[] rows = {1, 0, 0, 1, 10, 20};
        float[] m = Asd.mix(rows, 2, 0.75, new int[]{1, 2, 0});
        assertArrayEquals(new float[]{0.75f, 0.25f, 2.5f, 5.75f, 7.75f, 15f}, m, 1e-6f);
        assertArrayEquals(rows, Asd.mix(rows, 2, 1.0, new int[]{2, 0, 1}), 0f);
    }

    @Test
    void mixupLambdaIsAFoldedBetaDraw() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 20000;
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double b = Asd.beta(0.75, 0.75, r);
            assertTrue(b > 0 && b < 1);
            sum += b;
            sq += b * b;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)) = 0.1 at a = 0.75
        assertEquals(0.5, mean, 0.01);
        assertEquals(0.1, var, 0.005);
        for (int i = 0; i < 1000; i++) {
            double l = Asd.mixupLambda(0.75, r);
            assertTrue(l >= 0.5 && l <= 1, "lambda " + l);
        }
    }

    @Test
    void stagesPoolGrowthAndRampFollowThePaperConfig() {
        Asd.Config c = Asd.Config.paper(1);
        assertEquals(1, c.stage(0));
        assertEquals(1, c.stage(59));
        assertEquals(2, c.stage(60));
        assertEquals(2, c.stage(89));
        assertEquals(3, c.stage(90));
        assertEquals(3, c.stage(119));
        // labelled pool = 100 seeds + 10 classes x choiceNum (spec §6.6)
        int[] sizes = IntStream.of(0, 4, 5, 9, 10, 55, 59).map(e -> 100 + 10 * c.choiceNum(e)).toArray();
        assertArrayEquals(new int[]{100, 100, 200, 200, 300, 1200, 1200}, sizes);
        assertEquals(0, c.lambdaU(0, 0), 0);
        assertEquals(0.125 * 7, c.lambdaU(7, 0), 1e-12);
        assertEquals(15 * (119 + 1023 / 1024.0) / 120, c.lambdaU(119, 1023), 1e-12);
        assertEquals(15, c.withIterations(10).scaledTo(10).lambdaU(30, 0), 0, "clipped after the ramp");

        Asd.Config quick = Asd.Config.quick(1);
        assertEquals(1, quick.stage(9));
        assertEquals(2, quick.stage(10));
        assertEquals(2, quick.stage(24));
        assertEquals(3, quick.stage(25));
        assertEquals(580, 100 + 10 * quick.choiceNum(9));
        Asd.Config cpu = Asd.Config.cpu(1);
        assertEquals(1, cpu.stage(2));
        assertEquals(2, cpu.stage(3));
        assertEquals(3, cpu.stage(25));
        assertEquals(700, 100 + 10 * cpu.choiceNum(2), "seeds and 60 per class when stage 1 ends");
        assertEquals(1024, cpu.iterations());
        assertEquals(7.5, cpu.lambdaU(21, 0), 1e-12, "the unlabelled weight ramps over the whole run");
        Asd.Config s = c.scaledTo(12);
        assertEquals(6, s.stage2Start());
        assertEquals(9, s.stage3Start());
        assertThrows(BadInputException.class, () -> c.scaledTo(0));
        var past = assertThrows(BadInputException.class, () -> c.withStages(60, 121));
        assertTrue(past.getMessage().contains("60/121 must satisfy 0 <= stage 2 <= stage 3 <= epochs (120)"), past.getMessage());
        assertThrows(BadInputException.class, () -> c.withStages(90, 60));
        var e = assertThrows(BadInputException.class, () -> c.withBatchSize(2));
        assertTrue(e.getMessage().contains("batch size 2"), e.getMessage());
    }

    @Test
    void theLearningRateFollowsTheScheduleOverTheWholeRun() {
        Asd.Config c = Asd.Config.paper(1);
        assertEquals(0.002, c.lrAt(0, 0), 0);
        assertEquals(0.002, c.lrAt(119, 1023), 0, "the reference keeps Adam's rate constant");
        Asd.Config cos = c.withSchedule(new Schedule.Cosine());
        assertEquals(0.002, cos.lrAt(0, 0), 1e-15);
        assertEquals(0.001, cos.lrAt(60, 0), 1e-15, "half-way through 120 epochs");
        assertEquals(0.001 * (1 + Math.cos(Math.PI / 4)), cos.lrAt(30, 0), 1e-15, "a quarter of the way");
        // iterations count as fractions of an epoch
        assertEquals(0.001 * (1 + Math.cos(Math.PI * 59.5 / 120)), cos.lrAt(59, 512), 1e-15);
        assertEquals(Asd.LateSplit.META, c.lateSplit());
        assertEquals(Asd.LateSplit.LOSS, c.withLateSplit(Asd.LateSplit.LOSS).lateSplit());
    }

    @Test
    void theLossLateSplitTrainsNoVirtualModel() {
        ImageSet[] d = tinyData();
        for (Asd.LateSplit rule : Asd.LateSplit.values()) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            List<Asd.EpochReport> seen = new ArrayList<>();
            try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
                Asd.run(m, d[0], d[1], tinyConfig().withLateSplit(rule), null, (r, mm) -> seen.add(r),
                        new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), false));
            }
            // the virtual model's epoch is the only plain training epoch an ASD run shows
            long virtual = log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("epoch 1/1")).count();
            assertEquals(rule == Asd.LateSplit.META ? 1 : 0, virtual, rule + ":\n" + log);
            assertEquals(3, seen.get(2).stage());
            assertEquals(165, seen.get(2).labelled(), "stage 3 keeps the clean fraction either way");
        }
    }

    @Test
    void poolsTakeTheSeedsAndTheLowestLossesAndSplitTheData() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 200, classes = 4;
        float[] loss = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            loss[i] = (float) r.nextDouble();
            labels[i] = i % classes;
        }
        int[] seeds = {0, 1, 2, 3, 4, 5, 6, 7};
        boolean[] pool = Asd.classAwarePool(loss, labels, classes, seeds, 5);
        for (int s : seeds) assertTrue(pool[s]);
        for (int k = 0; k < classes; k++) {
            final int c = k;
            int[] in = IntStream.range(8, n).filter(i -> labels[i] == c && pool[i]).toArray();
            assertEquals(5, in.length, "class " + k);
            float worstIn = 0;
            for (int i : in) worstIn = Math.max(worstIn, loss[i]);
            for (int i = 8; i < n; i++) {
                if (labels[i] == c && !pool[i]) assertTrue(loss[i] >= worstIn, "a lower loss of class " + c + " was left out");
            }
        }
        assertEquals(8 + 4 * 5, count(pool));

        boolean[] half = Asd.lowestFraction(loss, 0.5);
        assertEquals(100, count(half));
        float maxIn = 0, minOut = 1;
        for (int i = 0; i < n; i++) {
            if (half[i]) maxIn = Math.max(maxIn, loss[i]);
            else minOut = Math.min(minOut, loss[i]);
        }
        assertTrue(maxIn <= minOut);
        assertEquals(33, count(Asd.lowestFraction(new float[67], 0.5)), "floor(67 x 0.5), ties by index");
        assertArrayEquals(new float[]{0.5f, -1f}, Asd.reduction(new float[]{1, 1}, new float[]{0.5f, 2}), 0f);
    }

    @Test
    void perClassBalanceTakesTheSameShareOfEveryClassWhereTheOverallRankingStarvesOne() {
        // class 0: losses 0..9, class 1: losses 100..109, class 2 (five samples): 50..54
        int[] labels = new int[25];
        float[] loss = new float[25];
        for (int i = 0; i < 10; i++) { labels[i] = 0; loss[i] = 9 - i; }
        for (int i = 10; i < 20; i++) { labels[i] = 1; loss[i] = 100 + (i - 10); }
        for (int i = 20; i < 25; i++) { labels[i] = 2; loss[i] = 50 + (i - 20); }
        boolean[] overall = Asd.lowestFraction(loss, 0.4);
        assertEquals(0, IntStream.range(10, 20).filter(i -> overall[i]).count(), "the overall ranking leaves class 1 out");
        boolean[] perClass = Asd.lowestFractionPerClass(loss, labels, 3, 0.4, false);
        // floor(10 x 0.4) = 4 of classes 0 and 1, floor(5 x 0.4) = 2 of class 2, each its lowest
        assertArrayEquals(new int[]{6, 7, 8, 9, 10, 11, 12, 13, 20, 21}, IntStream.range(0, 25).filter(i -> perClass[i]).toArray());
    }

    @Test
    void theCappedBalanceTakesFromAnOversizedClassOnlyTheMedianClassShare() {
        // classes 0 and 2: 10 samples each; class 1, the swollen target: 20 clean (10-29) and 10 poisons
        // (30-39) whose losses 20.5, 21.5, ... fall among its hard clean samples
        int[] labels = new int[50];
        float[] loss = new float[50];
        for (int i = 0; i < 50; i++) {
            labels[i] = i < 10 ? 0 : i < 40 ? 1 : 2;
            loss[i] = i >= 30 && i < 40 ? 20.5f + (i - 30) : i;
        }
        boolean[] plain = Asd.lowestFractionPerClass(loss, labels, 3, 0.5, false);
        boolean[] capped = Asd.lowestFractionPerClass(loss, labels, 3, 0.5, true);
        // half of class 1 (15) reaches losses 20-22: poisons 30 and 31 get in
        assertArrayEquals(new int[]{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 30, 31},
                IntStream.range(10, 40).filter(i -> plain[i]).toArray());
        // the median class size is 10, so class 1 gives floor(10 x 0.5) = 5, its five lowest; the others are unchanged
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 40, 41, 42, 43, 44},
                IntStream.range(0, 50).filter(i -> capped[i]).toArray());
    }

    @Test
    void seedsArePickedPerClassFromEligibleSamplesOnly() {
        int[] labels = new int[60];
        boolean[] ok = new boolean[60];
        for (int i = 0; i < 60; i++) {
            labels[i] = i % 3;
            ok[i] = i % 2 == 0;
        }
        int[] s = Asd.pickPerClass(labels, ok, 3, 4, 7, "test");
        assertEquals(12, s.length);
        Set<Integer> distinct = new HashSet<>();
        for (int j = 0; j < s.length; j++) {
            assertTrue(ok[s[j]]);
            assertEquals(j / 4, labels[s[j]]);
            distinct.add(s[j]);
        }
        assertEquals(12, distinct.size());
        assertArrayEquals(s, Asd.pickPerClass(labels, ok, 3, 4, 7, "test"), "seeded");
        var e = assertThrows(BadInputException.class, () -> Asd.pickPerClass(labels, ok, 3, 11, 7, "trusted clean set"));
        assertTrue(e.getMessage().startsWith("trusted clean set: class 0 has 10"), e.getMessage());
    }

    @Test
    void virtualModelTrainsOnlyTheUpperLayers() {
        try (Model r18 = Model.create("resnet18", 10, 1, Precision.FP32); Model wrn = Model.create("wrn-16-1", 10, 1, Precision.FP32)) {
            var p = Asd.upperLayers(r18);
            assertTrue(p.test("layer3.0.conv1.weight") && p.test("layer4.1.bn2.bias") && p.test("linear.weight"));
            assertFalse(p.test("conv1.weight") || p.test("bn1.weight") || p.test("layer1.0.conv1.weight") || p.test("layer2.1.bn1.weight"));
            var w = Asd.upperLayers(wrn);
            assertTrue(w.test("block2.layer.0.conv1.weight") && w.test("block3.layer.1.bn2.weight") && w.test("bn1.weight") && w.test("fc.bias"));
            assertFalse(w.test("conv1.weight") || w.test("block1.layer.0.bn1.weight"));
        }
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) if (x) c++;
        return c;
    }

    /** 300 synthetic images, BadNets on 10%, and a trusted set of 3 per class carved from the clean images before poisoning. */
    private static ImageSet[] tinyData() {
        ImageSet clean = Synthetic.train(new Synthetic.Config(330, 0, 8));
        boolean[] all = new boolean[clean.size()];
        java.util.Arrays.fill(all, true);
        int[] held = Asd.pickPerClass(clean.labels(), all, 10, 3, 4, "held-out");
        Set<Integer> h = new HashSet<>();
        for (int i : held) h.add(i);
        ImageSet rest = clean.subset(IntStream.range(0, clean.size()).filter(i -> !h.contains(i)).toArray());
        ImageSet poisoned = Poisoner.poisonTrain(rest, PoisonSpec.of("badnets", 0.1, 0).withSeed(2));
        return new ImageSet[]{poisoned, clean.subset(held)};
    }

    /** Runs ASD into dir and stops it in the given epoch, after its listener and before its checkpoint, as an interruption would. */
    private static void stopInEpoch(ImageSet[] d, Asd.Config c, Path dir, int epoch) {
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            assertThrows(IllegalStateException.class, () -> Asd.run(m, d[0], d[1], c, dir, (r, mm) -> {
                if (r.epoch() == epoch) throw new IllegalStateException("stop");
            }, Progress.silent()));
        }
    }

    /** Resumes the run {@link #stopInEpoch} interrupted and checks that it resumed after {@code after} and ended with {@code expected}'s tensors. */
    private static void assertResumesTo(ImageSet[] d, Asd.Config c, Path dir, int after, Map<String, TensorData> expected) {
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            assertEquals(after, Asd.run(m, d[0], d[1], c, dir, (r, mm) -> { }, Progress.silent()).resumedAfter());
            Map<String, TensorData> resumed = m.stateDict();
            for (String k : expected.keySet()) assertArrayEquals(expected.get(k).data(), resumed.get(k).data(), "tensor " + k + " differs after resuming");
        }
    }

    private static Asd.Config tinyConfig() {
        // three epochs, one per stage; four MixMatch steps of 16
        return new Asd.Config(3, 1, 2, 3, 1, 5, 0.5, 0.002, 16, 4, 0.5, 0.75, 15, 3, 0.1, 1.0, 0.015, 1, 128, true,
                Asd.CleanSeeds.TRUSTED_SET, 1, new Schedule.Constant(), Asd.LateSplit.META,
                Asd.Balance.OVERALL, 0, 0, Asd.Optim.ADAM, 0);
    }

    @Test
    void refreshingBatchNormStatisticsChangesThemAndNoWeight() {
        ImageSet[] d = tinyData();
        Asd.Config one = tinyConfig().toBuilder().epochs(1).stage2Start(1).stage3Start(1).build();
        Map<String, TensorData> kept, refreshed, byHand;
        try (Model a = Model.create("wrn-10-1", 10, 5, Precision.FP32); Model b = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.Result r = Asd.run(a, d[0], d[1], one, null, (x, mm) -> { }, Progress.silent());
            Asd.run(b, d[0], d[1], one.withRefreshBn(120), null, (x, mm) -> { }, Progress.silent());
            kept = a.stateDict();
            refreshed = b.stateDict();
            Asd.refreshStatistics(a, r.data(), 120, Trainer.epochSeed(one.seed(), 0) ^ 0xB4L);
            byHand = a.stateDict();
        }
        int stats = 0;
        for (String k : kept.keySet()) {
            boolean stat = k.endsWith("running_mean") || k.endsWith("running_var");
            if (k.endsWith("num_batches_tracked")) continue;
            if (stat) {
                stats++;
                assertNotEquals(kept.get(k), refreshed.get(k), k + " is re-estimated");
                assertArrayEquals(byHand.get(k).floats(), refreshed.get(k).floats(), 1e-5f, k + ": the statistics of 120 plain training images");
            } else {
                assertEquals(kept.get(k), refreshed.get(k), k + " is a weight and stays");
            }
        }
        assertTrue(stats > 10, "batch-norm layers found: " + stats);
    }

    @Test
    void aTinyRunGoesThroughAllThreeStagesAndResumes(@TempDir Path dir) {
        ImageSet[] d = tinyData();
        ImageSet poisoned = d[0], trusted = d[1];
        assertEquals(300, poisoned.size());
        assertEquals(30, poisoned.poisonedCount());
        Asd.Config c = tinyConfig();
        List<Asd.EpochReport> seen = new ArrayList<>();
        Map<String, TensorData> straight;
        Asd.Result full;
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            full = Asd.run(m, poisoned, trusted, c, dir.resolve("a"), (r, mm) -> seen.add(r), Progress.silent());
            straight = m.stateDict();
        }
        assertEquals(330, full.data().size());
        for (int s : full.seeds()) assertTrue(s >= 300 && !full.data().poisoned(s), "seeds come from the trusted set");
        assertEquals(3, seen.size());
        assertArrayEquals(new int[]{1, 2, 3}, seen.stream().mapToInt(Asd.EpochReport::stage).toArray());
        assertEquals(30, seen.get(0).labelled(), "stage 1, epoch 0: the seeds alone");
        assertEquals(165, seen.get(1).labelled());
        assertEquals(165, seen.get(2).labelled());
        for (Asd.EpochReport r : seen) {
            assertEquals(330, r.labelled() + r.unlabelled());
            assertEquals(30, r.poisonedTotal());
            assertTrue(r.poisonedInLabelled() >= 0 && r.poisonedInLabelled() <= 30);
            assertTrue(Double.isFinite(r.loss()) && r.lossX() > 0, r.toString());
            assertEquals(16, r.batchSize());
        }
        assertEquals(0, seen.get(0).poisonedInLabelled(), "trusted seeds are clean");

        // interrupted after epoch 1, then resumed: the same weights as the straight run
        Path b = dir.resolve("b");
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            assertThrows(IllegalStateException.class, () -> Asd.run(m, poisoned, trusted, c, b, (r, mm) -> {
                if (r.epoch() == 1) throw new IllegalStateException("stop");
            }, Progress.silent()));
        }
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            List<Integer> epochs = new ArrayList<>();
            Asd.Result res = Asd.run(m, poisoned, trusted, c, b, new Asd.Listener() {
                @Override public void epoch(Asd.EpochReport r, Model mm) { epochs.add(r.epoch()); }
                @Override public void note(String message) {}
            }, Progress.silent());
            assertEquals(1, res.resumedAfter());
            assertEquals(List.of(1, 2), epochs);
            Map<String, TensorData> resumed = m.stateDict();
            for (String k : straight.keySet()) {
                assertArrayEquals(straight.get(k).data(), resumed.get(k).data(), "tensor " + k + " differs after resuming");
            }
        }
    }

    @Test
    void theSgdOptionTrainsOtherWeightsResumesExactlyAndIsNotMixedWithAnAdamCheckpoint(@TempDir Path dir) {
        ImageSet[] d = tinyData();
        Asd.Config sgd = tinyConfig().toBuilder().epochs(2).stage2Start(1).stage3Start(2).lateSplit(Asd.LateSplit.LOSS)
                .optimizer(Asd.Optim.SGD).lr(0.05).weightDecay(5e-4).build();
        Asd.Config adam = sgd.toBuilder().optimizer(Asd.Optim.ADAM).lr(0.002).weightDecay(0).build();
        Map<String, TensorData> straight, byAdam;
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.run(m, d[0], d[1], sgd, null, (r, mm) -> { }, Progress.silent());
            straight = m.stateDict();
        }
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.run(m, d[0], d[1], adam, dir.resolve("adam"), (r, mm) -> { }, Progress.silent());
            byAdam = m.stateDict();
        }
        assertNotEquals(straight.get("fc.weight"), byAdam.get("fc.weight"), "the option changes the training");

        // interrupted in epoch 1 (the listener runs before the checkpoint) and resumed: the momentum buffers come back with the weights
        Path b = dir.resolve("sgd");
        stopInEpoch(d, sgd, b, 1);
        assertResumesTo(d, sgd, b, 1, straight);
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            BadInputException mixed = assertThrows(BadInputException.class,
                    () -> Asd.run(m, d[0], d[1], sgd, dir.resolve("adam"), (r, mm) -> { }, Progress.silent()));
            assertTrue(mixed.getMessage().contains("another ASD config"), mixed.getMessage());
        }
    }

    @Test
    void averagingTheLastEpochsEndsWithTheMeanOfTheirWeightsAndResumesToTheSameModel(@TempDir Path dir) {
        ImageSet[] d = tinyData();
        Asd.Config plain = tinyConfig().toBuilder().lateSplit(Asd.LateSplit.LOSS).build();
        Asd.Config averaged = plain.withAverageLast(2);
        Map<String, TensorData> last, mean;
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.run(m, d[0], d[1], plain, null, (r, mm) -> { }, Progress.silent());
            last = m.stateDict();
        }
        Path run = dir.resolve("avg");
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.run(m, d[0], d[1], averaged, run, (r, mm) -> { }, Progress.silent());
            mean = m.stateDict();
        }
        assertFalse(Files.exists(Asd.averagedWeights(run, 1)), "epoch 1 is not averaged");
        Map<String, TensorData> e2 = SafeTensors.read(Asd.averagedWeights(run, 2)).tensors(), e3 = SafeTensors.read(Asd.averagedWeights(run, 3)).tensors();
        for (String k : last.keySet()) {
            if (k.contains("running_") || k.contains("num_batches")) continue;
            // averaging only reads the weights, so training ends where it does without it
            assertArrayEquals(last.get(k).data(), e3.get(k).data(), k);
            float[] a = e2.get(k).floats(), b = e3.get(k).floats(), got = mean.get(k).floats();
            for (int i = 0; i < got.length; i++) assertEquals((float) (((double) a[i] + b[i]) / 2), got[i], k + "[" + i + "]");
        }
        assertNotEquals(e3.get("fc.weight"), mean.get("fc.weight"), "two different epochs were averaged");

        // interrupted in the last epoch, after epoch 2's weights were kept: the resumed run averages the same two epochs
        Path b = dir.resolve("resumed");
        stopInEpoch(d, averaged, b, 2);
        assertResumesTo(d, averaged, b, 2, mean);
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Path f = Asd.averagedWeights(b, 2);
            assertTrue(f.toFile().delete());
            BadInputException lost = assertThrows(BadInputException.class, () -> Asd.run(m, d[0], d[1], averaged, b, (r, mm) -> { }, Progress.silent()));
            assertEquals(f + ": weights of an averaged epoch are missing; start a fresh run directory", lost.getMessage());
        }
        BadInputException tooMany = assertThrows(BadInputException.class, () -> plain.withAverageLast(4));
        assertEquals("ASD weight averaging over the last 4 epochs is outside [0, epochs (3)]", tooMany.getMessage());
    }

    @Test
    void trustedSeedsNeedATrustedSetAndFlagSeedsUseTheGroundTruth() {
        ImageSet[] d = tinyData();
        Asd.Config c = tinyConfig();
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            var e = assertThrows(BadInputException.class, () -> Asd.run(m, d[0], null, c, null, (r, mm) -> {}, Progress.silent()));
            assertTrue(e.getMessage().contains("trusted"), e.getMessage());
        }
        Asd.Config flags = new Asd.Config(1, 1, 1, 3, 1, 5, 0.5, 0.002, 8, 1, 0.5, 0.75, 15, 1, 0.1, 1.0, 0.015, 1, 128, false,
                Asd.CleanSeeds.POISON_FLAGS, 1, new Schedule.Constant(), Asd.LateSplit.META,
                Asd.Balance.OVERALL, 0, 0, Asd.Optim.ADAM, 0);
        try (Model m = Model.create("wrn-10-1", 10, 5, Precision.FP32)) {
            Asd.Result r = Asd.run(m, d[0], null, flags, null, (rep, mm) -> {}, Progress.silent());
            assertEquals(300, r.data().size());
            for (int s : r.seeds()) assertFalse(r.data().poisoned(s));
            assertEquals(30, r.seeds().length);
        }
    }
}
