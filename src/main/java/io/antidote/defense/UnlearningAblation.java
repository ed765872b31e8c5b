package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.train.Inference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The ABL authors' ablation of the unlearning step: gradient ascent on the isolated set D̂b beside
 * other ways to make a model forget it, each under one name.
 *
 * <ul>
 * <li>{@code ascent} (every preset's choice): ABL's own unlearning, pure ascent on D̂b or, with
 * {@code unlearnClean} r > 0, the balanced two-expectation descent/ascent with r clean partners per
 * isolated example.</li>
 * <li>Isolated-set treatments replace the ascent epochs one for one (same epochs, learning rate,
 * clean partners, stop rule and best-model restore) but descend, with positive weights on the
 * isolated examples and on their clean partners alike, on a changed D̂b:
 * <ul>
 * <li>{@code pixel-noise}: D̂b's images plus Gaussian noise of std {@link #PIXEL_SIGMA} grey
 * levels (8/255 of the range), rounded and clipped to [0, 255], redrawn each epoch from the seed;
 * labels as stored.</li>
 * <li>{@code gradient-noise}: D̂b as stored, and after every step each weight gets N(0, (s x lr)^2)
 * with s = {@link #GRADIENT_SIGMA}, which is SGD with gradient noise of std s.</li>
 * <li>{@code label-shuffle}: each isolated example's label drawn uniformly from the C classes,
 * redrawn each epoch from the seed.</li>
 * <li>{@code label-uniform}: the soft target 1/C on every class.</li>
 * <li>{@code label-smoothing}: the stored label smoothed by {@link #SMOOTHING}, i.e. 1 - ε + ε/C on
 * it and ε/C on every other class.</li>
 * <li>{@code self-learning}: each isolated example relabelled with the current model's prediction
 * at the start of each epoch.</li>
 * </ul></li>
 * <li>Stage replacements ignore D̂b and train the model they are given on the rest, D̂c, with stage
 * 2's fine-tuning epochs, rate and schedule: {@code finetune-all} (every layer), {@code
 * finetune-last} (the classifier head only) and {@code retrain} (from fresh, seeded weights).</li>
 * </ul>
 */
public final class UnlearningAblation {
    /** What a treatment does in place of ABL's unlearning stage. */
    public enum Kind { ASCENT, ISOLATED_DESCENT, CLEAN_ONLY }

    /** One treatment of the ablation; each method matters only for the kinds its comment names. */
    public interface Treatment {
        Kind kind();

        /** ISOLATED_DESCENT: the epoch's isolated set, from the stored one, the model at the epoch's start and the epoch's seed. */
        default ImageSet isolated(ImageSet iso, Model model, long seed) { return iso; }

        /**
         * ISOLATED_DESCENT: the loss of one batch; {@code isolated} flags the batch's isolated
         * examples (null: all of them are), the others being clean partners that keep plain labels.
         */
        default Objective objective(boolean[] isolated) { return Objective.crossEntropy(); }

        /** ISOLATED_DESCENT: std of the noise added to every weight after each step, per unit of learning rate. */
        default double parameterNoise() { return 0; }

        /** CLEAN_ONLY: start from fresh weights instead of the given ones. */
        default boolean freshWeights() { return false; }

        /** CLEAN_ONLY: train the classifier head alone. */
        default boolean headOnly() { return false; }
    }

    /** Pixel noise std in grey levels: 8/255 of the range. */
    public static final double PIXEL_SIGMA = 8.0;
    /** Gradient noise std in gradient units (per unit of learning rate): well above a batch gradient's typical entry, so the noise is felt. */
    public static final double GRADIENT_SIGMA = 0.1;
    /**
     * Label smoothing of the {@code label-smoothing} treatment: halfway between the stored label
     * and {@code label-uniform}, so the two soft-label rows of the ablation differ.
     */
    public static final double SMOOTHING = 0.5;

    private interface Change {
        ImageSet apply(ImageSet iso, Model model, long seed);
    }

    private record Descent(Change change, double smoothing, double gradientNoise) implements Treatment {
        public Kind kind() { return Kind.ISOLATED_DESCENT; }

        public ImageSet isolated(ImageSet iso, Model model, long seed) { return change.apply(iso, model, seed); }

        public Objective objective(boolean[] isolated) {
            return smoothing > 0 ? new Objective.SmoothedCrossEntropy(smoothing, isolated) : Objective.crossEntropy();
        }

        public double parameterNoise() { return gradientNoise; }
    }

    private record OnTheRest(boolean freshWeights, boolean headOnly) implements Treatment {
        public Kind kind() { return Kind.CLEAN_ONLY; }
    }

    private static final Change AS_STORED = (iso, m, seed) -> iso;
    private static final Map<String, Treatment> REGISTRY = new LinkedHashMap<>();

    static {
        register("ascent", () -> Kind.ASCENT);
        register("pixel-noise", new Descent((iso, m, seed) -> withPixelNoise(iso, PIXEL_SIGMA, seed), 0, 0));
        register("gradient-noise", new Descent(AS_STORED, 0, GRADIENT_SIGMA));
        register("label-shuffle", new Descent((iso, m, seed) -> withRandomLabels(iso, seed), 0, 0));
        register("label-uniform", new Descent(AS_STORED, 1.0, 0));
        register("label-smoothing", new Descent(AS_STORED, SMOOTHING, 0));
        register("self-learning", new Descent((iso, m, seed) -> relabelled(iso, Inference.predict(m, iso, 512).predicted()), 0, 0));
        register("finetune-all", new OnTheRest(false, false));
        register("finetune-last", new OnTheRest(false, true));
        register("retrain", new OnTheRest(true, false));
    }

    private UnlearningAblation() {}

    private static void register(String name, Treatment t) {
        REGISTRY.put(name, t);
    }

    /** The names in registration order. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The treatment of a name, or a one-line error listing the valid ones. */
    public static Treatment get(String name) {
        Treatment t = REGISTRY.get(name);
        if (t == null) throw new BadInputException("unlearning treatment '" + name + "' is not one of " + String.join(", ", REGISTRY.keySet()));
        return t;
    }

    /**
     * Each image plus Gaussian noise of the given std in grey levels, rounded and clipped to
     * [0, 255], drawn from the seed and the sample's original index; labels unchanged.
     */
    static ImageSet withPixelNoise(ImageSet iso, double sigma, long seed) {
        ImageSet.Editor e = iso.edit().name(iso.name() + "+pixel-noise");
        for (int i = 0; i < iso.size(); i++) {
            byte[] px = iso.image(i);
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + iso.originalIndex(i));
            for (int k = 0; k < px.length; k++) px[k] = (byte) Math.max(0, Math.min(255, Math.round((px[k] & 0xff) + sigma * r.nextGaussian())));
            e.image(i, px);
        }
        return e.build();
    }

    static ImageSet relabelled(ImageSet iso, int[] labels) {
        ImageSet.Editor e = iso.edit();
        for (int i = 0; i < labels.length; i++) e.label(i, labels[i]);
        return e.build();
    }

    /**
     * Labels drawn uniformly from all classes. Not a permutation of the stored labels: the isolated
     * set is nearly all the target label, so permuting them would change almost nothing.
     */
    static ImageSet withRandomLabels(ImageSet iso, long seed) {
        int[] y = new int[iso.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + iso.originalIndex(i)).nextInt(iso.numClasses());
        }
        return relabelled(iso, y);
    }
}
