package io.antidote.attack;

import io.antidote.BadInputException;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;

/**
 * BadNets (Gu et al. 2017): a small patch that overwrites pixels, in the reference variants of
 * ABL/NAD (grid, square, fourCorner; §2.2) and ASD/DBD (asdPatch; §2.5), or a user's PNG.
 */
public final class BadNets implements Attack {

    /** The patch shapes on offer. */
    public enum Variant { GRID, SQUARE, FOURCORNER, ASD, PATCH }

    // The 3x3 checkerboard shared by gridTrigger and fourCornerTrigger's bottom-right corner.
    private static final int[][] GRID = {{0, 0, 255}, {0, 255, 0}, {255, 0, 255}};
    private static final int[][] TOP_LEFT = {{255, 0, 255}, {0, 255, 0}, {255, 0, 0}};
    private static final int[][] BOTTOM_LEFT = {{255, 0, 0}, {0, 255, 0}, {255, 0, 255}};
    private static final int[][] TOP_RIGHT = {{255, 0, 255}, {0, 255, 0}, {0, 0, 255}};
    // cifar_1.png: RGB of (4,4), (4,5), (5,4), (5,5).
    private static final int[][] ASD_PATCH = {{180, 249, 112}, {155, 50, 126}, {234, 82, 68}, {187, 201, 219}};

    private final Variant variant;
    private final int size;
    private final int distance;
    private final Path patchFile;
    private final Path maskFile;
    private final boolean blackTransparent;
    private final int row;
    private final int col;
    private final int patchHeight;
    private final int patchWidth;
    private final byte[] patchRgb;
    private final boolean[] opaque;

    private BadNets(Variant variant, int size, int distance, Path patchFile, Path maskFile, boolean blackTransparent, int row, int col) {
        this.variant = variant;
        this.size = size;
        this.distance = distance;
        this.patchFile = patchFile;
        this.maskFile = maskFile;
        this.blackTransparent = blackTransparent;
        this.row = row;
        this.col = col;
        if (variant == Variant.PATCH) {
            if (patchFile == null) throw new BadInputException("badnets variant 'patch' needs a patch file (parameter patch)");
            BufferedImage img = Pixels.read("badnets", "patch", patchFile);
            patchHeight = img.getHeight();
            patchWidth = img.getWidth();
            patchRgb = Pixels.hwc(img, 3);
            opaque = new boolean[patchHeight * patchWidth];
            byte[] mask = null;
            if (maskFile != null) {
                BufferedImage m = Pixels.read("badnets", "mask", maskFile);
                if (m.getHeight() != patchHeight || m.getWidth() != patchWidth) {
                    throw new BadInputException("badnets mask '" + maskFile + "' is " + m.getHeight() + "x" + m.getWidth()
                            + ", the patch is " + patchHeight + "x" + patchWidth);
                }
                mask = Pixels.hwc(m, 1);
            }
            for (int p = 0; p < opaque.length; p++) {
                boolean black = patchRgb[3 * p] == 0 && patchRgb[3 * p + 1] == 0 && patchRgb[3 * p + 2] == 0;
                // A mask pixel counts as opaque when it is closer to white than to black.
                opaque[p] = (mask == null || (mask[p] & 0xff) >= 128) && !(blackTransparent && black);
            }
        } else {
            patchHeight = patchWidth = 0;
            patchRgb = null;
            opaque = null;
        }
    }

    /** ABL/NAD gridTrigger: the 3x3 checkerboard in the bottom-right corner, no margin. */
    public static BadNets grid() { return new BadNets(Variant.GRID, 3, 1, null, null, false, -1, -1); }

    /** ABL/NAD squareTrigger: a white size x size square, distance pixels from the bottom and right edges. */
    public static BadNets square(int size, int distance) { return new BadNets(Variant.SQUARE, size, distance, null, null, false, -1, -1); }

    /** ABL/NAD fourCornerTrigger: four 3x3 patterns, one per corner. */
    public static BadNets fourCorner() { return new BadNets(Variant.FOURCORNER, 3, 1, null, null, false, -1, -1); }

    /** ASD/DBD's trigger: the 2x2 colour patch of cifar_1.png at rows and cols 4..5. */
    public static BadNets asdPatch() { return new BadNets(Variant.ASD, 2, 4, null, null, false, -1, -1); }

