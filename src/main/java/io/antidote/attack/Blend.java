package io.antidote.attack;

import io.antidote.BadInputException;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blend (Chen et al. 2017): out = (1 - alpha) x image + alpha x pattern, the pattern being seeded
 * uniform noise or a user's image resized to the data's size.
 *
 * <p>The result is truncated to uint8, as the reference's randomPixelTrigger (§2.2) and DBD's
 * blend (§2.6) do. The noise holds one value per pixel shared by all channels, like ABL's
 * blend mask file. With {@code per_image} the noise is drawn afresh for every sample (from the
 * seed and the sample's index), which is randomPixelTrigger's behaviour with our own generator.
 */
public final class Blend implements Attack {
    private final double alpha;
    private final long seed;
    private final boolean perImage;
    private final Path patternFile;
    private final BufferedImage patternImage;
    private final Map<String, byte[]> patterns = new ConcurrentHashMap<>();

    /** Seeded uniform noise as the pattern. */
    public Blend(double alpha, long seed, boolean perImage) {
        this(alpha, seed, perImage, null);
    }

    /** A user's image, resized bilinearly to each data set's size, as the pattern; null for noise. */
    public Blend(double alpha, long seed, boolean perImage, Path patternFile) {
        if (perImage && patternFile != null) {
            throw new BadInputException("blend per_image noise and pattern file '" + patternFile + "' exclude each other");
        }
        this.alpha = alpha;
        this.seed = seed;
        this.perImage = perImage;
        this.patternFile = patternFile;
        this.patternImage = patternFile == null ? null : Pixels.read("blend", "pattern", patternFile);
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        double alpha = p.real("alpha", 0.2, "(0, 1]");
        long seed = p.seed("seed", 0);
        boolean perImage = p.flag("per_image", false);
        Path file = p.file("pattern");
        return new Blend(alpha, seed, perImage, file);
    }

    @Override
    public String name() { return "blend"; }

    @Override
    public Map<String, String> parameters() {
        return Pixels.params("alpha", alpha, "seed", seed, "per_image", perImage, "pattern", patternFile);
    }

    /** The pattern blended into images of this shape (HWC copy). */
    public byte[] pattern(int h, int w, int c) {
        return fixedPattern(h, w, c).clone();
    }

    private byte[] fixedPattern(int h, int w, int c) {
        return patterns.computeIfAbsent(h + "x" + w + "x" + c,
                k -> patternImage == null ? noise(h, w, c, seed) : resizeBilinear(Pixels.hwc(patternImage, c),
                        patternImage.getHeight(), patternImage.getWidth(), c, h, w));
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        Attack.checkShape(hwc, h, w, c);
        return blend(hwc, fixedPattern(h, w, c));
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c, int originalIndex) {
        if (!perImage) return apply(hwc, h, w, c);
        Attack.checkShape(hwc, h, w, c);
        return blend(hwc, noise(h, w, c, Pixels.mix(seed, originalIndex)));
    }

    private byte[] blend(byte[] img, byte[] pattern) {
        byte[] out = new byte[img.length];
        double keep = 1 - alpha;
        for (int i = 0; i < img.length; i++) {
            out[i] = (byte) Pixels.truncate(keep * (img[i] & 0xff) + alpha * (pattern[i] & 0xff));
        }
        return out;
    }

    private static byte[] noise(int h, int w, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] out = new byte[h * w * c];
        for (int p = 0; p < h * w; p++) {
            byte v = (byte) rng.nextInt(256);
            for (int ch = 0; ch < c; ch++) out[p * c + ch] = v;
        }
        return out;
    }

    /**
     * Bilinear resampling with pixel centres at half-integers (the convention of PIL and OpenCV) and
     * edge pixels repeated; no antialiasing, so large downscales alias. Rounded to nearest.
     */
    static byte[] resizeBilinear(byte[] src, int sh, int sw, int c, int h, int w) {
        byte[] out = new byte[h * w * c];
        for (int r = 0; r < h; r++) {
            double y = Math.min(Math.max((r + 0.5) * sh / h - 0.5, 0), sh - 1);
            int y0 = (int) Math.floor(y), y1 = Math.min(y0 + 1, sh - 1);
            double fy = y - y0;
            for (int k = 0; k < w; k++) {
                double x = Math.min(Math.max((k + 0.5) * sw / w - 0.5, 0), sw - 1);
                int x0 = (int) Math.floor(x), x1 = Math.min(x0 + 1, sw - 1);
                double fx = x - x0;
                for (int ch = 0; ch < c; ch++) {
                    double top = (1 - fx) * Pixels.at(src, sw, c, y0, x0, ch) + fx * Pixels.at(src, sw, c, y0, x1, ch);
                    double bottom = (1 - fx) * Pixels.at(src, sw, c, y1, x0, ch) + fx * Pixels.at(src, sw, c, y1, x1, ch);
                    out[(r * w + k) * c + ch] = (byte) Pixels.round((1 - fy) * top + fy * bottom);
                }
            }
        }
        return out;
    }
}
