package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Precision;
import io.antidote.nn.Sgd;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class UnlearningAblationTest {
    private static ImageSet poisoned() {
        return Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(200, 0, 4)), PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
    }

    @Test
    void labelShuffleDrawsSeededLabelsFromAllClasses() {
        ImageSet iso = poisoned();
        ImageSet a = UnlearningAblation.withRandomLabels(iso, 5), b = UnlearningAblation.withRandomLabels(iso, 5);
        ImageSet c = UnlearningAblation.withRandomLabels(iso, 6);
        assertArrayEquals(a.labels(), b.labels(), "the same seed, the same labels");
        assertFalse(java.util.Arrays.equals(a.labels(), c.labels()), "another seed, other labels");
        int same = 0;
        boolean[] seen = new boolean[10];
        for (int i = 0; i < iso.size(); i++) {
            if (a.label(i) == iso.label(i)) same++;
            seen[a.label(i)] = true;
            assertArrayEquals(iso.image(i), a.image(i), "pixels untouched");
        }
        // a uniform draw keeps about one label in ten
        assertTrue(same < iso.size() / 4, same + " of " + iso.size() + " labels kept");
        for (boolean s : seen) assertTrue(s, "every class drawn");
    }

    @Test
    void pixelNoiseMovesPixelsBySigmaAndKeepsLabels() {
        ImageSet iso = poisoned();
        ImageSet n = UnlearningAblation.withPixelNoise(iso, 8, 1);
        assertArrayEquals(iso.labels(), n.labels());
        double sum = 0, sq = 0;
        long count = 0;
        for (int i = 0; i < iso.size(); i++) {
            byte[] a = iso.image(i), b = n.image(i);
            for (int k = 0; k < a.length; k++) {
                int va = a[k] & 0xff, vb = b[k] & 0xff;
                if (va < 40 || va > 215) continue; // away from the clip at 0 and 255
                double d = vb - va;
                sum += d;
                sq += d * d;
                count++;
            }
        }
        assertTrue(count > 10_000, "enough unclipped pixels: " + count);
        double mean = sum / count, sd = Math.sqrt(sq / count - mean * mean);
        assertEquals(0, mean, 0.1);
        assertEquals(8, sd, 0.2, "rounded Gaussian of std 8");
        assertArrayEquals(n.image(3), UnlearningAblation.withPixelNoise(iso, 8, 1).image(3), "seeded");
    }

    @Test
    void smoothedCrossEntropyIsTheMixOfTheLabelAndTheUniformTarget() {
        byte[] x = AblTest.images(6, 2);
        int[] y = {0, 1, 2, 3, 4, 5};
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            // lr 0: the step changes nothing, and train-mode logits of the same batch are the same every time
            Sgd opt = m.sgd(new Sgd.Options(0, 0, false, 0));
            float[][] perClass = new float[10][];
            for (int k = 0; k < 10; k++) {
                int[] all = new int[6];
                java.util.Arrays.fill(all, k);
                perClass[k] = m.trainStep(opt, x, 6, all, null, Objective.crossEntropy()).losses();
            }
            float[] half = m.trainStep(opt, x, 6, y, null, new Objective.SmoothedCrossEntropy(0.5)).losses();
            float[] uniform = m.trainStep(opt, x, 6, y, null, new Objective.SmoothedCrossEntropy(1.0)).losses();
            boolean[] flagged = {true, false, false, true, true, false};
            float[] some = m.trainStep(opt, x, 6, y, null, new Objective.SmoothedCrossEntropy(1.0, flagged)).losses();
            for (int i = 0; i < 6; i++) {
                double mean = 0;
                for (int k = 0; k < 10; k++) mean += perClass[k][i] / 10.0;
                assertEquals(mean, uniform[i], 1e-5, "epsilon 1: the uniform target, whatever the label");
                assertEquals(0.5 * perClass[y[i]][i] + 0.5 * mean, half[i], 1e-5);
                assertEquals(flagged[i] ? mean : perClass[y[i]][i], some[i], 1e-5, "only flagged examples get the soft target");
            }
        }
    }

    @Test
    void parameterNoiseIsSeededAndHasTheGivenSpread() {
        try (Model a = Model.create("wrn-16-1", 10, 3, Precision.FP32); Model b = a.copy()) {
            Map<String, TensorData> before = a.stateDict();
            a.perturbParameters(0.01, 9, n -> true);
            b.perturbParameters(0.01, 9, n -> true);
            Map<String, TensorData> pa = a.stateDict(), pb = b.stateDict();
            double sq = 0;
            long n = 0;
            for (String k : a.parameterNames()) {
                float[] w0 = before.get(k).floats(), w1 = pa.get(k).floats();
                assertArrayEquals(w1, pb.get(k).floats(), "tensor " + k + ": same seed, same noise");
                for (int i = 0; i < w0.length; i++) {
                    sq += (w1[i] - w0[i]) * (double) (w1[i] - w0[i]);
                    n++;
                }
            }
            assertEquals(0.01, Math.sqrt(sq / n), 0.0005);
        }
    }

    @Test
    void finetuneLastMovesOnlyTheHeadAndRetrainStartsAfresh() {
        ImageSet data = poisoned();
        Abl.Config c = Abl.Config.reference(1).withEpochs(1, 1, 1, 1).withUnlearnBy("finetune-last");
        Abl.Listener quiet = new Abl.Listener() {
            @Override public void epoch(String stage, io.antidote.train.Trainer.EpochStats s, Model m) {}
            @Override public void note(String message) {}
        };
        try (Model m = Model.create("wrn-16-1", 10, 3, Precision.FP32)) {
            Map<String, TensorData> before = m.stateDict();
            Abl.trainOnRest(m, data, c, null, quiet, Progress.silent());
            Map<String, TensorData> after = m.stateDict();
            List<String> moved = new ArrayList<>();
            for (String k : m.parameterNames()) if (!java.util.Arrays.equals(before.get(k).floats(), after.get(k).floats())) moved.add(k);
            assertEquals(List.of("fc.weight", "fc.bias"), moved.stream().sorted(java.util.Comparator.reverseOrder()).toList());

            Abl.trainOnRest(m, data, c.withUnlearnBy("retrain"), null, quiet, Progress.silent());
            Map<String, TensorData> fresh = m.stateDict();
            for (String k : m.parameterNames()) {
                if (k.endsWith("conv1.weight") || k.equals("conv1.weight")) {
                    assertFalse(java.util.Arrays.equals(after.get(k).floats(), fresh.get(k).floats()), k + " re-initialised and trained");
                }
            }
        }
    }

    private static Abl.Listener recording(List<String> stages, List<Integer> images) {
        return new Abl.Listener() {
            @Override public void epoch(String stage, io.antidote.train.Trainer.EpochStats s, Model m) {
                stages.add(stage);
                images.add(s.images());
            }
            @Override public void note(String message) {}
        };
    }

    @Test
    void stageReplacementsTrainOnTheNonIsolatedDataOnly() {
        ImageSet data = poisoned();
        ImageSet iso = data.subset(new int[]{0, 5, 17, 30, 41, 77});
        for (String name : List.of("finetune-all", "finetune-last", "retrain")) {
            Abl.Config c = Abl.Config.reference(1).withEpochs(1, 2, 1, 1).withUnlearnBy(name);
            List<String> stages = new ArrayList<>();
            List<Integer> images = new ArrayList<>();
            try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
                Abl.quickUnlearn(m, data, iso, null, c, recording(stages, images), Progress.silent());
            }
            assertEquals(List.of(name, name), stages, "two fine-tuning epochs, no unlearning epoch");
            assertEquals(List.of(data.size() - 6, data.size() - 6), images, name + " saw an isolated image or missed a clean one");
        }
    }

    @Test
    void retrainStartsFromFreshSeededWeightsWhateverTheGivenModel() {
        ImageSet data = poisoned();
        // no fine-tuning epoch: what is left is the starting point alone
        Abl.Config c = Abl.Config.reference(1).withEpochs(1, 0, 0, 1);
        Abl.Listener quiet = recording(new ArrayList<>(), new ArrayList<>());
        try (Model a = Model.create("wrn-10-1", 10, 3, Precision.FP32); Model b = Model.create("wrn-10-1", 10, 4, Precision.FP32)) {
            Map<String, TensorData> given = a.stateDict();
            Abl.trainOnRest(a, data, c.withUnlearnBy("finetune-all"), null, quiet, Progress.silent());
            assertEquals(given, a.stateDict(), "control: zero fine-tuning epochs leave the given weights");
            Abl.trainOnRest(a, data, c.withUnlearnBy("retrain"), null, quiet, Progress.silent());
            Abl.trainOnRest(b, data, c.withUnlearnBy("retrain"), null, quiet, Progress.silent());
            Map<String, TensorData> ra = a.stateDict();
            int drawn = 0;
            for (String k : a.parameterNames()) {
                float[] w = given.get(k).floats();
                boolean constant = true;
                for (float v : w) constant &= v == w[0];
                if (constant) continue; // batch-norm's ones and zeros are every initialisation's
                drawn++;
                assertNotEquals(given.get(k), ra.get(k), k + " still holds the given model's weights");
            }
            assertTrue(drawn >= 5, drawn + " randomly initialised tensors");
            assertEquals(ra, b.stateDict(), "the fresh weights depend on the seed only, not on the model given");
        }
    }

    @Test
    void selfLearningRelabelsWithTheCurrentModelsPredictions() {
        ImageSet iso = poisoned().subset(java.util.stream.IntStream.range(0, 40).toArray());
        UnlearningAblation.Treatment t = UnlearningAblation.get("self-learning");
        try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
            ImageSet first = t.isolated(iso, m, 1);
            assertArrayEquals(io.antidote.train.Inference.predict(m, iso, 64).predicted(), first.labels());
            for (int i = 0; i < iso.size(); i++) assertArrayEquals(iso.image(i), first.image(i), "pixels untouched");
            m.perturbParameters(0.5, 3, n -> true);
            int[] now = io.antidote.train.Inference.predict(m, iso, 64).predicted();
            assertFalse(java.util.Arrays.equals(now, first.labels()), "the perturbation should change some prediction");
            assertArrayEquals(now, t.isolated(iso, m, 1).labels(), "relabelled by the model as it is now");
        }
    }

    @Test
    void eachTreatmentCarriesItsOwnBehaviour() {
        for (String name : UnlearningAblation.names()) {
            UnlearningAblation.Treatment t = UnlearningAblation.get(name);
            UnlearningAblation.Kind kind = name.equals("ascent") ? UnlearningAblation.Kind.ASCENT
                    : name.startsWith("finetune") || name.equals("retrain") ? UnlearningAblation.Kind.CLEAN_ONLY : UnlearningAblation.Kind.ISOLATED_DESCENT;
            assertEquals(kind, t.kind(), name);
            assertEquals(name.equals("finetune-last"), t.headOnly(), name);
            assertEquals(name.equals("retrain"), t.freshWeights(), name);
            assertEquals(name.equals("gradient-noise") ? UnlearningAblation.GRADIENT_SIGMA : 0, t.parameterNoise(), name);
            Objective o = t.objective(null);
            double eps = o instanceof Objective.SmoothedCrossEntropy s ? s.epsilon() : 0;
            assertEquals(name.equals("label-uniform") ? 1.0 : name.equals("label-smoothing") ? UnlearningAblation.SMOOTHING : 0, eps, name);
        }
    }

    @Test
    void theJointStageTwoRefusesIsolatedSetTreatmentsBeforeIsolating() {
        List<String> stages = new ArrayList<>();
        Abl.Config joint = Abl.Config.paper(1).withEpochs(1, 1, 1, 1);
        var e = assertThrows(BadInputException.class, () -> {
            try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
                Abl.run(m, poisoned(), joint.withUnlearnBy("label-shuffle"), null, recording(stages, new ArrayList<>()), Progress.silent());
            }
        });
        assertTrue(e.getMessage().contains("'label-shuffle' replaces the separate unlearning epochs"), e.getMessage());
        assertEquals(List.of(), stages, "refused before any training");
        assertNull(Abl.treatmentConflict(joint), "ascent is the joint objective's own");
        assertNull(Abl.treatmentConflict(joint.withUnlearnBy("finetune-all")), "stage replacements need no unlearning stage");
        assertNull(Abl.treatmentConflict(Abl.Config.reference(1).withUnlearnBy("label-shuffle")));
        assertNull(Abl.treatmentConflict(joint.withUnlearning(Abl.Unlearning.ASCENT_ONLY).withUnlearnBy("label-shuffle")));
    }

    @Test
    void partnerWeightsDescendOnBothKindsForTreatmentsAndAscendOnTheIsolatedForAscent() {
        int[] positions = {3, 0, 7, 1, 9, 2, 4, 5, 6, 8};   // positions 0 and 1 are the isolated examples
        float[] down = Abl.partnerWeights(positions, 2, 4, false), up = Abl.partnerWeights(positions, 2, 4, true);
        double sumDown = 0, sumUp = 0;
        for (int i = 0; i < positions.length; i++) {
            boolean iso = positions[i] < 2;
            assertTrue(down[i] > 0, "descent: every weight positive");
            assertEquals(iso ? -down[i] : down[i], up[i], "ascent flips the isolated examples' sign only");
            sumDown += down[i];
            sumUp += up[i];
        }
        // with every loss 1 the batch mean is E_isolated + E_clean = 2 for descent, E_clean - E_isolated = 0 for ascent
        assertEquals(2, sumDown / positions.length, 1e-6);
        assertEquals(0, sumUp / positions.length, 1e-6);
    }

    @Test
    void isolatedSetTreatmentsKeepAscentsCleanPartners() {
        // over 1,000 non-target examples: the stop rule's slice takes 1,000 and the partners come from the rest
        ImageSet data = Poisoner.poisonTrain(Synthetic.train(new Synthetic.Config(1300, 0, 4)), PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
        int[] picked = java.util.stream.IntStream.range(0, data.size()).filter(data::poisoned).limit(10).toArray();
        ImageSet iso = data.subset(picked);
        for (String name : List.of("label-uniform", "label-shuffle", "gradient-noise")) {
            for (boolean partners : new boolean[]{false, true}) {
                Abl.Config b = Abl.Config.balanced(1).withEpochs(1, 0, 0, 1).withUnlearnBy(name).toBuilder().targetAnchors(0).build();
                Abl.Config c = partners ? b : b.toBuilder().unlearnClean(0).build();
                List<String> stages = new ArrayList<>();
                List<Integer> images = new ArrayList<>();
                try (Model m = Model.create("wrn-10-1", 10, 3, Precision.FP32)) {
                    Abl.quickUnlearn(m, data, iso, null, c, recording(stages, images), Progress.silent());
                }
                assertEquals(List.of("unlearning"), stages, name);
                assertEquals(List.of(partners ? 10 * (1 + 4) : 10), images, name + (partners ? ": 4 clean partners per isolated example" : ": alone"));
            }
        }
    }

    @Test
    void theRestLeavesOutTheIsolatedImagesFromAFile() {
        ImageSet data = poisoned();
        int[] picked = {0, 5, 17, 30};
        ImageSet rest = Abl.withoutImages(data, data.subset(picked));
        assertEquals(data.size() - 4, rest.size());
        for (int i = 0; i < rest.size(); i++) {
            int oi = rest.originalIndex(i);
            assertTrue(oi != 0 && oi != 5 && oi != 17 && oi != 30);
        }
    }

    @Test
    void unknownTreatmentsAreRefusedWithTheValidNames() {
        var e = assertThrows(BadInputException.class, () -> Abl.Config.reference(1).withUnlearnBy("pixel-nois"));
        assertTrue(e.getMessage().contains("'pixel-nois' is not one of ascent, pixel-noise"), e.getMessage());
        assertEquals(List.of("ascent", "pixel-noise", "gradient-noise", "label-shuffle", "label-uniform", "label-smoothing", "self-learning",
                "finetune-all", "finetune-last", "retrain"), UnlearningAblation.names());
    }
}
