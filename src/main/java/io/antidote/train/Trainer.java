package io.antidote.train;

import io.antidote.data.Batch;
import io.antidote.data.BatchLoader;
import io.antidote.data.ImageSet;
import io.antidote.nn.Adam;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Optimizer;
import io.antidote.nn.Sgd;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The one training loop every defense reuses: epochs of prefetched, augmented batches, a schedule
 * setting the rate each step, per-example weights or signs, and a checkpoint after each epoch.
 */
public final class Trainer {
    /** What happened in one epoch. */
    public record EpochStats(int epoch, double lr, double loss, double accuracy, int images, double seconds) {}

    /** Per-run customisation: the objective, per-example weights (negative ascends) and an end-of-epoch callback. */
    public interface Hooks {
        default Objective objective(int epoch) { return Objective.crossEntropy(); }

        /** Weights for the batch's samples (positions in the training set), or null for all ones. */
        default float[] weights(int epoch, int[] positions) { return null; }

        /** Called after each epoch, before the checkpoint is written; may evaluate the model. */
        default void afterEpoch(EpochStats stats, Model model) {}

        /** Extra metadata for the checkpoint written after the epoch (read back with {@link Checkpoint#metadata()}). */
        default Map<String, String> checkpointExtra() { return null; }

        /** The optimisation step on one batch; defenses with their own loss (NAD's distillation) replace it. */
        default Model.StepResult step(Model model, Optimizer opt, Batch batch, float[] weights, Objective objective) {
            return model.trainStep(opt, batch.pixels(), batch.size(), batch.labels(), weights, objective);
        }
    }

    private Trainer() {}

    /** Builds the optimiser the config names over the parameters that pass the filter. */
    public static Optimizer optimizer(Model model, TrainConfig c, Predicate<String> params) {
        return c.optimizer().equals("adam")
                ? model.adam(new Adam.Options(c.lr(), 0.9, 0.999, 1e-8, c.weightDecay()), params)
                : model.sgd(new Sgd.Options(c.lr(), c.momentum(), c.nesterov(), c.weightDecay()), params);
    }

    /** Seed of epoch e's shuffle and augmentation streams; a pure function so resuming needs no RNG state. */
    public static long epochSeed(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1) * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 29);
    }

    /**
     * Trains for cfg.epochs() epochs, resuming from the checkpoint when it exists; returns the
     * number of epochs this call ran. `stopAfter` (< 0 for never) ends the call early after that
     * many epochs in total, which is how tests interrupt a run.
     */
    public static int train(Model model, Optimizer opt, ImageSet data, TrainConfig cfg, Hooks hooks,
                            Checkpoint ckpt, Progress progress, int stopAfter) {
        int start = 0;
        if (ckpt != null && ckpt.exists()) start = ckpt.restore(model, opt, cfg);
        int ran = 0;
        int steps = BatchLoader.batchCount(data.size(), cfg.batchSize(), cfg.dropLast());
        for (int epoch = start; epoch < cfg.epochs(); epoch++) {
            if (stopAfter >= 0 && epoch >= stopAfter) break;
            EpochStats s = runEpoch(model, opt, data, cfg, hooks, progress, epoch, steps);
            hooks.afterEpoch(s, model);
            if (ckpt != null) ckpt.save(epoch + 1, model, opt, cfg, hooks.checkpointExtra());
            ran++;
        }
        return ran;
    }

    private static EpochStats runEpoch(Model model, Optimizer opt, ImageSet data, TrainConfig cfg, Hooks hooks,
                                       Progress progress, int epoch, int steps) {
        long es = epochSeed(cfg.seed(), epoch);
        int[] order = cfg.shuffle() ? BatchLoader.shuffledOrder(data.size(), es) : BatchLoader.sequentialOrder(data.size());
        Objective objective = hooks.objective(epoch);
        double lossSum = 0;
        long correct = 0;
        int seen = 0, step = 0;
        long t0 = System.nanoTime();
        progress.begin("epoch " + (epoch + 1) + "/" + cfg.epochs(), steps);
        double lr = cfg.lr();
        try (BatchLoader loader = new BatchLoader(data, order, cfg.batchSize(), cfg.dropLast(), cfg.augmentation(), es)) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                lr = cfg.schedule().lr(cfg.lr(), epoch + (double) step / steps, cfg.epochs());
                opt.setLearningRate(lr);
                float[] w = hooks.weights(epoch, b.positions());
                Model.StepResult r = hooks.step(model, opt, b, w, objective);
                double batchMean = 0;
                for (float l : r.losses()) batchMean += l;
                lossSum += batchMean;
                correct += r.correct();
                seen += b.size();
                step++;
                progress.update(step, lossSum / seen, (double) correct / seen);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        progress.end(lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1),
                String.format(java.util.Locale.ROOT, "%.0f img/s", seen / secs));
        return new EpochStats(epoch, lr, lossSum / Math.max(seen, 1), (double) correct / Math.max(seen, 1), seen, secs);
    }
}
