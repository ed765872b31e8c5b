package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class FinePruningTest {
    private static final ImageSet DATA = Synthetic.train(new Synthetic.Config(120, 0, 6));

    /** A model that has seen the data once, so pruning has accuracy to lose. */
    private static Model warmed() {
        Model m = Model.create("wrn-10-1", 10, 2, Precision.FP32);
        FineTune.run(m, DATA, FineTune.Config.reference(1).withEpochs(1).withLr(0.05), "warm", null, EpochListener.silent(), Progress.silent());
        return m;
    }

    private static boolean columnIsZero(float[] w, int rows, int cols, int c) {
        for (int r = 0; r < rows; r++) if (w[r * cols + c] != 0) return false;
        return true;
    }

    @Test
    void quietestChannelsComeFirstWithTiesToTheLowerIndex() {
        assertArrayEquals(new int[]{1, 2, 0, 3}, FinePruning.order(new double[]{0.5, 0.1, 0.1, 2}));
        assertArrayEquals(new double[]{2, 3}, FinePruning.meanActivation(new float[]{1, 2, 3, 4}, 2), 1e-12);
    }

    @Test
    void pruningZeroesHeadColumnsAndItsCurveMatchesTheNetwork() {
        try (Model m = warmed()) {
            float[] before = m.stateDict().get("fc.weight").floats();
            FinePruning.Pruning p = FinePruning.prune(m, DATA, new FinePruning.Config(1.0, 0.5, FineTune.Config.reference(1)));
            assertEquals(32, p.pruned(), "margin 1 prunes up to the cap: floor(0.5 x 64)");
            float[] after = m.stateDict().get("fc.weight").floats();
            boolean[] cut = new boolean[64];
            for (int c : p.prunedChannels()) cut[c] = true;
            for (int c = 0; c < 64; c++) {
                if (cut[c]) assertTrue(columnIsZero(after, 10, 64, c), "channel " + c);
                else for (int r = 0; r < 10; r++) assertEquals(before[r * 64 + c], after[r * 64 + c], 0);
            }
            // the network's own accuracy after pruning is the curve's last kept point
            int ok = 0;
            byte[] px = new byte[DATA.size() * DATA.imageBytes()];
            for (int i = 0; i < DATA.size(); i++) DATA.copyImage(i, px, i * DATA.imageBytes());
            int[] pred = m.evaluate(px, DATA.size(), DATA.labels()).predictions();
            for (int i = 0; i < DATA.size(); i++) if (pred[i] == DATA.label(i)) ok++;
            assertEquals(p.prunedAccuracy(), (double) ok / DATA.size(), 1e-12);
            for (int i = 1; i < p.order().length; i++) assertTrue(p.meanActivation()[p.order()[i - 1]] <= p.meanActivation()[p.order()[i]]);
        }
    }

    @Test
    void marginStopsPruningAtTheFirstLargerDrop() {
        try (Model m = warmed()) {
            FinePruning.Pruning p = FinePruning.prune(m, DATA, new FinePruning.Config(0.0, 0.95, FineTune.Config.reference(1)));
            for (int k = 1; k <= p.pruned(); k++) assertTrue(p.accuracy()[k] >= p.baseAccuracy(), "step " + k);
            if (p.pruned() < 60) {
                assertEquals(p.pruned() + 2, p.accuracy().length, "the curve ends with the step that crossed the margin");
                assertTrue(p.accuracy()[p.pruned() + 1] < p.baseAccuracy());
            }
        }
    }

    @Test
    void theMaskSurvivesFineTuning() {
        try (Model m = warmed()) {
            TensorData conv = m.stateDict().get("conv1.weight");
            FinePruning.Config c = new FinePruning.Config(1.0, 0.25, FineTune.Config.reference(2).withEpochs(1).withLr(0.05));
            FinePruning.Result r = FinePruning.run(m, DATA, c, null, EpochListener.silent(), Progress.silent());
            assertEquals(16, r.pruning().pruned());
            float[] w = m.stateDict().get("fc.weight").floats();
            int[] cut = r.pruning().prunedChannels();
            for (int ch : cut) assertTrue(columnIsZero(w, 10, 64, ch), "channel " + ch + " came back during fine-tuning");
            int kept = r.pruning().order()[20];
            assertFalse(columnIsZero(w, 10, 64, kept));
            assertNotEquals(conv, m.stateDict().get("conv1.weight"), "fine-tuning did not run");
        }
    }

    @Test
    void badConfigIsRefused() {
        assertThrows(BadInputException.class, () -> new FinePruning.Config(-0.1, 0.5, FineTune.Config.reference(1)));
        BadInputException e = assertThrows(BadInputException.class, () -> new FinePruning.Config(0.05, 1.0, FineTune.Config.reference(1)));
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    }
}
