package io.antidote.data;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * A built-in data set of 32x32 RGB images in 10 classes of shapes and textures, generated from a
 * seed, so experiments and tests run without downloads. Colours, position, size, rotation,
 * background and noise are random and carry no class information; only the shape does.
 *
 * <p>Difficulty comes from noise, low colour contrast, small or edge-clipped shapes and distractor
 * line segments. The defaults aim at a small CNN (WRN-16-1) reaching roughly 85–95% test
 * accuracy within a few epochs; that target was set by design, not measured here, so tune the
 * knobs in {@link Config} if a run shows otherwise. Shapes are placed anywhere, so no class is
 * systematically empty (or full) in any corner, including the bottom-right where triggers go.
 */
public final class Synthetic {
    /** Side of the square images. */
    public static final int SIZE = 32;
    /** Class names in label order. */
    public static final List<String> CLASS_NAMES = List.of("disc", "square-outline", "triangle", "cross", "ring",
            "horizontal-stripes", "vertical-stripes", "diagonal-stripes", "checkerboard", "dots");
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;

    private static final long TEST_STREAM = 0x7E57_5E7L;
    private static final long LABEL_STREAM = -1;

    private Synthetic() {}

    /**
     * Sizes, seed and difficulty.
     *
     * @param noise       standard deviation of per-pixel Gaussian noise as a fraction of 255, in [0,1]
     * @param distractors largest number of random line segments drawn behind the shape, in [0,20]
     * @param minContrast smallest mean absolute channel difference between shape and background
     *                    colours, as a fraction of 255, in [0,0.5]; lower lets colours overlap more
     */
    public record Config(int trainSize, int testSize, long seed, double noise, int distractors, double minContrast) {
        public Config {
            if (trainSize < 0) throw Inputs.bad("synthetic", "trainSize " + trainSize + " must be >= 0");
            if (testSize < 0) throw Inputs.bad("synthetic", "testSize " + testSize + " must be >= 0");
            if (!(noise >= 0 && noise <= 1)) throw Inputs.bad("synthetic", "noise " + noise + " is outside [0,1]");
            if (distractors < 0 || distractors > 20) throw Inputs.bad("synthetic", "distractors " + distractors + " is outside [0,20]");
            if (!(minContrast >= 0 && minContrast <= 0.5)) {
                throw Inputs.bad("synthetic", "minContrast " + minContrast + " is outside [0,0.5]");
            }
        }

        /** Default difficulty with the given sizes and seed. */
        public Config(int trainSize, int testSize, long seed) {
            this(trainSize, testSize, seed, 0.06, 1, 0.15);
        }

        public Config withSeed(long s) { return new Config(trainSize, testSize, s, noise, distractors, minContrast); }

        public Config withSizes(int train, int test) { return new Config(train, test, seed, noise, distractors, minContrast); }

        /** 5000 training and 1000 test images, seed 0, default difficulty. */
        public static Config defaults() {
            return new Config(5000, 1000, 0);
        }
    }

    /** The training split. */
    public static ImageSet train(Config c) {
        return generate("synthetic-train", c.trainSize(), c.seed(), c);
    }

    /** The test split, drawn from a stream derived from the seed so it shares no images with train. */
    public static ImageSet test(Config c) {
        return generate("synthetic-test", c.testSize(), Seeds.derive(c.seed(), TEST_STREAM), c);
    }

    private static ImageSet generate(String name, int n, long seed, Config c) {
        // Balanced: each class n/10 times (the first n%10 classes once more), in a seeded order.
        int[] perm = BatchLoader.shuffledOrder(n, Seeds.derive(seed, LABEL_STREAM));
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = perm[i] % NUM_CLASSES;
        byte[] pixels = new byte[Math.multiplyExact(n, SIZE * SIZE * 3)];
        // One generator per image: the result does not depend on how the work is split over threads.
        IntStream.range(0, n).parallel().forEach(i ->
                render(labels[i], new SplittableRandom(Seeds.derive(seed, i)), c, pixels, i * SIZE * SIZE * 3));
        return ImageSet.of(name, SIZE, SIZE, 3, NUM_CLASSES, pixels, labels);
    }

