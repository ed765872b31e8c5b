package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.attack.Attack;
import io.antidote.attack.AttackContext;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class McrTest {
    private static final double[] GRID = {0, 0.25, 0.5, 0.75, 1};

    @Test
    void theRuleTakesTheQualifyingPointFarthestFromBothEnds() {
        // 0.5 misses the margin, 0.25 and 0.75 meet it: equally far from the ends, so the one nearer the fine-tuned end
        Mcr.Choice c = Mcr.choose(GRID, new double[]{0.90, 0.86, 0.70, 0.87, 0.88}, 0.05);
        assertEquals(3, c.index());
        assertTrue(c.withinMargin());
        assertEquals(0.90, c.reference(), 0);
        // the margin counts from the better endpoint, whichever end it is
        assertEquals(1, Mcr.choose(GRID, new double[]{0.70, 0.86, 0.70, 0.80, 0.90}, 0.05).index());
        assertEquals(2, Mcr.choose(GRID, new double[]{0.90, 0.10, 0.85, 0.10, 0.80}, 0.05).index(), "exactly at the margin qualifies");
        Mcr.Choice none = Mcr.choose(GRID, new double[]{0.90, 0.50, 0.40, 0.50, 0.80}, 0.05);
        assertEquals(4, none.index(), "nothing qualifies: the fine-tuned endpoint");
        assertFalse(none.withinMargin());
        assertArrayEquals(new double[]{0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, Mcr.Config.defaults(1).grid(), 1e-15);
    }

    @Test
    void theHeldOutSliceIsASeededDisjointPartOfTheBudget() {
        ImageSet clean = Synthetic.train(new Synthetic.Config(50, 0, 3));
        Mcr.Split a = Mcr.split(clean, 0.2, 7), b = Mcr.split(clean, 0.2, 7);
        assertEquals(40, a.train().size());
        assertEquals(10, a.heldOut().size());
        assertEquals(a.heldOut().sha256(), b.heldOut().sha256());
        List<Integer> seen = new ArrayList<>();
        for (ImageSet s : List.of(a.train(), a.heldOut())) for (int i = 0; i < s.size(); i++) seen.add(s.originalIndex(i));
        assertEquals(50, seen.stream().distinct().count());
        Mcr.Split whole = Mcr.split(clean, 0, 7);
        assertSame(whole.train(), whole.heldOut());
        assertThrows(BadInputException.class, () -> Mcr.Config.defaults(1).withHoldout(1.0));
        assertThrows(BadInputException.class, () -> Mcr.Config.defaults(1).withPoints(2));
    }

    @Test
    void mcrOnABackdooredModelScoresTheWholeCurveAndKeepsTheEndpointsFixed() {
        Synthetic.Config sc = new Synthetic.Config(1200, 400, 11);
        ImageSet train = Synthetic.train(sc), test = Synthetic.test(sc);
        PoisonSpec spec = PoisonSpec.of("badnets", 0.1, 0).withSeed(1);
        Attack a = AttackRegistry.create(spec, new AttackContext(train, 0));
        ImageSet ptrain = Poisoner.poisonTrain(train, spec, a), ptest = Poisoner.poisonTest(test, spec, a);
        TrainConfig plain = TrainConfig.standard(8, 1).withLr(0.05, new Schedule.Cosine()).withAugmentation(Augmentation.none());
        CleanBudget budget = CleanBudget.draw(ptrain, 200, 2);
        Mcr.Config c = Mcr.Config.defaults(3).withPoints(5);
        c = c.withEndpoint(c.endpoint().withEpochs(4)).withCurve(c.curve().withEpochs(4));
        try (Model m = Model.create("wrn-10-1", 10, 1, Precision.FP32)) {
            Trainer.train(m, Trainer.optimizer(m, plain, n -> true), ptrain, plain, new Trainer.Hooks() {}, null, Progress.silent(), -1);
            Metrics.Scores before = Metrics.score(m, test, ptest, 0, 256);
            Map<String, TensorData> w0 = m.stateDict();
            List<Metrics.Scores> scores = new ArrayList<>();
            List<String> stages = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Map<String, TensorData>[] ends = new Map[3];
            Mcr.Result r = Mcr.run(m, null, budget.set(), c, null, new Mcr.Listener() {
                @Override
                public void epoch(String stage, Trainer.EpochStats s, Model model) { stages.add(stage + "/" + (s.epoch() + 1)); }

                @Override
                public void note(String message) {}

                @Override
                public void endpoint(Model e) { ends[1] = e.stateDict(); }

                @Override
                public void point(int i, Mcr.Point p, Model model) {
                    scores.add(Metrics.score(model, test, ptest, 0, 256));
                    if (p.t() == 0) ends[0] = model.stateDict();
                    if (p.t() == 1) ends[2] = model.stateDict();
                }
            }, Progress.silent());
            assertEquals(List.of("endpoint/1", "endpoint/2", "endpoint/3", "endpoint/4", "curve/1", "curve/2", "curve/3", "curve/4"), stages);
            assertEquals(5, r.curve().size());
            assertEquals(5, scores.size());
            assertEquals(160, r.trainedOn());
            assertEquals(40, r.heldOut());
            for (int i = 0; i < 5; i++) {
                assertEquals(GRID[i], r.curve().get(i).t(), 1e-12);
                double h = r.curve().get(i).heldOutAccuracy(), ca = scores.get(i).cleanAccuracy(), asr = scores.get(i).attackSuccessRate();
                assertTrue(h >= 0 && h <= 1 && ca >= 0 && ca <= 1 && asr >= 0 && asr <= 1, i + ": " + h + " " + ca + " " + asr);
            }
            for (String k : m.parameterNames()) {
                assertEquals(w0.get(k), ends[0].get(k), "t = 0 is the backdoored model: " + k);
                assertEquals(ends[1].get(k), ends[2].get(k), "t = 1 is the fine-tuned endpoint: " + k);
            }
            // a small, briefly trained model: the backdoor is real but far from perfect, and so is the repair
            assertTrue(before.attackSuccessRate() > 0.5, "the backdoor did not take: ASR " + before.attackSuccessRate());
            Metrics.Scores chosen = scores.get(r.choice().index());
            assertTrue(chosen.attackSuccessRate() < before.attackSuccessRate() / 2, "ASR " + before.attackSuccessRate() + " -> " + chosen.attackSuccessRate());
            Metrics.Scores end = Metrics.score(m, test, ptest, 0, 256);
            // the statistics are recomputed once more for the final model, so losses may differ in the last bits
            assertEquals(chosen.cleanAccuracy(), end.cleanAccuracy(), 0.0051, "the model ends at the chosen point");
            assertEquals(chosen.attackSuccessRate(), end.attackSuccessRate(), 0.0056);
        }
    }
}
