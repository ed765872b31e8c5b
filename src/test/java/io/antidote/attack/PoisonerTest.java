package io.antidote.attack;

import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PoisonerTest {
    // CIFAR-sized in count, tiny in pixels, so the exact-count checks stay fast.
    private static final ImageSet CIFAR_LIKE = Images.set(50_000, 4, 4, 3, 10, false);

    private static boolean hasGrid(ImageSet s, int i) {
        return s.pixel(i, 3, 3, 0) == 255 && s.pixel(i, 1, 1, 0) == 0 && s.pixel(i, 1, 3, 0) == 255 && s.pixel(i, 2, 2, 2) == 255;
    }

    @Test
    void exactAll2OneOnFiftyThousandPoisonsExactlyFiveThousand() {
        ImageSet p = Poisoner.poisonTrain(CIFAR_LIKE, PoisonSpec.of("badnets", 0.1, 0));
        assertEquals(5_000, p.poisonedCount());
        int targetAmongPoisoned = 0;
        for (int i = 0; i < p.size(); i++) {
            assertEquals(CIFAR_LIKE.label(i), p.originalLabel(i));
            if (p.poisoned(i)) {
                assertEquals(0, p.label(i));
                assertTrue(hasGrid(p, i));
                if (p.originalLabel(i) == 0) targetAmongPoisoned++;
            } else {
                assertEquals(CIFAR_LIKE.label(i), p.label(i));
                assertArrayEquals(CIFAR_LIKE.image(i), p.image(i));
            }
        }
        assertTrue(targetAmongPoisoned > 350 && targetAmongPoisoned < 650, "pool ALL includes the target class: " + targetAmongPoisoned);
        assertEquals(0, CIFAR_LIKE.poisonedCount(), "the clean set is untouched");
    }

    @Test
    void nonTargetPoolNeverPoisonsTheTargetClass() {
        ImageSet p = Poisoner.poisonTrain(CIFAR_LIKE, PoisonSpec.of("badnets", 0.1, 3).withPool(Pool.NON_TARGET));
        assertEquals(5_000, p.poisonedCount());
        for (int i = 0; i < p.size(); i++) if (p.poisoned(i)) assertNotEquals(3, p.originalLabel(i));
    }

    @Test
    void bernoulliOverNonTargetIsNearRateTimesNonTargetCount() {
        PoisonSpec spec = PoisonSpec.of("badnets", 0.05, 3).withPool(Pool.NON_TARGET).withRule(RateRule.BERNOULLI).withSeed(100);
        int[] chosen = Poisoner.select(CIFAR_LIKE, spec);
        // 45,000 x 0.05 = 2,250, standard deviation about 46.
        assertTrue(Math.abs(chosen.length - 2_250) < 200, "count " + chosen.length);
        for (int i : chosen) assertNotEquals(3, CIFAR_LIKE.label(i));
    }

    @Test
    void selectionIsFixedBySeed() {
        PoisonSpec spec = PoisonSpec.of("badnets", 0.01, 0).withSeed(4);
        assertArrayEquals(Poisoner.select(CIFAR_LIKE, spec), Poisoner.select(CIFAR_LIKE, spec));
        assertFalse(Arrays.equals(Poisoner.select(CIFAR_LIKE, spec), Poisoner.select(CIFAR_LIKE, spec.withSeed(5))));
    }

    @Test
    void all2AllShiftsLabelsByOne() {
        ImageSet set = Images.set(1_000, 4, 4, 3, 10, false);
        ImageSet p = Poisoner.poisonTrain(set, PoisonSpec.of("badnets", 0.3, 0).withLabelMode(LabelMode.ALL2ALL));
        assertEquals(300, p.poisonedCount());
        for (int i = 0; i < p.size(); i++) {
            int y = set.label(i);
            assertEquals(p.poisoned(i) ? (y + 1) % 10 : y, p.label(i));
        }
    }

    @Test
    void cleanLabelTriggersOnlyTargetImagesAndKeepsEveryLabel() {
        ImageSet set = Images.set(1_000, 4, 4, 3, 10, false);
        PoisonSpec spec = PoisonSpec.of("badnets", 0.05, 2).withLabelMode(LabelMode.CLEAN_LABEL);
        assertEquals(Pool.TARGET, spec.pool());
        ImageSet p = Poisoner.poisonTrain(set, spec);
        assertEquals(50, p.poisonedCount(), "5% of the whole set's size, drawn from the target class");
        assertArrayEquals(set.labels(), p.labels());
        for (int i = 0; i < p.size(); i++) {
            if (p.poisoned(i)) {
                assertEquals(2, p.label(i));
                assertTrue(hasGrid(p, i));
            }
        }
        assertEquals(50, Poisoner.poisonTrain(set, spec.withSeed(2)).poisonedCount(), "same count for any seed");
        PoisonSpec capped = new PoisonSpec("badnets", Map.of(), 0.5, 2, LabelMode.CLEAN_LABEL, Pool.TARGET, RateRule.EXACT, 0);
        assertEquals(100, Poisoner.poisonTrain(set, capped).poisonedCount(), "capped at the 100 target images");
    }

    @Test
    void referenceCleanLabelTriggersTheTargetMembersOfADrawOverAll() {
        PoisonSpec spec = PoisonSpec.of("badnets", 0.1, 0).withLabelMode(LabelMode.CLEAN_LABEL).withPool(Pool.REFERENCE_CLEAN_LABEL);
        ImageSet p = Poisoner.poisonTrain(CIFAR_LIKE, spec);
        // About 10% of the 5,000 target images; hypergeometric, sd about 20.
        assertTrue(Math.abs(p.poisonedCount() - 500) < 100, "count " + p.poisonedCount());
        for (int i = 0; i < p.size(); i++) {
            if (p.poisoned(i)) assertEquals(0, p.originalLabel(i));
        }
        assertArrayEquals(CIFAR_LIKE.labels(), p.labels());
    }

    @Test
    void poisonedTestSetHoldsEveryNonTargetImageTriggeredAndRelabelled() {
        ImageSet test = Images.set(10_000, 4, 4, 3, 10, false);
        ImageSet bad = Poisoner.poisonTest(test, PoisonSpec.of("badnets", 0.1, 5));
        assertEquals(test.positionsWithLabel(5, false).length, bad.size());
        assertEquals(9_000, bad.poisonedCount());
        for (int i = 0; i < bad.size(); i++) {
            assertEquals(5, bad.label(i));
            assertNotEquals(5, bad.originalLabel(i));
            assertTrue(hasGrid(bad, i));
        }
        ImageSet cl = Poisoner.poisonTest(test, PoisonSpec.of("badnets", 0.1, 5).withLabelMode(LabelMode.CLEAN_LABEL));
        assertEquals(9_000, cl.size());
        ImageSet all = Poisoner.poisonTest(test, PoisonSpec.of("badnets", 0.1, 5).withLabelMode(LabelMode.ALL2ALL));
        assertEquals(10_000, all.size());
        for (int i = 0; i < all.size(); i++) assertEquals((all.originalLabel(i) + 1) % 10, all.label(i));
    }

    @Test
    void perturbationRunsOnChosenSamplesBeforeTheTrigger() {
        ImageSet set = Images.set(200, 4, 4, 3, 10, false);
        int[] calls = {0};
        Perturbation seven = (img, h, w, c, index, label) -> {
            calls[0]++;
            return Images.constant(h, w, c, 7);
        };
        PoisonSpec spec = PoisonSpec.of("badnets", 0.1, 1).withLabelMode(LabelMode.CLEAN_LABEL);
        ImageSet p = Poisoner.poisonTrain(set, spec, BadNets.grid(), seven);
        assertEquals(20, calls[0]);
        for (int i = 0; i < p.size(); i++) {
            if (p.poisoned(i)) {
                assertEquals(7, p.pixel(i, 0, 0, 0));
                assertTrue(hasGrid(p, i));
            } else {
                assertEquals(100, p.pixel(i, 0, 0, 0));
            }
        }
    }

    @Test
    void waNetAddsUnflaggedNoiseModeSamplesAtTheCrossRatio() {
        ImageSet set = Images.set(1_000, 8, 8, 3, 10, true);
        ImageSet p = Poisoner.poisonTrain(set, PoisonSpec.of("wanet", 0.1, 0));
        assertEquals(100, p.poisonedCount());
        int cross = 0;
        for (int i = 0; i < p.size(); i++) {
            if (!p.poisoned(i)) {
                assertEquals(set.label(i), p.label(i));
                if (!Arrays.equals(set.image(i), p.image(i))) cross++;
            }
        }
        assertEquals(200, cross);
        ImageSet none = Poisoner.poisonTrain(set, PoisonSpec.of("wanet", 0.1, 0).withParams(Map.of("cross_ratio", "0")));
        int changed = 0;
        for (int i = 0; i < none.size(); i++) if (!none.poisoned(i) && !Arrays.equals(set.image(i), none.image(i))) changed++;
        assertEquals(0, changed);
    }

    @Test
    void refoolPoisonsCleanLabelFromTheSetsOwnImages() {
        ImageSet set = Images.set(500, 8, 8, 3, 10, true);
        PoisonSpec spec = PoisonSpec.of("refool", 0.05, 4).withLabelMode(AttackRegistry.defaultLabelMode("refool"));
        ImageSet a = Poisoner.poisonTrain(set, spec);
        ImageSet b = Poisoner.poisonTrain(set, spec);
        assertEquals(25, a.poisonedCount());
        assertEquals(a.sha256(), b.sha256(), "reproducible");
        assertArrayEquals(set.labels(), a.labels());
    }
}
