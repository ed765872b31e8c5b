package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.Batch;
import io.antidote.data.BatchLoader;
import io.antidote.data.ImageSet;
import io.antidote.nn.BezierCurve;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Optimizer;
import io.antidote.nn.Sgd;
import io.antidote.nn.TensorData;
import io.antidote.train.Checkpoint;
import io.antidote.train.Inference;
import io.antidote.train.Progress;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mode connectivity repair (Zhao et al., ICLR 2020): connect the backdoored model to a copy of it
 * fine-tuned on clean data by a quadratic Bézier curve trained on that clean data, and take a point
 * of the curve away from both ends, where the backdoor has faded but clean accuracy holds.
 *
 * <p>The point is chosen with clean data only. The budget is split (seeded) into a part that
 * fine-tunes the endpoint, trains the curve and re-estimates batch-norm statistics, and a held-out
 * part that scores each point of the grid t = 0, 1/(k-1), ..., 1. Let A(t) be the held-out
 * accuracy at t and R = max(A(0), A(1)). The rule: among the interior points (0 &lt; t &lt; 1) with
 * A(t) &ge; R - margin, take the one with the largest min(t, 1 - t), the farthest from both
 * endpoints; of two such points at equal distance, the one nearer t = 1, away from the backdoored
 * end. If no interior point qualifies, take t = 1, the fine-tuned endpoint. A held-out slice is
 * used because every point of a curve trained on the training part fits that part nearly
 * perfectly, so its accuracy there cannot tell the points apart.
 */
public final class Mcr {
    // Batch-norm buffers are not on the curve (BezierCurve): before any point is scored, its
    // running statistics are recomputed on the training part of the budget, so every t, the ends
    // included, is evaluated with statistics of its own weights. The held-out part is never used
    // for them, so it stays unseen until scoring. The t = 0 point therefore scores a little
    // differently from the backdoored model with its training statistics.

    /** File names of the two stages' checkpoints inside a run directory. */
    public static final String ENDPOINT_CHECKPOINT = "mcr-endpoint.ckpt.safetensors", CURVE_CHECKPOINT = "mcr-curve.ckpt.safetensors";

    /** Stage name of the per-t records of the scored curve in a run's metrics (their "epoch" is the grid index). */
    public static final String CURVE_STAGE = "mcr-curve";

    /** The curve's t at which per-epoch CA/ASR of the curve stage are recorded. */
    public static final double MONITOR_T = 0.5;

    private static final int BATCH = 256;

    /**
     * MCR's knobs.
     *
     * @param endpoint the fine-tuning that makes the second endpoint (ignored when one is given)
     * @param curve    the optimiser, schedule, augmentation, epochs and seed of the control point's training (scope is ignored: theta is all parameters)
     * @param points   grid size along t, ends included (11 gives 0, 0.1, ..., 1)
     * @param holdout  fraction of the budget kept out of all training to choose t (0: choose on the training part)
     * @param margin   largest held-out accuracy drop below the better endpoint that a chosen point may show (absolute)
     */
    public record Config(FineTune.Config endpoint, FineTune.Config curve, int points, double holdout, double margin) {
        public Config {
            if (endpoint == null || curve == null) throw new BadInputException("MCR needs endpoint and curve training configs");
            if (points < 3) throw new BadInputException("MCR curve points " + points + " must be >= 3 (both ends and one point between)");
            if (!(holdout >= 0 && holdout < 1)) throw new BadInputException("MCR held-out fraction " + holdout + " is outside [0, 1)");
            if (!(margin >= 0 && margin <= 1)) throw new BadInputException("MCR margin " + margin + " is outside [0, 1]");
        }

        /**
         * Our defaults. The endpoint is NAD's teacher (FineTune.Config.reference: 10 epochs). The
         * paper trains the curve for 100-200 epochs; on a CPU we give it 20 epochs with the same SGD
         * (lr 0.1 for 2 epochs then 0.01, Nesterov momentum 0.9, wd 1e-4, batch 64, crop+flip+Cutout),
         * so endpoint plus curve cost what NAD's teacher plus student do. Grid of 11 points, 20% of
         * the budget held out, a 5-point margin as Fine-Pruning's.
         */
        public static Config defaults(long seed) {
            FineTune.Config ft = FineTune.Config.reference(seed);
            return new Config(ft, ft.withEpochs(20).withSeed(seed + 1), 11, 0.2, 0.05);
        }

