package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A PNG sheet for eyeballing triggers: one row per attack, and for each sample image three cells
 * (clean, triggered, |difference| stretched so its largest value is 255), each cell enlarged 4x
 * nearest-neighbour, cells 2 px apart on white.
 */
public final class Preview {
    public static final int SCALE = 4;
    public static final int GAP = 2;

    private Preview() {}

    public static void write(Path png, List<Attack> attacks, ImageSet samples, int[] positions) {
        BufferedImage sheet = render(attacks, samples, positions);
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(sheet, "png", png.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new BadInputException("preview '" + png + "' cannot be written: " + e.getMessage(), e);
        }
    }

    public static BufferedImage render(List<Attack> attacks, ImageSet samples, int[] positions) {
        int h = samples.height(), w = samples.width(), c = samples.channels();
        int cellW = w * SCALE, cellH = h * SCALE;
        int cols = 3 * positions.length, rows = attacks.size();
        int sheetW = Math.max(1, cols * cellW + (cols - 1) * GAP);
        int sheetH = Math.max(1, rows * cellH + (rows - 1) * GAP);
        BufferedImage sheet = new BufferedImage(sheetW, sheetH, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < sheetH; y++) {
            for (int x = 0; x < sheetW; x++) sheet.setRGB(x, y, 0xffffff);
        }
        for (int a = 0; a < rows; a++) {
            for (int s = 0; s < positions.length; s++) {
                int i = positions[s];
                byte[] clean = samples.image(i);
                byte[] trig = attacks.get(a).apply(clean, h, w, c, samples.originalIndex(i));
                byte[][] cells = {clean, trig, amplifiedDifference(clean, trig)};
                for (int k = 0; k < 3; k++) {
                    draw(sheet, cells[k], h, w, c, (3 * s + k) * (cellW + GAP), a * (cellH + GAP));
                }
            }
        }
        return sheet;
    }

    /** |b - a| per entry, scaled so the largest becomes 255; all zero when the images are equal. */
    static byte[] amplifiedDifference(byte[] a, byte[] b) {
        int max = 0;
        int[] d = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
            max = Math.max(max, d[i]);
        }
        byte[] out = new byte[a.length];
        if (max == 0) return out;
        for (int i = 0; i < a.length; i++) out[i] = (byte) Math.round(d[i] * 255.0 / max);
        return out;
    }

    private static void draw(BufferedImage sheet, byte[] img, int h, int w, int c, int left, int top) {
        for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
                int base = (r * w + col) * c;
                int red = img[base] & 0xff;
                int green = c >= 3 ? img[base + 1] & 0xff : red;
                int blue = c >= 3 ? img[base + 2] & 0xff : red;
                int rgb = (red << 16) | (green << 8) | blue;
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) sheet.setRGB(left + col * SCALE + dx, top + r * SCALE + dy, rgb);
                }
            }
        }
    }
}
