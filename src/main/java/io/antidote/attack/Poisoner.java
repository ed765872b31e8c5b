package io.antidote.attack;

import io.antidote.data.ImageSet;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds poisoned training sets (the draw of §2.1 and §2.5) and poisoned test sets for the attack
 * success rate, keeping each sample's provenance.
 */
public final class Poisoner {
    private Poisoner() {}

    /** The training set poisoned as the spec says, the attack built from the spec and this set. */
    public static ImageSet poisonTrain(ImageSet clean, PoisonSpec spec) {
        return poisonTrain(clean, spec, AttackRegistry.create(spec, new AttackContext(clean, spec.target())), null);
    }

    public static ImageSet poisonTrain(ImageSet clean, PoisonSpec spec, Attack attack) {
        return poisonTrain(clean, spec, attack, null);
    }

    /**
     * The poisoned training set; {@code before}, if not null, changes each chosen image before its
     * trigger goes on. A WaNet attack with a cross ratio also warps that many times the poison count
     * of other samples with extra random noise ("noise mode"); they keep their labels and stay
     * unflagged, since they carry no backdoor.
     */
    public static ImageSet poisonTrain(ImageSet clean, PoisonSpec spec, Attack attack, Perturbation before) {
        spec.validate(clean.numClasses());
        int h = clean.height(), w = clean.width(), c = clean.channels();
        int[] chosen = select(clean, spec);
        ImageSet.Editor ed = clean.edit().name(clean.name() + "+" + attack.name());
        for (int i : chosen) {
            byte[] img = clean.image(i);
            int y = clean.label(i);
            if (before != null) img = before.apply(img, h, w, c, clean.originalIndex(i), y);
            ed.image(i, attack.apply(img, h, w, c, clean.originalIndex(i)));
            ed.label(i, spec.labelMode().poisonedLabel(y, spec.target(), clean.numClasses()));
            ed.poisoned(i, true);
        }
        if (attack instanceof WaNet wanet && wanet.crossRatio() > 0) {
            for (int i : crossSamples(clean, chosen, wanet.crossRatio(), spec.seed())) {
                // One stream per sample, keyed by its original index, so the set can be rebuilt exactly.
                SplittableRandom rng = new SplittableRandom(Pixels.mix(spec.seed() ^ 0x5bd1e995L, clean.originalIndex(i)));
                ed.image(i, wanet.noise(clean.image(i), h, w, c, rng));
            }
        }
        return ed.build();
    }

    /**
     * The set on which the attack success rate is measured: for all2one and clean-label every
     * non-target image, triggered and labelled target (§2.1, §2.5); for all2all every image,
     * triggered and labelled (y + 1) mod C.
     */
    public static ImageSet poisonTest(ImageSet cleanTest, PoisonSpec spec) {
        return poisonTest(cleanTest, spec, AttackRegistry.create(spec, new AttackContext(cleanTest, spec.target())));
    }

    /** As above with a given attack instance; pass the one used for training when it draws on data (Refool). */
    public static ImageSet poisonTest(ImageSet cleanTest, PoisonSpec spec, Attack attack) {
        spec.validate(cleanTest.numClasses());
        int h = cleanTest.height(), w = cleanTest.width(), c = cleanTest.channels();
        int n = cleanTest.numClasses();
        boolean all2all = spec.labelMode() == LabelMode.ALL2ALL;
        int[] keep = all2all ? allPositions(cleanTest.size()) : cleanTest.positionsWithLabel(spec.target(), false);
        ImageSet sub = cleanTest.subset(cleanTest.name() + "+" + attack.name(), keep);
        ImageSet.Editor ed = sub.edit();
        for (int i = 0; i < sub.size(); i++) {
            ed.image(i, attack.apply(sub.image(i), h, w, c, sub.originalIndex(i)));
            ed.label(i, all2all ? (sub.label(i) + 1) % n : spec.target());
            ed.poisoned(i, true);
        }
        return ed.build();
    }

    /** Positions (ascending) of the samples the spec puts a trigger on. */
    public static int[] select(ImageSet clean, PoisonSpec spec) {
        spec.validate(clean.numClasses());
        int n = clean.size();
        int target = spec.target();
        Pool pool = spec.pool();
        SplittableRandom rng = new SplittableRandom(spec.seed());
        int[] drawn;
        if (spec.rule() == RateRule.EXACT) {
            int[] candidates = java.util.stream.IntStream.range(0, n).filter(i -> pool.drawable(clean.label(i), target)).toArray();
            // floor(N x rate) in double, as the reference's int(len * portion) computes it.
            int k = Math.min((int) Math.floor(n * spec.rate()), candidates.length);
            drawn = firstOfShuffle(candidates, k, rng);
        } else {
            int[] buf = new int[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                // Draw for every sample, drawable or not, as ASD does, so the pool does not shift the stream.
                double u = rng.nextDouble();
                if (u < spec.rate() && pool.drawable(clean.label(i), target)) buf[k++] = i;
            }
            drawn = Arrays.copyOf(buf, k);
        }
        int[] triggered = Arrays.stream(drawn).filter(i -> pool.triggered(clean.label(i), target)).toArray();
        Arrays.sort(triggered);
        return triggered;
    }

    /** floor(K x ratio) samples drawn uniformly from those not poisoned, capped at how many there are. */
    static int[] crossSamples(ImageSet clean, int[] poisoned, double ratio, long seed) {
        boolean[] taken = new boolean[clean.size()];
        for (int i : poisoned) taken[i] = true;
        int[] rest = java.util.stream.IntStream.range(0, clean.size()).filter(i -> !taken[i]).toArray();
        int k = Math.min((int) Math.floor(poisoned.length * ratio), rest.length);
        // A stream of its own, so turning noise mode on or off never moves the poisoned samples.
        int[] cross = firstOfShuffle(rest, k, new SplittableRandom(Pixels.mix(seed, 0x9e3779b97f4a7c15L)));
        Arrays.sort(cross);
        return cross;
    }

    /** The first k of a uniform random permutation (partial Fisher-Yates), without touching the input. */
    private static int[] firstOfShuffle(int[] items, int k, SplittableRandom rng) {
        int[] a = items.clone();
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(a.length - i);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
        return Arrays.copyOf(a, k);
    }

    private static int[] allPositions(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }
}