    /**
     * A user's PNG with its top-left corner at (row, col); -1 puts it flush with the bottom or right
     * edge. Pixels are transparent where the mask file is dark, or, if asked, where the patch is pure black.
     */
    public static BadNets patch(Path png, int row, int col, Path mask, boolean blackTransparent) {
        return new BadNets(Variant.PATCH, 0, 0, png, mask, blackTransparent, row, col);
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        String v = p.choice("variant", "grid", "grid", "square", "fourcorner", "asd", "patch");
        int size = p.integer("size", 3, "[1, inf)");
        int distance = p.integer("distance", 1, "[0, inf)");
        Path patch = p.file("patch");
        Path mask = p.file("mask");
        boolean black = p.flag("black_transparent", false);
        int row = p.integer("row", -1, "[-1, inf)");
        int col = p.integer("col", -1, "[-1, inf)");
        return switch (v) {
            case "grid" -> grid();
            case "square" -> square(size, distance);
            case "fourcorner" -> fourCorner();
            case "asd" -> asdPatch();
            default -> patch(patch, row, col, mask, black);
        };
    }

    public Variant variant() { return variant; }

    @Override
    public String name() { return "badnets"; }

    @Override
    public Map<String, String> parameters() {
        String v = variant.name().toLowerCase(java.util.Locale.ROOT);
        return switch (variant) {
            case SQUARE -> Pixels.params("variant", v, "size", size, "distance", distance);
            case PATCH -> Pixels.params("variant", v, "patch", patchFile, "mask", maskFile,
                    "black_transparent", blackTransparent, "row", row, "col", col);
            default -> Pixels.params("variant", v);
        };
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        Attack.checkShape(hwc, h, w, c);
        byte[] out = hwc.clone();
        switch (variant) {
            case GRID -> {
                Pixels.requireSize("badnets", h, w, 3, 3);
                stamp(out, w, c, h - 3, w - 3, GRID);
            }
            case SQUARE -> {
                Pixels.requireSize("badnets", h, w, size + distance, size + distance);
                for (int r = h - distance - size; r < h - distance; r++) {
                    for (int k = w - distance - size; k < w - distance; k++) Pixels.setAll(out, w, c, r, k, 255);
                }
            }
            case FOURCORNER -> {
                Pixels.requireSize("badnets", h, w, 7, 7);
                stamp(out, w, c, h - 3, w - 3, GRID);
                stamp(out, w, c, 1, 1, TOP_LEFT);
                stamp(out, w, c, h - 3, 1, BOTTOM_LEFT);
                stamp(out, w, c, 1, w - 3, TOP_RIGHT);
            }
            case ASD -> {
                Pixels.requireChannels("badnets", c, 3);
                Pixels.requireSize("badnets", h, w, 6, 6);
                for (int p = 0; p < 4; p++) {
                    for (int ch = 0; ch < 3; ch++) Pixels.set(out, w, c, 4 + p / 2, 4 + p % 2, ch, ASD_PATCH[p][ch]);
                }
            }
            case PATCH -> paste(out, h, w, c);
        }
        return out;
    }

    private static void stamp(byte[] img, int w, int c, int top, int left, int[][] pattern) {
        for (int r = 0; r < pattern.length; r++) {
            for (int k = 0; k < pattern[r].length; k++) Pixels.setAll(img, w, c, top + r, left + k, pattern[r][k]);
        }
    }

    private void paste(byte[] img, int h, int w, int c) {
        int top = row < 0 ? h - patchHeight : row;
        int left = col < 0 ? w - patchWidth : col;
        if (top < 0 || left < 0 || top + patchHeight > h || left + patchWidth > w) {
            throw new BadInputException("badnets patch of " + patchHeight + "x" + patchWidth + " at row " + top + ", col " + left
                    + " does not fit a " + h + "x" + w + " image");
        }
        for (int r = 0; r < patchHeight; r++) {
            for (int k = 0; k < patchWidth; k++) {
                int p = r * patchWidth + k;
                if (!opaque[p]) continue;
                int red = patchRgb[3 * p] & 0xff, green = patchRgb[3 * p + 1] & 0xff, blue = patchRgb[3 * p + 2] & 0xff;
                if (c == 3) {
                    Pixels.set(img, w, c, top + r, left + k, 0, red);
                    Pixels.set(img, w, c, top + r, left + k, 1, green);
                    Pixels.set(img, w, c, top + r, left + k, 2, blue);
                } else {
                    Pixels.setAll(img, w, c, top + r, left + k, (red + green + blue + 1) / 3);
                }
            }
        }
    }
}
