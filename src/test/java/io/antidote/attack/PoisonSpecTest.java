package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PoisonSpecTest {

    private static void rejects(String message, Executable e) {
        BadInputException x = assertThrows(BadInputException.class, e);
        assertEquals(message, x.getMessage());
        assertFalse(x.getMessage().contains("\n"));
    }

    @Test
    void rateMustBeInZeroToOne() {
        rejects("poison rate 0 is outside (0, 1]", () -> PoisonSpec.of("badnets", 0, 0));
        rejects("poison rate 1.5 is outside (0, 1]", () -> PoisonSpec.of("badnets", 1.5, 0));
        rejects("poison rate NaN is outside (0, 1]", () -> PoisonSpec.of("badnets", Double.NaN, 0));
        assertEquals(1.0, PoisonSpec.of("badnets", 1, 0).rate());
    }

    @Test
    void targetMustBeAClassOfTheSet() {
        ImageSet set = Images.set(20, 4, 4, 3, 10, false);
        rejects("target label 12 is outside [0, 10)", () -> Poisoner.poisonTrain(set, PoisonSpec.of("badnets", 0.1, 12)));
        rejects("target label 10 is outside [0, 10)", () -> Poisoner.poisonTest(set, PoisonSpec.of("badnets", 0.1, 10)));
        rejects("target label -1 is negative", () -> PoisonSpec.of("badnets", 0.1, -1));
    }

    @Test
    void unknownAttackListsTheKnownOnes() {
        rejects("unknown attack 'badnet'; known: badnets, blend, cl, refool, sig, trojan, wanet", () -> PoisonSpec.of("badnet", 0.1, 0));
        rejects("unknown attack 'badnet'; known: badnets, blend, cl, refool, sig, trojan, wanet",
                () -> AttackRegistry.create("badnet", Map.of()));
    }

    @Test
    void unknownParameterListsTheKnownOnes() {
        rejects("unknown parameter 'alpah' for attack 'blend'; known: alpha, pattern, per_image, seed",
                () -> AttackRegistry.create("blend", Map.of("alpah", "0.1")));
        ImageSet set = Images.set(20, 4, 4, 3, 10, false);
        rejects("unknown parameter 'sise' for attack 'badnets'; known: black_transparent, col, distance, mask, patch, row, size, variant",
                () -> Poisoner.poisonTrain(set, PoisonSpec.of("badnets", 0.1, 0).withParams(Map.of("sise", "4"))));
    }

    @Test
    void badParameterValuesNameTheFieldAndValue() {
        rejects("blend alpha 1.5 is outside (0, 1]", () -> AttackRegistry.create("blend", Map.of("alpha", "1.5")));
        rejects("blend alpha 'lots' is not a number", () -> AttackRegistry.create("blend", Map.of("alpha", "lots")));
        rejects("badnets variant 'gird' is unknown; known: asd, fourcorner, grid, patch, square",
                () -> AttackRegistry.create("badnets", Map.of("variant", "gird")));
        rejects("wanet k 1 is outside [2, inf)", () -> AttackRegistry.create("wanet", Map.of("k", "1")));
        rejects("trojan overflow 'clip' is unknown; known: saturate, wrap", () -> AttackRegistry.create("trojan", Map.of("overflow", "clip")));
        rejects("badnets variant 'patch' needs a patch file (parameter patch)", () -> AttackRegistry.create("badnets", Map.of("variant", "patch")));
    }

    @Test
    void poolMustFitTheLabelMode() {
        rejects("pool NON_TARGET does not fit label mode clean-label; use TARGET or REFERENCE_CLEAN_LABEL",
                () -> new PoisonSpec("sig", Map.of(), 0.1, 0, LabelMode.CLEAN_LABEL, Pool.NON_TARGET, RateRule.EXACT, 0));
        rejects("pool TARGET does not fit label mode all2one; use ALL or NON_TARGET",
                () -> PoisonSpec.of("badnets", 0.1, 0).withPool(Pool.TARGET));
    }

    @Test
    void wordsParseForTheCommandLine() {
        assertEquals(LabelMode.CLEAN_LABEL, LabelMode.parse("clean-label"));
        assertEquals(LabelMode.ALL2ALL, LabelMode.parse("ALL2ALL"));
        assertEquals(Pool.NON_TARGET, Pool.parse("non-target"));
        assertEquals(RateRule.BERNOULLI, RateRule.parse("bernoulli"));
        rejects("label mode 'all2some' is unknown; known: all2one, all2all, clean-label", () -> LabelMode.parse("all2some"));
    }

    @Test
    void describeIsOneLineWithEveryChoice() {
        PoisonSpec s = PoisonSpec.of("Blend", 0.1, 0).withParams(Map.of("alpha", "0.1"));
        assertEquals("blend(alpha=0.1) rate=0.1 target=0 all2one pool=all rule=exact seed=0", s.describe());
        assertEquals("blend(alpha=0.1, seed=0, per_image=false, pattern=)", AttackRegistry.create(s, AttackContext.NONE).describe());
    }
}
