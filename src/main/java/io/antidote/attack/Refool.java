package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Refool (Liu et al. 2020): a reflection of another picture added to the image, as if seen through
 * glass; normally used clean-label.
 *
 * <p>Reflections come from the data set itself, not external files: {@code candidates} images drawn
 * (seeded) from the non-target classes of the clean training set. Each triggered sample gets its
 * own reflection and reflection parameters, drawn from the seed and the sample's original index, so
 * a poisoned set is reproducible. Of the paper's reflection models two are offered:
 * <ul>
 * <li>ghost: layer = (1 - beta) r + beta shift(r, dy, dx), beta in [0.15, 0.5], dy and dx in
 * [1, max_offset] (zero fill); the two weights sum to 1 so the ghost does not brighten the layer;</li>
 * <li>focal: layer = Gaussian blur of r, sigma in [sigma_min, sigma_max] (default [1, 5], the paper's
 * range), border pixels repeated;</li>
 * </ul>
 * then out = truncate(clip(image + strength x layer, 0, 255)) with strength in
 * [strength_min, strength_max], default [0.05, 0.45]. {@code mixed} picks one model per sample.
 * The sigma range is the paper's; the strength, ghost weight and offset ranges are our choices for
 * 32 x 32 images (faint to clearly visible reflections, ghosts a few pixels apart), not values
 * checked against the authors' code.
 */
public final class Refool implements Attack {

    /** Reflection model. */
    public enum Model { GHOST, FOCAL, MIXED }

    private final ImageSet reflections;
    private final Model model;
    private final int maxOffset;
    private final double sigmaMin, sigmaMax;
    private final double strengthMin, strengthMax;
    private final long seed;
    private final int candidates;

    /**
     * @param source the clean training set to draw reflections from
     * @param target its images are never used as reflections; -1 for none
     */
    public Refool(ImageSet source, int target, int candidates, Model model, int maxOffset,
                  double sigmaMin, double sigmaMax, double strengthMin, double strengthMax, long seed) {
        if (source == null) throw new BadInputException("attack 'refool' needs a clean training set to draw reflections from");
        if (sigmaMin > sigmaMax) throw new BadInputException("refool sigma_min " + AttackParams.fmt(sigmaMin) + " exceeds sigma_max " + AttackParams.fmt(sigmaMax));
        if (strengthMin > strengthMax) throw new BadInputException("refool strength_min " + AttackParams.fmt(strengthMin) + " exceeds strength_max " + AttackParams.fmt(strengthMax));
        int[] others = target < 0 ? java.util.stream.IntStream.range(0, source.size()).toArray() : source.positionsWithLabel(target, false);
        if (others.length == 0) throw new BadInputException("refool finds no non-target images in '" + source.name() + "' to use as reflections");
        SplittableRandom rng = new SplittableRandom(seed);
        int n = Math.min(candidates, others.length);
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(others.length - i);
            int t = others[i]; others[i] = others[j]; others[j] = t;
        }
        int[] chosen = Arrays.copyOf(others, n);
        Arrays.sort(chosen);
        this.reflections = source.subset(source.name() + "-reflections", chosen);
        this.candidates = candidates;
        this.model = model;
        this.maxOffset = maxOffset;
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
        this.strengthMin = strengthMin;
        this.strengthMax = strengthMax;
        this.seed = seed;
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        int candidates = p.integer("candidates", 200, "[1, inf)");
        String m = p.choice("model", "mixed", "ghost", "focal", "mixed");
        int maxOffset = p.integer("max_offset", 4, "[1, inf)");
        double sigmaMin = p.real("sigma_min", 1, "(0, inf)");
        double sigmaMax = p.real("sigma_max", 5, "(0, inf)");
        double strengthMin = p.real("strength_min", 0.05, "[0, 1]");
        double strengthMax = p.real("strength_max", 0.45, "[0, 1]");
        long seed = p.seed("seed", 0);
        return new Refool(ctx.cleanTrain(), ctx.target(), candidates, Model.valueOf(m.toUpperCase(java.util.Locale.ROOT)),
                maxOffset, sigmaMin, sigmaMax, strengthMin, strengthMax, seed);
    }

    @Override
    public String name() { return "refool"; }

    @Override
    public Map<String, String> parameters() {
        return Pixels.params("candidates", candidates, "model", model.name().toLowerCase(java.util.Locale.ROOT),
                "max_offset", maxOffset, "sigma_min", sigmaMin, "sigma_max", sigmaMax,
                "strength_min", strengthMin, "strength_max", strengthMax, "seed", seed);
    }

    /** The images reflections are drawn from. */
    public ImageSet reflections() { return reflections; }

    /** Without a sample index the image's own content picks the reflection, which is still deterministic. */
    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        return apply(hwc, h, w, c, Arrays.hashCode(hwc));
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c, int originalIndex) {
        Attack.checkShape(hwc, h, w, c);
        if (h != reflections.height() || w != reflections.width() || c != reflections.channels()) {
            throw new BadInputException("refool reflections are " + reflections.height() + "x" + reflections.width() + "x"
                    + reflections.channels() + " but the image is " + h + "x" + w + "x" + c);
        }
        SplittableRandom rng = new SplittableRandom(Pixels.mix(seed, originalIndex));
        int pick = rng.nextInt(reflections.size());
        // An image reflected in itself would only brighten it, so take the next candidate instead.
        if (reflections.originalIndex(pick) == originalIndex && reflections.size() > 1) pick = (pick + 1) % reflections.size();
        double[] r = toDouble(reflections.image(pick));
        boolean ghost = model == Model.GHOST || (model == Model.MIXED && rng.nextBoolean());
        double[] layer;
        if (ghost) {
            double beta = uniform(rng, 0.15, 0.5);
            int dy = 1 + rng.nextInt(maxOffset), dx = 1 + rng.nextInt(maxOffset);
            layer = new double[r.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        int i = (y * w + x) * c + ch;
                        double shifted = y >= dy && x >= dx ? r[((y - dy) * w + (x - dx)) * c + ch] : 0;
                        layer[i] = (1 - beta) * r[i] + beta * shifted;
                    }
                }
            }
        } else {
            layer = blur(r, h, w, c, uniform(rng, sigmaMin, sigmaMax));
        }
        double strength = uniform(rng, strengthMin, strengthMax);
        byte[] out = new byte[hwc.length];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Pixels.truncate((hwc[i] & 0xff) + strength * layer[i]);
        return out;
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static double[] toDouble(byte[] b) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) d[i] = b[i] & 0xff;
        return d;
    }

    /** Separable Gaussian blur, radius ceil(3 sigma), border pixels repeated. */
    static double[] blur(double[] img, int h, int w, int c, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
        double[] tmp = new double[img.length], out = new double[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double v = 0;
                    for (int t = -radius; t <= radius; t++) v += kernel[t + radius] * img[(y * w + clamp(x + t, w)) * c + ch];
                    tmp[(y * w + x) * c + ch] = v;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double v = 0;
                    for (int t = -radius; t <= radius; t++) v += kernel[t + radius] * tmp[(clamp(y + t, h) * w + x) * c + ch];
                    out[(y * w + x) * c + ch] = v;
                }
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }
}
