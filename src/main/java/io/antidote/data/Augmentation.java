package io.antidote.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The per-sample training augmentation of the reference defenses: random crop from a padded
 * image, horizontal flip, cutout, applied in that order to uint8 HWC pixels in place. The
 * normalisation constants are only carried here; the training engine applies them to tensors.
 *
 * <p>Random draws, in order and only for enabled steps: crop top {@code nextInt(2p+1)}, crop left
 * {@code nextInt(2p+1)}, flip {@code nextDouble() < 0.5}, cutout centre row {@code nextInt(h)},
 * cutout centre column {@code nextInt(w)}. Fixing the order is what makes a run reproducible from
 * its seed.
 *
 * @param cropPadding  pixels added on every side before a random same-size crop; 0 = no crop
 * @param padMode      what the padding holds
 * @param horizontalFlip mirror columns with probability 0.5
 * @param cutoutLength side of the cutout hole (0 = off); the hole spans [centre - L/2, centre + L/2)
 * @param mean         per-channel mean on the [0,1] scale, or null for no normalisation
 * @param std          per-channel standard deviation, or null (exactly when mean is null)
 */
public record Augmentation(int cropPadding, PadMode padMode, boolean horizontalFlip, int cutoutLength, float[] mean,
                           float[] std) {
    /** How the border added for random cropping is filled. */
    public enum PadMode {
        /** Black (value 0). */
        ZERO,
        /** Mirror about the edge pixel, which itself is not repeated: index -1 reads 1. */
        REFLECT
    }

    private static final float[] CIFAR_MEAN = {0.4914f, 0.4822f, 0.4465f};
    private static final float[] CIFAR_STD = {0.2023f, 0.1994f, 0.2010f};

    public Augmentation {
        if (cropPadding < 0) throw Inputs.bad("augmentation", "cropPadding " + cropPadding + " must be >= 0");
        if (cutoutLength < 0) throw Inputs.bad("augmentation", "cutoutLength " + cutoutLength + " must be >= 0");
        Objects.requireNonNull(padMode, "padMode");
        if ((mean == null) != (std == null)) throw Inputs.bad("augmentation", "mean and std must both be given or both be absent");
        if (mean != null) {
            if (mean.length == 0 || mean.length != std.length) {
                throw Inputs.bad("augmentation", "mean has " + mean.length + " values and std " + std.length + "; need one per channel");
            }
            for (float s : std) {
                if (!(s > 0)) throw Inputs.bad("augmentation", "std value " + s + " must be positive");
            }
            mean = mean.clone();
            std = std.clone();
        }
    }

    /** The preset names {@link #preset} takes; experiment files check theirs against it, and the refusal lists it. */
    public static final List<String> NAMES = List.of("none", "crop-flip", "abl-nad", "asd");

    /** Parses a preset name: none, crop-flip, abl-nad (crop+flip+cutout), asd (reflect crop+flip+normalise). */
    public static Augmentation preset(String name) {
        return switch (name) {
            case "none" -> none();
            case "crop-flip" -> cropFlip();
            case "abl-nad", "crop-flip-cutout" -> ablNad();
            case "asd" -> asd();
            default -> throw new io.antidote.BadInputException("augmentation '" + name + "' is not one of " + String.join(", ", NAMES));
        };
    }

    /** No augmentation, no normalisation. */
    public static Augmentation none() {
        return new Augmentation(0, PadMode.ZERO, false, 0, null, null);
    }

    /** ABL and NAD: crop with 4 zero pixels of padding, flip, cutout of length 3 (a 2x2 hole). */
    public static Augmentation ablNad() {
        return new Augmentation(4, PadMode.ZERO, true, 3, null, null);
    }

    /** The common CIFAR recipe: crop with 4 zero pixels of padding, flip. */
    public static Augmentation cropFlip() {
        return new Augmentation(4, PadMode.ZERO, true, 0, null, null);
    }

    /** ASD: crop with 4 reflected pixels of padding, flip, CIFAR-10 normalisation. */
    public static Augmentation asd() {
        return new Augmentation(4, PadMode.REFLECT, true, 0, CIFAR_MEAN, CIFAR_STD);
    }

    @Override
    public float[] mean() { return mean == null ? null : mean.clone(); }

    @Override
    public float[] std() { return std == null ? null : std.clone(); }

    /** Whether the engine should normalise with {@link #mean()} and {@link #std()}. */
    public boolean normalises() { return mean != null; }

    /** Whether apply() leaves every image unchanged and draws nothing. */
    public boolean isIdentity() { return cropPadding == 0 && !horizontalFlip && cutoutLength == 0; }

    /** Augments the h x w x c image stored at hwc[offset..] in place. */
    public void apply(byte[] hwc, int offset, int h, int w, int c, RandomGenerator rng) {
        if (offset < 0 || (long) offset + (long) h * w * c > hwc.length) {
            throw new IllegalArgumentException("image " + h + "x" + w + "x" + c + " at " + offset + " exceeds buffer of " + hwc.length);
        }
        if (cropPadding > 0) crop(hwc, offset, h, w, c, rng);
        if (horizontalFlip && rng.nextDouble() < 0.5) flip(hwc, offset, h, w, c);
        if (cutoutLength > 0) cutout(hwc, offset, h, w, c, rng);
    }

    private void crop(byte[] hwc, int offset, int h, int w, int c, RandomGenerator rng) {
        int p = cropPadding;
        if (padMode == PadMode.REFLECT && (p >= h || p >= w)) {
            throw new IllegalArgumentException("reflect padding " + p + " needs an image larger than " + p + ", got " + h + "x" + w);
        }
        int top = rng.nextInt(2 * p + 1);
        int left = rng.nextInt(2 * p + 1);
        byte[] src = Arrays.copyOfRange(hwc, offset, offset + h * w * c);
        for (int y = 0; y < h; y++) {
            int sy = source(y + top - p, h);
            for (int x = 0; x < w; x++) {
                int sx = source(x + left - p, w);
                int d = offset + (y * w + x) * c;
                if (sy < 0 || sx < 0) {
                    for (int ch = 0; ch < c; ch++) hwc[d + ch] = 0;
                } else {
                    System.arraycopy(src, (sy * w + sx) * c, hwc, d, c);
                }
            }
        }
    }

    /** Source index for a padded-grid index, or -1 where zero padding shows through. */
    private int source(int i, int n) {
        if (i >= 0 && i < n) return i;
        if (padMode == PadMode.ZERO) return -1;
        return i < 0 ? -i : 2 * (n - 1) - i;
    }

    private static void flip(byte[] hwc, int offset, int h, int w, int c) {
        for (int y = 0; y < h; y++) {
            int row = offset + y * w * c;
            for (int a = 0, b = w - 1; a < b; a++, b--) {
                for (int ch = 0; ch < c; ch++) {
                    byte t = hwc[row + a * c + ch];
                    hwc[row + a * c + ch] = hwc[row + b * c + ch];
                    hwc[row + b * c + ch] = t;
                }
            }
        }
    }

    private void cutout(byte[] hwc, int offset, int h, int w, int c, RandomGenerator rng) {
        int cy = rng.nextInt(h);
        int cx = rng.nextInt(w);
        int half = cutoutLength / 2;
        // Exclusive upper bound, as in the reference: an odd length L cuts (L-1) x (L-1).
        int y1 = Math.max(cy - half, 0), y2 = Math.min(cy + half, h);
        int x1 = Math.max(cx - half, 0), x2 = Math.min(cx + half, w);
        for (int y = y1; y < y2; y++) {
            Arrays.fill(hwc, offset + (y * w + x1) * c, offset + (y * w + x2) * c, (byte) 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Augmentation a && a.cropPadding == cropPadding && a.padMode == padMode
                && a.horizontalFlip == horizontalFlip && a.cutoutLength == cutoutLength
                && Arrays.equals(a.mean, mean) && Arrays.equals(a.std, std);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cropPadding, padMode, horizontalFlip, cutoutLength, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    @Override
    public String toString() {
        return "Augmentation[cropPadding=" + cropPadding + ", padMode=" + padMode + ", horizontalFlip=" + horizontalFlip
                + ", cutoutLength=" + cutoutLength + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
