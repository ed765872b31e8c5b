package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.ImageSet;
import io.antidote.data.Synthetic;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FineTuneTest {
    private static FineTune.Config quick(FineTune.Scope scope) {
        return FineTune.Config.reference(1).withScope(scope).withEpochs(1).withLr(0.05);
    }

    @Test
    void lastLayerFineTuningChangesOnlyTheHead() {
        ImageSet data = Synthetic.train(new Synthetic.Config(64, 0, 3));
        try (Model m = Model.create("wrn-10-1", 10, 1, Precision.FP32)) {
            Map<String, TensorData> before = m.stateDict();
            FineTune.Result r = FineTune.run(m, data, quick(FineTune.Scope.HEAD), "finetune", null, EpochListener.silent(), Progress.silent());
            assertEquals(List.of("fc.weight", "fc.bias"), r.trainedParameters());
            Map<String, TensorData> after = m.stateDict();
            for (String k : before.keySet()) {
                // BN statistics are buffers, not parameters, and must stay put too: the backbone is frozen as a whole
                if (k.startsWith("fc.")) assertNotEquals(before.get(k), after.get(k), k + " did not move");
                else assertEquals(before.get(k), after.get(k), k + " moved");
            }
        }
    }

    @Test
    void fullFineTuningMovesTheBackbone() {
        ImageSet data = Synthetic.train(new Synthetic.Config(64, 0, 3));
        try (Model m = Model.create("wrn-10-1", 10, 1, Precision.FP32)) {
            Map<String, TensorData> before = m.stateDict();
            FineTune.Result r = FineTune.run(m, data, quick(FineTune.Scope.ALL), "finetune", null, EpochListener.silent(), Progress.silent());
            assertEquals(m.parameterNames(), r.trainedParameters());
            Map<String, TensorData> after = m.stateDict();
            assertNotEquals(before.get("conv1.weight"), after.get("conv1.weight"));
            assertNotEquals(before.get("block1.layer.0.bn1.running_mean"), after.get("block1.layer.0.bn1.running_mean"));
        }
    }

    @Test
    void cleanBudgetIsASeededDrawOfUnpoisonedSamples() {
        ImageSet clean = Synthetic.train(new Synthetic.Config(400, 0, 4));
        ImageSet poisoned = Poisoner.poisonTrain(clean, PoisonSpec.of("badnets", 0.1, 0).withSeed(3));
        int k = CleanBudget.sizeFor(poisoned, CleanBudget.REFERENCE_FRACTION);
        assertEquals(20, k, "floor(0.05 x 400)");
        CleanBudget a = CleanBudget.draw(poisoned, k, 7), b = CleanBudget.draw(poisoned, k, 7), c = CleanBudget.draw(poisoned, k, 8);
        assertEquals(20, a.size());
        assertEquals(0, a.poisonedInside());
        for (int i = 0; i < a.size(); i++) assertEquals(poisoned.originalIndex(a.positions()[i]), a.set().originalIndex(i));
        assertArrayEquals(a.positions(), b.positions());
        assertFalse(Arrays.equals(a.positions(), c.positions()));
        assertEquals(20, Arrays.stream(a.perClass()).sum());
        assertThrows(BadInputException.class, () -> CleanBudget.draw(poisoned, 361, 1), "only 360 are unpoisoned");
        assertThrows(BadInputException.class, () -> CleanBudget.sizeFor(poisoned, 0.001));
        assertThrows(BadInputException.class, () -> CleanBudget.sizeFor(poisoned, 1.5));
    }

    @Test
    void scopesParse() {
        assertEquals(FineTune.Scope.HEAD, FineTune.Scope.parse("head"));
        assertEquals(FineTune.Scope.ALL, FineTune.Scope.parse("all"));
        BadInputException e = assertThrows(BadInputException.class, () -> FineTune.Scope.parse("conv"));
        assertTrue(e.getMessage().contains("'conv'"), e.getMessage());
    }
}