    private static void render(int cls, RandomGenerator rng, Config c, byte[] out, int offset) {
        int[] bg = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
        int[] fg = new int[3];
        do {
            for (int ch = 0; ch < 3; ch++) fg[ch] = rng.nextInt(256);
        } while ((Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2])) / (3 * 255.0) < c.minContrast());

        float[] base = new float[SIZE * SIZE * 3];
        for (int p = 0; p < SIZE * SIZE; p++) {
            for (int ch = 0; ch < 3; ch++) base[p * 3 + ch] = bg[ch];
        }
        int count = c.distractors() == 0 ? 0 : rng.nextInt(c.distractors() + 1);
        for (int d = 0; d < count; d++) {
            boolean[] seg = segment(rng);
            int[] col = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            paint(base, seg, col);
        }
        paint(base, shape(cls, rng), fg);

        double sigma = c.noise() * 255;
        for (int k = 0; k < base.length; k++) {
            double v = base[k] + (sigma > 0 ? sigma * rng.nextGaussian() : 0);
            out[offset + k] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
    }

    private static void paint(float[] base, boolean[] mask, int[] col) {
        for (int p = 0; p < mask.length; p++) {
            if (mask[p]) {
                base[p * 3] = col[0];
                base[p * 3 + 1] = col[1];
                base[p * 3 + 2] = col[2];
            }
        }
    }

    /** A thin line segment anywhere in the image. */
    private static boolean[] segment(RandomGenerator rng) {
        double cx = rng.nextDouble(0, SIZE), cy = rng.nextDouble(0, SIZE);
        double half = rng.nextDouble(2, 4.5);
        double a = rng.nextDouble(0, Math.PI);
        double ux = Math.cos(a), uy = Math.sin(a);
        boolean[] m = new boolean[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                double along = dx * ux + dy * uy;
                double across = -dx * uy + dy * ux;
                m[y * SIZE + x] = Math.abs(along) <= half && Math.abs(across) <= 0.7;
            }
        }
        return m;
    }

    /**
     * The pixels covered by one random instance of the class. Centres range over [4,28] on both
     * axes, so shapes reach and are clipped by every border equally often.
     */
    static boolean[] shape(int cls, RandomGenerator rng) {
        double cx = rng.nextDouble(4, 28), cy = rng.nextDouble(4, 28);
        boolean[] m = new boolean[SIZE * SIZE];
        switch (cls) {
            case 0 -> { // filled disc
                double r = rng.nextDouble(4, 10);
                fill(m, cx, cy, (dx, dy) -> dx * dx + dy * dy <= r * r);
            }
            case 1 -> { // square outline, any rotation
                double r = rng.nextDouble(5, 11), t = rng.nextDouble(1.5, 3), a = rng.nextDouble(0, Math.PI / 2);
                double cos = Math.cos(a), sin = Math.sin(a);
                fill(m, cx, cy, (dx, dy) -> {
                    double u = Math.abs(dx * cos + dy * sin), v = Math.abs(-dx * sin + dy * cos);
                    double e = Math.max(u, v);
                    return e <= r && e > r - t;
                });
            }
            case 2 -> { // filled equilateral triangle: three half-planes at the inradius (half the circumradius)
                double r = rng.nextDouble(5, 11), a = rng.nextDouble(0, 2 * Math.PI);
                double[] nx = new double[3], ny = new double[3];
                for (int k = 0; k < 3; k++) {
                    nx[k] = Math.cos(a + k * 2 * Math.PI / 3);
                    ny[k] = Math.sin(a + k * 2 * Math.PI / 3);
                }
                fill(m, cx, cy, (dx, dy) -> dx * nx[0] + dy * ny[0] <= r / 2 && dx * nx[1] + dy * ny[1] <= r / 2
                        && dx * nx[2] + dy * ny[2] <= r / 2);
            }
            case 3 -> { // plus / cross, any rotation
                double r = rng.nextDouble(5, 11), t = rng.nextDouble(2, 4), a = rng.nextDouble(0, Math.PI / 2);
                double cos = Math.cos(a), sin = Math.sin(a);
                fill(m, cx, cy, (dx, dy) -> {
                    double u = Math.abs(dx * cos + dy * sin), v = Math.abs(-dx * sin + dy * cos);
                    return (u <= t / 2 && v <= r) || (v <= t / 2 && u <= r);
                });
            }
            case 4 -> { // ring with a hole of radius at least 2
                double r = rng.nextDouble(5, 11), t = rng.nextDouble(1.5, Math.min(3.5, r - 2));
                fill(m, cx, cy, (dx, dy) -> {
                    double d2 = dx * dx + dy * dy;
                    return d2 <= r * r && d2 > (r - t) * (r - t);
                });
            }
            case 5, 6, 7 -> { // stripes in a rectangular patch; the class fixes the orientation (±10°)
                double centre = switch (cls) {
                    case 5 -> Math.PI / 2; // normal along y: horizontal bands
                    case 6 -> 0;
                    default -> rng.nextBoolean() ? Math.PI / 4 : 3 * Math.PI / 4;
                };
                double psi = centre + rng.nextDouble(-Math.PI / 18, Math.PI / 18);
                double period = rng.nextDouble(4, 8), phase = rng.nextDouble(0, period);
                double nxs = Math.cos(psi), nys = Math.sin(psi);
                double ha = rng.nextDouble(6, 13), hb = rng.nextDouble(6, 13);
                fill(m, cx, cy, (dx, dy) -> Math.abs(dx) <= ha && Math.abs(dy) <= hb
                        && Math.floorMod((long) Math.floor((dx * nxs + dy * nys + phase) / (period / 2)), 2) == 0);
            }
            case 8 -> { // checkerboard patch
                double cell = rng.nextDouble(2, 4.5), px = rng.nextDouble(0, 2 * cell), py = rng.nextDouble(0, 2 * cell);
                double ha = rng.nextDouble(6, 13), hb = rng.nextDouble(6, 13);
                fill(m, cx, cy, (dx, dy) -> Math.abs(dx) <= ha && Math.abs(dy) <= hb
                        && Math.floorMod((long) Math.floor((dx + px) / cell) + (long) Math.floor((dy + py) / cell), 2) == 0);
            }
            case 9 -> { // scattered dots in a patch
                double ha = rng.nextDouble(6, 13), hb = rng.nextDouble(6, 13);
                int k = rng.nextInt(6, 13);
                double[] ox = new double[k], oy = new double[k], rr = new double[k];
                for (int i = 0; i < k; i++) {
                    ox[i] = rng.nextDouble(-ha, ha);
                    oy[i] = rng.nextDouble(-hb, hb);
                    double r = rng.nextDouble(1.0, 1.8);
                    rr[i] = r * r;
                }
                fill(m, cx, cy, (dx, dy) -> {
                    for (int i = 0; i < k; i++) {
                        double ex = dx - ox[i], ey = dy - oy[i];
                        if (ex * ex + ey * ey <= rr[i]) return true;
                    }
                    return false;
                });
            }
            default -> throw new IllegalArgumentException("class " + cls + " is outside [0," + NUM_CLASSES + ")");
        }
        return m;
    }

    /** Membership of a pixel centre, given its offset from the shape centre. */
    private interface Region {
        boolean contains(double dx, double dy);
    }

    private static void fill(boolean[] m, double cx, double cy, Region r) {
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                m[y * SIZE + x] = r.contains(x + 0.5 - cx, y + 0.5 - cy);
            }
        }
    }
}