        public Config withCurve(FineTune.Config c) { return new Config(endpoint, c, points, holdout, margin); }

        public Config withEndpoint(FineTune.Config e) { return new Config(e, curve, points, holdout, margin); }

        public Config withPoints(int k) { return new Config(endpoint, curve, k, holdout, margin); }

        public Config withHoldout(double h) { return new Config(endpoint, curve, points, h, margin); }

        public Config withMargin(double m) { return new Config(endpoint, curve, points, holdout, m); }

        /** The t values scored: evenly spaced, 0 and 1 included exactly. */
        public double[] grid() {
            double[] t = new double[points];
            for (int i = 0; i < points; i++) t[i] = i == points - 1 ? 1.0 : (double) i / (points - 1);
            return t;
        }
    }

    /** The budget's two parts: training (endpoint, curve, BN statistics) and held-out (choosing t). */
    public record Split(ImageSet train, ImageSet heldOut) {}

    /** One scored point of the curve: t and the held-out accuracy and mean cross-entropy there. */
    public record Point(double t, double heldOutAccuracy, double heldOutLoss) {}

    /** The rule's outcome: the chosen index, whether it met the margin, and the better endpoint's held-out accuracy. */
    public record Choice(int index, boolean withinMargin, double reference) {}

    /** What MCR did; the model it was given now holds the chosen point. */
    public record Result(List<Point> curve, Choice choice, int trainedOn, int heldOut, int endpointEpochsRun, int curveEpochsRun) {
        public Point chosen() { return curve.get(choice.index()); }
    }

    /** Per-epoch records (stages "endpoint" and "curve") plus the endpoint and each scored point of the curve. */
    public interface Listener extends EpochListener {
        /** The second endpoint, fine-tuned or given, before the curve is trained. */
        default void endpoint(Model endpoint) {}

        /** Point `index` of the grid; the model holds phi(t) with recomputed batch-norm statistics. */
        default void point(int index, Point p, Model model) {}
    }

    private Mcr() {}

    /** A seeded split of the budget; with fraction 0 both parts are the whole budget. */
    public static Split split(ImageSet clean, double fraction, long seed) {
        int n = clean.size();
        if (fraction == 0) return new Split(clean, clean);
        int h = Math.max(1, (int) Math.round(fraction * n));
        if (n - h < 1) throw new BadInputException("MCR: holding out " + h + " of " + n + " clean images leaves none to train the curve on");
        int[] order = BatchLoader.shuffledOrder(n, seed);
        int[] held = Arrays.stream(order, 0, h).sorted().toArray();
        int[] train = Arrays.stream(order, h, n).sorted().toArray();
        return new Split(clean.subset(clean.name() + "-mcr-train", train), clean.subset(clean.name() + "-mcr-heldout", held));
    }

    /** The rule of the class comment; `ts` must start at 0 and end at 1. */
    public static Choice choose(double[] ts, double[] accuracy, double margin) {
        int last = ts.length - 1;
        if (ts.length < 3 || ts[0] != 0 || ts[last] != 1 || accuracy.length != ts.length) {
            throw new IllegalArgumentException("the grid must run from 0 to 1 with a point between, one accuracy per point");
        }
        double reference = Math.max(accuracy[0], accuracy[last]);
        int best = -1;
        for (int i = 1; i < last; i++) {
            if (!(accuracy[i] >= reference - margin)) continue;
            double d = Math.min(ts[i], 1 - ts[i]);
            double bestD = best < 0 ? -1 : Math.min(ts[best], 1 - ts[best]);
            // >= lets the later (larger t) of two equally distant points win
            if (d >= bestD) best = i;
        }
        return best < 0 ? new Choice(last, false, reference) : new Choice(best, true, reference);
    }

    /** t of one curve-training step: uniform on [0, 1), a pure function of (seed, epoch, batch) so a resumed run draws the same. */
    static double sampleT(long seed, int epoch, int batch) {
        return new SplittableRandom(Trainer.epochSeed(seed, epoch) ^ (0x9E3779B97F4A7C15L * (batch + 1))).nextDouble();
    }

