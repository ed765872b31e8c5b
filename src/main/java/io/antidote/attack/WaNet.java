package io.antidote.attack;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * WaNet (Nguyen and Tran 2021): an imperceptible trigger made by resampling the image through a
 * fixed, smooth random warping field.
 *
 * <p>The field follows the paper's code: a k x k control grid of uniform(-1, 1) noise divided by its
 * mean absolute value, upsampled bicubically (align_corners, a = -0.75) to H x W, added as
 * s x noise / H to the identity grid of [-1, 1] coordinates, times grid_rescale, clamped to [-1, 1];
 * the image is then sampled bilinearly (align_corners, zero padding). Our noise comes from our own
 * seeded generator, not torch's, and the arithmetic is in double, not float32. The float result is
 * rounded to nearest (not truncated) so that a zero-strength warp returns the image unchanged.
 *
 * <p>{@link #noise} is the paper's "noise mode": the same warp plus fresh per-pixel uniform(-1, 1) / H
 * jitter, applied to cross_ratio times as many clean samples as are poisoned, labels unchanged, so
 * the model learns that only this exact warp means "target".
 */
public final class WaNet implements Attack {
    private static final double A = -0.75;

    private final int k;
    private final double s;
    private final double gridRescale;
    private final double crossRatio;
    private final long seed;
    private final double[] control;
    private final Map<Long, double[]> grids = new ConcurrentHashMap<>();

    public WaNet(int k, double s, double gridRescale, double crossRatio, long seed) {
        if (k < 2) throw new IllegalArgumentException("k must be at least 2, got " + k);
        this.k = k;
        this.s = s;
        this.gridRescale = gridRescale;
        this.crossRatio = crossRatio;
        this.seed = seed;
        SplittableRandom rng = new SplittableRandom(seed);
        control = new double[2 * k * k];
        double meanAbs = 0;
        for (int i = 0; i < control.length; i++) {
            control[i] = rng.nextDouble() * 2 - 1;
            meanAbs += Math.abs(control[i]);
        }
        meanAbs /= control.length;
        for (int i = 0; i < control.length; i++) control[i] /= meanAbs;
    }

    /** The paper's CIFAR-10 settings: k 4, s 0.5, grid_rescale 1, cross_ratio 2. */
    public static WaNet defaults(long seed) {
        return new WaNet(4, 0.5, 1, 2, seed);
    }

    static Attack create(AttackParams p, AttackContext ctx) {
        int k = p.integer("k", 4, "[2, inf)");
        double s = p.real("s", 0.5, "[0, inf)");
        double rescale = p.real("grid_rescale", 1, "(0, inf)");
        double cross = p.real("cross_ratio", 2, "[0, inf)");
        long seed = p.seed("seed", 0);
        return new WaNet(k, s, rescale, cross, seed);
    }

    public double crossRatio() { return crossRatio; }

    @Override
    public String name() { return "wanet"; }

    @Override
    public Map<String, String> parameters() {
        return Pixels.params("k", k, "s", s, "grid_rescale", gridRescale, "cross_ratio", crossRatio, "seed", seed);
    }

    @Override
    public byte[] apply(byte[] hwc, int h, int w, int c) {
        Attack.checkShape(hwc, h, w, c);
        return sample(hwc, h, w, c, grid(h, w));
    }

    /** The warp with extra per-pixel jitter from rng: the noise-mode ("cross") samples. */
    public byte[] noise(byte[] hwc, int h, int w, int c, RandomGenerator rng) {
        Attack.checkShape(hwc, h, w, c);
        double[] g = grid(h, w).clone();
        for (int i = 0; i < g.length; i++) g[i] = clamp(g[i] + (rng.nextDouble() * 2 - 1) / h);
        return sample(hwc, h, w, c, g);
    }

    /** The sampling grid for H x W: per pixel (x, y) in [-1, 1], x along columns; a copy. */
    public double[] samplingGrid(int h, int w) {
        return grid(h, w).clone();
    }

    private double[] grid(int h, int w) {
        return grids.computeIfAbsent(((long) h << 32) | w, key -> buildGrid(h, w));
    }

    private double[] buildGrid(int h, int w) {
        double[] g = new double[h * w * 2];
        double[] xs = linspace(w), ys = linspace(h);
        for (int ch = 0; ch < 2; ch++) {
            double[] up = upsampleBicubic(control, ch * k * k, k, k, h, w);
            for (int r = 0; r < h; r++) {
                for (int col = 0; col < w; col++) {
                    double identity = ch == 0 ? xs[col] : ys[r];
                    // The paper divides both offsets by the input height, even the horizontal one.
                    g[(r * w + col) * 2 + ch] = clamp((identity + s * up[r * w + col] / h) * gridRescale);
                }
            }
        }
        return g;
    }

    private static double clamp(double v) {
        return Math.max(-1, Math.min(1, v));
    }

    /** torch.linspace(-1, 1, n): filled from both ends so the grid is exactly symmetric. */
    static double[] linspace(int n) {
        double[] v = new double[n];
        if (n == 1) {
            v[0] = -1;
            return v;
        }
        double step = 2.0 / (n - 1);
        for (int i = 0; i < n; i++) v[i] = i < n / 2 ? -1 + i * step : 1 - (n - 1 - i) * step;
        return v;
    }

    /**
     * Bicubic upsampling of one plane, as torch's interpolate(mode='bicubic', align_corners=True):
     * source index i (H_in - 1) / (H_out - 1), Keys kernel a = -0.75, taps clamped at the border,
     * columns first, then rows.
     */
    static double[] upsampleBicubic(double[] src, int offset, int sh, int sw, int h, int w) {
        double[] rowPass = new double[sh * w];
        for (int r = 0; r < sh; r++) {
            for (int col = 0; col < w; col++) {
                double x = w > 1 ? col * (double) (sw - 1) / (w - 1) : 0;
                int x0 = (int) Math.floor(x);
                double[] cf = cubicWeights(x - x0);
                double v = 0;
                for (int t = 0; t < 4; t++) v += cf[t] * src[offset + r * sw + bound(x0 - 1 + t, sw)];
                rowPass[r * w + col] = v;
            }
        }
        double[] out = new double[h * w];
        for (int r = 0; r < h; r++) {
            double y = h > 1 ? r * (double) (sh - 1) / (h - 1) : 0;
            int y0 = (int) Math.floor(y);
            double[] cf = cubicWeights(y - y0);
            for (int col = 0; col < w; col++) {
                double v = 0;
                for (int t = 0; t < 4; t++) v += cf[t] * rowPass[bound(y0 - 1 + t, sh) * w + col];
                out[r * w + col] = v;
            }
        }
        return out;
    }

    private static int bound(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    private static double[] cubicWeights(double t) {
        return new double[]{far(t + 1), near(t), near(1 - t), far(2 - t)};
    }

    // Keys' cubic convolution kernel for |x| <= 1 and 1 < |x| < 2.
    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    /** grid_sample, bilinear, align_corners=True, zero padding; rounded back to uint8. */
    static byte[] sample(byte[] img, int h, int w, int c, double[] grid) {
        byte[] out = new byte[img.length];
        double[] acc = new double[c];
        for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
                int p = r * w + col;
                double ix = (grid[2 * p] + 1) / 2 * (w - 1);
                double iy = (grid[2 * p + 1] + 1) / 2 * (h - 1);
                int x0 = (int) Math.floor(ix), y0 = (int) Math.floor(iy);
                double fx = ix - x0, fy = iy - y0;
                java.util.Arrays.fill(acc, 0);
                tap(img, h, w, c, y0, x0, (1 - fx) * (1 - fy), acc);
                tap(img, h, w, c, y0, x0 + 1, fx * (1 - fy), acc);
                tap(img, h, w, c, y0 + 1, x0, (1 - fx) * fy, acc);
                tap(img, h, w, c, y0 + 1, x0 + 1, fx * fy, acc);
                for (int ch = 0; ch < c; ch++) out[p * c + ch] = (byte) Pixels.round(acc[ch]);
            }
        }
        return out;
    }

    private static void tap(byte[] img, int h, int w, int c, int r, int col, double weight, double[] acc) {
        if (r < 0 || r >= h || col < 0 || col >= w || weight == 0) return;
        for (int ch = 0; ch < c; ch++) acc[ch] += weight * Pixels.at(img, w, c, r, col, ch);
    }
}
