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
 * The ABL authors' ablation of the unlearning step: gradient ascent on the isolated set beside
 * other ways to make a model forget it, each under one name.
 *
 * <p>Three kinds of treatment. {@code ascent} is ABL's own unlearning (pure, or balanced with clean
 * partners) and is what every preset uses. The isolated-set treatments replace the ascent epochs
 * one for one (same epochs, learning rate and stop rule) but descend, on the isolated examples
 * alone, after changing their pixels, labels or updates. The stage replacements ignore the
 * isolated set: they train on the rest of the data (D̂c) instead of unlearning.
 */
public final class UnlearningAblation {
    /** What happens in the unlearning stage. */
    public enum Kind { ASCENT, ISOLATED_DESCENT, CLEAN_ONLY }

    /**
     * One treatment. For ISOLATED_DESCENT, {@link #isolated} gives the epoch's training set and
     * {@link #objective} its loss; {@link #parameterNoise} is the std of the noise added to the
     * weights after every step, as a multiple of the learning rate.
     */
    public interface Treatment {
        Kind kind();

        default ImageSet isolated(ImageSet iso, Model model, long seed) { return iso; }

        default Objective objective() { return Objective.crossEntropy(); }

        default double parameterNoise() { return 0; }
    }

    /** Pixel noise std in grey levels: 8/255 of the range. */
    public static final double PIXEL_SIGMA = 8.0;
    /** Gradient noise std in gradient units (per unit of learning rate): well above a batch gradient's typical entry, so the noise is felt. */
    public static final double GRADIENT_SIGMA = 0.1;
    /** Label smoothing of the `label-smoothing` treatment. */
    public static final double SMOOTHING = 0.5;

    private static final Map<String, Treatment> REGISTRY = new LinkedHashMap<>();

    static {
        register("ascent", () -> Kind.ASCENT);
        register("pixel-noise", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public ImageSet isolated(ImageSet iso, Model m, long seed) { return withPixelNoise(iso, PIXEL_SIGMA, seed); }
        });
        register("gradient-noise", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public double parameterNoise() { return GRADIENT_SIGMA; }
        });
        register("label-shuffle", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public ImageSet isolated(ImageSet iso, Model m, long seed) { return withRandomLabels(iso, seed); }
        });
        register("label-uniform", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public Objective objective() { return new Objective.SmoothedCrossEntropy(1.0); }
        });
        register("label-smoothing", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public Objective objective() { return new Objective.SmoothedCrossEntropy(SMOOTHING); }
        });
        register("self-learning", new Treatment() {
            public Kind kind() { return Kind.ISOLATED_DESCENT; }
            public ImageSet isolated(ImageSet iso, Model m, long seed) { return relabelled(iso, Inference.predict(m, iso, 512).predicted()); }
        });
        register("finetune-all", () -> Kind.CLEAN_ONLY);
        register("finetune-last", () -> Kind.CLEAN_ONLY);
        register("retrain", () -> Kind.CLEAN_ONLY);
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
