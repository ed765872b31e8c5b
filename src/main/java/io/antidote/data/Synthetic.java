package io.antidote.data;

import java.util.SplittableRandom;

/**
 * A built-in, seeded, file-free data set: ten classes of 32×32 RGB shapes and textures with random
 * colour, position, scale, background, a distractor blob and pixel noise. Hard enough that a small
 * network needs a few epochs, easy enough to reach high accuracy; the demo's and the tests' data.
 */
public final class Synthetic {
    public static final String[] CLASSES = {"disc", "square", "triangle", "plus", "ring", "h-stripes", "v-stripes",
            "diagonal", "checker", "dots"};

    /** Size, seed and difficulty: noise std in pixel units and the minimum colour contrast of shape vs background. */
    public record Config(int trainSize, int testSize, long seed, double noise, int minContrast, boolean distractor) {
        public static Config defaults() { return new Config(5000, 1000, 2021, 22.0, 70, true); }
        public Config withSeed(long s) { return new Config(trainSize, testSize, s, noise, minContrast, distractor); }
        public Config withSizes(int train, int test) { return new Config(train, test, seed, noise, minContrast, distractor); }
    }

    private Synthetic() {}

    public static ImageSet train(Config c) { return generate("synthetic-train", c.trainSize(), c.seed(), c); }

    /** Drawn from a seed derived from the train seed, so no image repeats between the splits. */
    public static ImageSet test(Config c) { return generate("synthetic-test", c.testSize(), c.seed() ^ 0x5DEECE66DL, c); }

    private static ImageSet generate(String name, int n, long seed, Config c) {
        byte[] px = new byte[n * 32 * 32 * 3];
        int[] labels = new int[n];
        SplittableRandom root = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            draw(px, i * 3072, labels[i], root.split(), c);
        }
        return ImageSet.of(name, 32, 32, 3, 10, px, labels);
    }

    private static void draw(byte[] px, int off, int cls, SplittableRandom r, Config c) {
        int[] bg = colour(r);
        int[] fg = colour(r);
        while (contrast(bg, fg) < c.minContrast()) fg = colour(r);
        float[] img = new float[3072];
        for (int p = 0; p < 1024; p++) for (int k = 0; k < 3; k++) img[p * 3 + k] = bg[k];
        double cy = 9 + r.nextDouble() * 14, cx = 9 + r.nextDouble() * 14, s = 5 + r.nextDouble() * 4;
        double period = 3 + r.nextInt(3);
        if (c.distractor()) {
            int[] dc = colour(r);
            int dy = r.nextInt(28), dx = r.nextInt(28), h = 2 + r.nextInt(3), w = 2 + r.nextInt(3);
            for (int y = dy; y < dy + h; y++) for (int x = dx; x < dx + w; x++) set(img, y, x, dc);
        }
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double u = y - cy, v = x - cx, d = Math.hypot(u, v);
                boolean in = Math.abs(u) <= s && Math.abs(v) <= s;
                boolean on = switch (cls) {
                    case 0 -> d <= s;
                    case 1 -> in && (Math.abs(u) > s - 2 || Math.abs(v) > s - 2);
                    case 2 -> u <= s && u >= -s && Math.abs(v) <= (u + s) / 2;
                    case 3 -> in && (Math.abs(u) < 1.6 || Math.abs(v) < 1.6);
                    case 4 -> d <= s && d >= s - 2.2;
                    case 5 -> in && Math.floorMod((int) Math.floor(u), (int) period) < period / 2;
                    case 6 -> in && Math.floorMod((int) Math.floor(v), (int) period) < period / 2;
                    case 7 -> in && Math.floorMod((int) Math.floor(u + v), (int) period + 1) < (period + 1) / 2;
                    case 8 -> in && ((Math.floorDiv((int) Math.floor(u), 2) + Math.floorDiv((int) Math.floor(v), 2)) & 1) == 0;
                    default -> in && Math.floorMod((int) Math.floor(u), 4) == 0 && Math.floorMod((int) Math.floor(v), 4) == 0;
                };
                if (on) set(img, y, x, fg);
            }
        }
        for (int p = 0; p < 3072; p++) {
            double v = img[p] + r.nextGaussian() * c.noise();
            px[off + p] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
    }

    private static void set(float[] img, int y, int x, int[] col) {
        if (y < 0 || y >= 32 || x < 0 || x >= 32) return;
        for (int k = 0; k < 3; k++) img[(y * 32 + x) * 3 + k] = col[k];
    }

    private static int[] colour(SplittableRandom r) {
        return new int[]{r.nextInt(256), r.nextInt(256), r.nextInt(256)};
    }

    private static double contrast(int[] a, int[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }
}
