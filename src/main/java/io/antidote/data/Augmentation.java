package io.antidote.data;

import java.util.random.RandomGenerator;

/**
 * Per-sample training augmentation as in the references: random crop from a 4-pixel zero- or
 * reflect-padded image, horizontal flip, Cutout; mean/std are carried for the engine to apply.
 */
public record Augmentation(int cropPadding, PadMode padMode, boolean horizontalFlip, int cutoutLength, float[] mean, float[] std) {
    /** How the crop pads the border: zeros (torchvision's default) or mirror without repeating the edge. */
    public enum PadMode { ZERO, REFLECT }

    public static Augmentation none() { return new Augmentation(0, PadMode.ZERO, false, 0, null, null); }
    public static Augmentation cropFlip() { return new Augmentation(4, PadMode.ZERO, true, 0, null, null); }
    public static Augmentation ablNad() { return new Augmentation(4, PadMode.ZERO, true, 3, null, null); }
    public static Augmentation asd() {
        return new Augmentation(4, PadMode.REFLECT, true, 0, new float[]{0.4914f, 0.4822f, 0.4465f}, new float[]{0.2023f, 0.1994f, 0.2010f});
    }

    /** Parses a preset name: none, crop-flip, abl-nad (crop+flip+cutout), asd (reflect crop+flip+normalise). */
    public static Augmentation preset(String name) {
        return switch (name) {
            case "none" -> none();
            case "crop-flip" -> cropFlip();
            case "abl-nad", "crop-flip-cutout" -> ablNad();
            case "asd" -> asd();
            default -> throw new io.antidote.BadInputException("augmentation '" + name + "' is not one of none, crop-flip, abl-nad, asd");
        };
    }

    public boolean isIdentity() {
        return cropPadding == 0 && !horizontalFlip && cutoutLength == 0;
    }

    /** Augments one HWC image in place; draws crop offsets, then the flip, then the Cutout centre. */
    public void apply(byte[] img, int offset, int h, int w, int c, RandomGenerator rng) {
        if (cropPadding > 0) {
            int span = 2 * cropPadding + 1;
            int top = rng.nextInt(span) - cropPadding;
            int left = rng.nextInt(span) - cropPadding;
            crop(img, offset, h, w, c, top, left);
        }
        if (horizontalFlip && rng.nextDouble() < 0.5) {
            for (int r = 0; r < h; r++) {
                for (int x = 0; x < w / 2; x++) {
                    int a = offset + (r * w + x) * c, b = offset + (r * w + (w - 1 - x)) * c;
                    for (int k = 0; k < c; k++) {
                        byte t = img[a + k];
                        img[a + k] = img[b + k];
                        img[b + k] = t;
                    }
                }
            }
        }
        if (cutoutLength > 0) {
            int y = rng.nextInt(h), x = rng.nextInt(w), half = cutoutLength / 2;
            // exclusive upper bound as in the reference: length 3 zeroes a 2x2 block
            for (int r = Math.max(y - half, 0); r < Math.min(y + half, h); r++) {
                for (int q = Math.max(x - half, 0); q < Math.min(x + half, w); q++) {
                    for (int k = 0; k < c; k++) img[offset + (r * w + q) * c + k] = 0;
                }
            }
        }
    }

    /** Window whose top-left corner sits at (dy, dx) relative to the unpadded image. */
    private void crop(byte[] img, int offset, int h, int w, int c, int dy, int dx) {
        if (dy == 0 && dx == 0) return;
        byte[] src = java.util.Arrays.copyOfRange(img, offset, offset + h * w * c);
        for (int r = 0; r < h; r++) {
            int sr = r + dy;
            for (int q = 0; q < w; q++) {
                int sq = q + dx;
                int dst = offset + (r * w + q) * c;
                if (padMode == PadMode.REFLECT) {
                    int rr = reflect(sr, h), qq = reflect(sq, w);
                    System.arraycopy(src, (rr * w + qq) * c, img, dst, c);
                } else if (sr < 0 || sr >= h || sq < 0 || sq >= w) {
                    for (int k = 0; k < c; k++) img[dst + k] = 0;
                } else {
                    System.arraycopy(src, (sr * w + sq) * c, img, dst, c);
                }
            }
        }
    }

    private static int reflect(int i, int n) {
        if (i < 0) return -i;
        if (i >= n) return 2 * (n - 1) - i;
        return i;
    }
}