    /**
     * Runs MCR on `backdoored` in place: it becomes the carrier of the curve and ends holding the
     * chosen point, with batch-norm statistics recomputed for it. `givenEndpoint` (same
     * architecture) replaces the fine-tuned endpoint when not null; it is not changed. `dir` holds
     * the stages' checkpoints (null for none).
     */
    public static Result run(Model backdoored, Model givenEndpoint, ImageSet clean, Config c, Path dir, Listener listener, Progress progress) {
        if (clean.size() == 0) throw new BadInputException("MCR needs clean images; the clean set is empty");
        Split s = split(clean, c.holdout(), c.curve().seed() ^ 0x4D4352L);
        byte[] calibration = pixels(s.train());
        Map<String, TensorData> w0 = backdoored.stateDict();
        Map<String, TensorData> w1;
        int endpointEpochs = 0;
        if (givenEndpoint != null) {
            listener.endpoint(givenEndpoint);
            w1 = givenEndpoint.stateDict();
        } else {
            try (Model e = backdoored.copy()) {
                endpointEpochs = FineTune.run(e, s.train(), c.endpoint().withScope(FineTune.Scope.ALL), "endpoint",
                        dir == null ? null : dir.resolve(ENDPOINT_CHECKPOINT), listener, progress).epochsRun();
                listener.endpoint(e);
                w1 = e.stateDict();
            }
        }
        try (BezierCurve curve = BezierCurve.between(backdoored, w0, w1)) {
            int ran = trainCurve(curve, s.train(), calibration, c.curve(), dir, listener, progress);
            double[] ts = c.grid();
            List<Point> points = new ArrayList<>();
            double[] acc = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                placeWithStatistics(curve, ts[i], calibration, s.train().size());
                Inference.Predictions p = Inference.predict(backdoored, s.heldOut(), BATCH);
                int ok = 0;
                double loss = 0;
                for (int k = 0; k < p.size(); k++) {
                    if (p.predicted()[k] == p.labels()[k]) ok++;
                    loss += p.losses()[k];
                }
                acc[i] = (double) ok / p.size();
                Point pt = new Point(ts[i], acc[i], loss / p.size());
                points.add(pt);
                listener.point(i, pt, backdoored);
            }
            Choice choice = choose(ts, acc, c.margin());
            placeWithStatistics(curve, ts[choice.index()], calibration, s.train().size());
            listener.note(String.format(Locale.ROOT, "MCR: t = %.2f chosen (held-out accuracy %.2f%%, better endpoint %.2f%%, margin %.2f%s)",
                    ts[choice.index()], 100 * acc[choice.index()], 100 * choice.reference(), 100 * c.margin(),
                    choice.withinMargin() ? "" : "; no interior point within the margin, so the fine-tuned endpoint"));
            return new Result(List.copyOf(points), choice, s.train().size(), s.heldOut() == s.train() ? 0 : s.heldOut().size(), endpointEpochs, ran);
        }
    }

    /** Trains theta on the training part; resumes from the run directory's checkpoint when it exists. */
    private static int trainCurve(BezierCurve curve, ImageSet train, byte[] calibration, FineTune.Config cc, Path dir, Listener listener,
                                  Progress progress) {
        TrainConfig tc = cc.train();
        Optimizer opt = curve.optimizer(new Sgd.Options(tc.lr(), tc.momentum(), tc.nesterov(), tc.weightDecay()));
        int[] epoch = {0};
        return Trainer.train(curve.model(), opt, train, tc, new Trainer.Hooks() {
            @Override
            public float[] weights(int e, int[] positions) {
                // the one hook that sees the epoch before each step; no weights are wanted
                epoch[0] = e;
                return null;
            }

            @Override
            public Model.StepResult step(Model m, Optimizer o, Batch b, float[] w, Objective obj) {
                curve.place(sampleT(tc.seed(), epoch[0], b.index()));
                return Trainer.Hooks.super.step(m, o, b, w, obj);
            }

            @Override
            public void afterEpoch(Trainer.EpochStats st, Model m) {
                // after a step the model holds theta, not a point of the curve; the midpoint is what the epoch reports
                placeWithStatistics(curve, MONITOR_T, calibration, train.size());
                listener.epoch("curve", st, m);
            }
        }, dir == null ? null : new Checkpoint(dir.resolve(CURVE_CHECKPOINT)), progress, -1);
    }

    private static void placeWithStatistics(BezierCurve curve, double t, byte[] calibration, int n) {
        curve.place(t);
        curve.model().recomputeBatchNormStatistics(calibration, n, BATCH);
    }

    private static byte[] pixels(ImageSet set) {
        int ib = set.imageBytes();
        byte[] px = new byte[set.size() * ib];
        for (int i = 0; i < set.size(); i++) set.copyImage(i, px, i * ib);
        return px;
    }
}
