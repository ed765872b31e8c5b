package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.AtomicFiles;
import io.antidote.data.ImageSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PNG sheet for eyeballing triggers: one row per attack, and for each sample image three cells
 * (clean, triggered, |difference| stretched so its largest value is 255), each cell enlarged 4x
 * nearest-neighbour, cells 2 px apart on white.
 */
public final class Preview {
    public static final int SCALE = 4;
    public static final int GAP = 2;
    /** White space between one image's three cells and the next image's, wider than GAP so the threes read as groups. */
    public static final int TRIPLE_GAP = 12;

    private Preview() {}

    /** Writes a rendered sheet beside its target and renames it into place, so a viewer never opens half a PNG. */
    public static void write(Path png, BufferedImage sheet) {
        byte[] bytes = png(sheet);
        try {
            AtomicFiles.write(png, out -> out.write(bytes));
        } catch (IOException e) {
            throw new BadInputException("preview '" + png + "' cannot be written: " + e.getMessage(), e);
        }
    }

    /** The sheet encoded as PNG; every Java runtime has a PNG writer, so its absence is a broken installation. */
    public static byte[] png(BufferedImage sheet) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(sheet, "png", out)) throw new IOException("no PNG writer in this Java runtime");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static BufferedImage render(List<Attack> attacks, ImageSet samples, int[] positions) {
        int h = samples.height(), w = samples.width(), c = samples.channels();
        int cellW = w * SCALE, cellH = h * SCALE;
        int cols = 3 * positions.length, rows = attacks.size();
        BufferedImage sheet = blank(cols * cellW + (cols - 1) * GAP, rows * cellH + (rows - 1) * GAP);
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

    /** A triggered (or poisoned) set and the clean set its images came from, matched by original index. */
    public record Pairs(ImageSet clean, ImageSet triggered) {}

    /**
     * The sheet for a run's report: one row per {@link Pairs} with {@code count} of its triggered images,
     * spread evenly over the set, each as clean original, triggered and difference. An image whose
     * original is missing from the clean set, or is itself flagged poisoned (a data set delivered
     * already poisoned), is left out; a row left empty is dropped. PNG bytes, or null when no row remains.
     */
    public static byte[] pairsPng(List<Pairs> sources, int count) {
        List<List<byte[][]>> rows = new ArrayList<>();
        int h = 0, w = 0, ch = 0;
        for (Pairs p : sources) {
            Map<Integer, Integer> byOriginal = new HashMap<>();
            for (int i = 0; i < p.clean().size(); i++) byOriginal.putIfAbsent(p.clean().originalIndex(i), i);
            List<byte[][]> cells = new ArrayList<>();
            int size = p.triggered().size(), shown = Math.min(count, size);
            for (int k = 0; k < shown; k++) {
                int t = (int) ((long) k * size / shown);
                Integer c = byOriginal.get(p.triggered().originalIndex(t));
                if (c == null || p.clean().poisoned(c)) continue;
                byte[] a = p.clean().image(c), b = p.triggered().image(t);
                cells.add(new byte[][] {a, b, amplifiedDifference(a, b)});
            }
            if (cells.isEmpty()) continue;
            rows.add(cells);
            h = p.clean().height();
            w = p.clean().width();
            ch = p.clean().channels();
        }
        if (rows.isEmpty()) return null;
        int triple = 3 * w * SCALE + 2 * GAP, cellH = h * SCALE;
        int most = rows.stream().mapToInt(List::size).max().orElse(0);
        BufferedImage sheet = blank(most * triple + (most - 1) * TRIPLE_GAP, rows.size() * cellH + (rows.size() - 1) * TRIPLE_GAP);
        for (int r = 0; r < rows.size(); r++) {
            List<byte[][]> cells = rows.get(r);
            for (int s = 0; s < cells.size(); s++) {
                for (int k = 0; k < 3; k++) {
                    draw(sheet, cells.get(s)[k], h, w, ch, s * (triple + TRIPLE_GAP) + k * (w * SCALE + GAP), r * (cellH + TRIPLE_GAP));
                }
            }
        }
        return png(sheet);
    }

    private static BufferedImage blank(int width, int height) {
        BufferedImage sheet = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < sheet.getHeight(); y++) {
            for (int x = 0; x < sheet.getWidth(); x++) sheet.setRGB(x, y, 0xffffff);
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
