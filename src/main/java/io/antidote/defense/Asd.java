package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.Augmentation;
import io.antidote.data.BatchLoader;
import io.antidote.data.ImageSet;
import io.antidote.nn.Adam;
import io.antidote.nn.Model;
import io.antidote.nn.Optimizer;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.Sgd;
import io.antidote.train.Checkpoint;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import io.antidote.train.WeightAverage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * Adaptively Splitting poisoned Dataset (Gao et al., CVPR 2023): MixMatch training from scratch
 * on a labelled "clean pool" that is re-chosen every epoch, by per-class loss, then overall loss,
 * then loss reduction under one extra epoch of a virtual model.
 */
public final class Asd {
    /** Stage name of the per-epoch pool records (sizes, poison in the clean pool) in a run's metrics. */
    public static final String SPLIT_STAGE = "asd-split";

    /** Where the few known-clean seed samples come from. */
    public enum CleanSeeds {
        /**
         * A separate trusted clean set handed to {@link #run}; it is appended to the training data
         * and the seeds are drawn from it. The honest setting: the defender owns a few clean images.
         */
        TRUSTED_SET,
        /** The reference code: drawn from the training samples whose ground-truth poison flag is false. */
        POISON_FLAGS
    }

    /** How stage 3 picks the clean pool. */
    public enum LateSplit {
        /** The reference: the smallest loss reduction under one epoch of a virtual model (the paper's meta-split). */
        META,
        /** Stage 2's rule kept: the lowest losses over all classes. */
        LOSS
    }

    /** The optimiser of the MixMatch steps. */
    public enum Optim {
        /** The reference: Adam (betas 0.9, 0.999), weight decay decoupled as AdamW when there is any. */
        ADAM,
        /**
         * SGD with Nesterov momentum 0.9 and weight decay added to the gradient (PyTorch's
         * semantics), the optimiser of FixMatch's WideResNet recipe (MixMatch's own code uses Adam).
         */
        SGD
    }

    /** Momentum of the SGD option: FixMatch's value. */
    static final double SGD_MOMENTUM = 0.9;

    /** Whether stages 2 and 3 rank the samples over the whole data set or within each class. */
    public enum Balance {
        /** The reference: the lowest scores over all classes, whatever classes they fall in. */
        OVERALL,
        /**
         * The same share taken from every class (by current label). With a weak model the overall
         * ranking starves the hard classes: WRN-16-1 entering stage 2 at CA 43% put 173 of 5,000
         * deer into the 25,000-sample pool and 3,557 of 5,000 aeroplanes, and never learned deer.
         * Taking half of every class instead raised CA from 53.6% to 59.5% on that run but let 1-2%
         * poison into the pool (the target class is half poison) and ASR rose to 13.6%, so it is
         * not a preset's default.
         */
        PER_CLASS,
        /**
         * Per class, but no class contributes more than the share of the median class size. An
         * all-to-one attack makes the target class the largest (relabelled poisons join it; on
         * ASD's attack 7,250 images against 4,775); its share of its own size reaches past the easy
         * clean images into the hard ones, whose losses the poisons share when the backdoor is not
         * learned. A defender sees class sizes, not poison flags.
         */
        PER_CLASS_CAPPED
    }

    /**
     * All ASD knobs. Stages are 1-based: stage 1 runs for epochs [0, stage2Start), stage 2 for
     * [stage2Start, stage3Start), stage 3 from stage3Start to the end.
     *
     * @param growEvery      stage 1 adds growBy samples per class to the clean pool every growEvery epochs
     * @param cleanFraction  share of the data put into the clean pool in stages 2 and 3 (the reference's epsilon)
     * @param batchSize      MixMatch batch of labelled and of unlabelled samples
     * @param iterations     MixMatch steps per epoch, whatever the pool sizes
     * @param rampupEpochs   lambdaU grows linearly to its full value over this many epochs
     * @param loaderBatch    batch of the loss recording and of the virtual model's epoch
     * @param recordWithAugmentation record split losses on augmented images, as the reference does (spec §9 item 5)
     * @param schedule       the MixMatch optimiser's learning rate over the run; the reference keeps it constant
     * @param lateSplit      stage 3's rule for the clean pool
     * @param balance        whether stages 2 and 3 take their share of the data overall or from each class
     * @param weightDecay    weight decay of the MixMatch optimiser, decoupled (AdamW) with Adam, added to the gradient with SGD; the reference has none
     * @param refreshBn      after each epoch, batch-norm statistics are re-estimated on this many plain training images (0: never, the reference)
     * @param optimizer      the optimiser of the MixMatch steps; the reference uses Adam
     * @param averageLast    the final model is the uniform average of the weights after each of the last this many epochs
     *                       (stochastic weight averaging over the schedule's tail), batch-norm statistics then re-estimated;
     *                       0 or 1: the last epoch's weights, as the reference
     */
    public record Config(int epochs, int stage2Start, int stage3Start, int seedsPerClass, int growEvery, int growBy,
                         double cleanFraction, double lr, int batchSize, int iterations, double temperature, double mixAlpha,
                         double lambdaU, double rampupEpochs, double sceAlpha, double sceBeta, double metaLr, int metaEpochs,
                         int loaderBatch, boolean recordWithAugmentation, CleanSeeds cleanSeeds, long seed, Schedule schedule,
                         LateSplit lateSplit, Balance balance, double weightDecay, int refreshBn, Optim optimizer,
                         int averageLast) {
        public Config {
            if (epochs < 1) throw new BadInputException("ASD epochs " + epochs + " must be >= 1");
            if (stage2Start < 0 || stage3Start < stage2Start || stage3Start > epochs) {
                throw new BadInputException("ASD stage boundaries " + stage2Start + "/" + stage3Start
                        + " must satisfy 0 <= stage 2 <= stage 3 <= epochs (" + epochs + ")");
            }
            if (seedsPerClass < 1) throw new BadInputException("ASD seeds per class " + seedsPerClass + " must be >= 1");
            if (growEvery < 1) throw new BadInputException("ASD growth interval " + growEvery + " must be >= 1");
            if (growBy < 0) throw new BadInputException("ASD growth " + growBy + " must be >= 0");
            if (!(cleanFraction > 0 && cleanFraction < 1)) throw new BadInputException("ASD clean fraction " + cleanFraction + " is outside (0, 1)");
            if (batchSize < 3) throw new BadInputException("ASD batch size " + batchSize + " must be >= 3 (MixMatch interleaves three parts)");
            if (iterations < 1) throw new BadInputException("ASD iterations " + iterations + " must be >= 1");
            if (!(temperature > 0) || Double.isInfinite(temperature)) throw new BadInputException("ASD temperature " + temperature + " must be > 0");
            if (!(mixAlpha > 0) || Double.isInfinite(mixAlpha)) throw new BadInputException("ASD mixup alpha " + mixAlpha + " must be > 0");
            if (!(lr > 0) || Double.isInfinite(lr)) throw new BadInputException("ASD learning rate " + lr + " must be > 0");
            if (!(lambdaU >= 0) || Double.isInfinite(lambdaU)) throw new BadInputException("ASD lambda_u " + lambdaU + " must be >= 0");
            if (!(rampupEpochs > 0)) throw new BadInputException("ASD ramp-up " + rampupEpochs + " must be > 0");
            if (metaEpochs < 1) throw new BadInputException("ASD virtual-model epochs " + metaEpochs + " must be >= 1");
            if (loaderBatch < 1) throw new BadInputException("ASD loader batch " + loaderBatch + " must be >= 1");
            if (cleanSeeds == null) throw new BadInputException("ASD clean-seed source is missing");
            if (schedule == null) throw new BadInputException("ASD learning-rate schedule is missing");
            if (lateSplit == null) throw new BadInputException("ASD stage-3 split rule is missing");
            if (balance == null) throw new BadInputException("ASD split balance is missing");
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new BadInputException("ASD weight decay " + weightDecay + " must be >= 0");
            if (refreshBn < 0) throw new BadInputException("ASD batch-norm refresh " + refreshBn + " must be >= 0 images");
            if (optimizer == null) throw new BadInputException("ASD optimiser is missing");
            if (averageLast < 0 || averageLast > epochs) {
                throw new BadInputException("ASD weight averaging over the last " + averageLast + " epochs is outside [0, epochs (" + epochs + ")]");
            }
        }

        /** The paper's configuration file (spec §6.1): 120 epochs, stages at 60/90, Adam 0.002, 1,024 MixMatch steps of 64. */
        public static Config paper(long seed) {
            return new Config(120, 60, 90, 10, 5, 10, 0.5, 0.002, 64, 1024, 0.5, 0.75, 15, 120, 0.1, 1.0, 0.015, 1,
                    128, true, CleanSeeds.TRUSTED_SET, seed, new Schedule.Constant(), LateSplit.META,
                    Balance.OVERALL, 0, 0, Optim.ADAM, 0);
        }

        /**
         * For a CPU and WRN-16-1, the best configuration measured on CIFAR-10 (ASD's BadNets patch,
         * 5%, target 3) that fits in one working session, 1.4-2.9 hours on the 2-core development
         * VM: 42 epochs of 1,024 MixMatch steps (the reference's steps per epoch), stage 2 from
         * epoch 3 with the stage-1 pool grown by 30 per class every epoch, stage 3 from epoch 25
         * keeping stage 2's loss split. Each departure from the reference was measured one at a
         * time with the quick preset and longer runs (docs/asd.md, "ASD on a CPU"): the meta-split let
         * 8% poison into the clean pool of this small network; the overall ranking starved the hard
         * classes, so each class gives 90% of itself, capped at the median class's size; SGD with
         * Nesterov momentum at 0.05 under a cosine, with weight decay, beat Adam by 2.5 points;
         * batch-norm statistics re-estimated on plain images after each epoch replace the mixed
         * ones; and mixing with lambda ~ Beta(0.2, 0.2) instead of Beta(0.75, 0.75) bought 1.3
         * points.
         */
        public static Config cpu(long seed) {
            // named departures from the quick preset, so the two cannot drift apart in the fields they share
            return quick(seed).toBuilder().epochs(42).rampupEpochs(42).stage2Start(3).stage3Start(25).growBy(30).growEvery(1)
                    .iterations(1024).balance(Balance.PER_CLASS_CAPPED).cleanFraction(0.9).optimizer(Optim.SGD).lr(0.05)
                    .weightDecay(5e-4).refreshBn(2000).mixAlpha(0.2).build();
        }

        /**
         * A 25-minute sketch of ASD for a CPU and WRN-16-1: 40 epochs, 256 MixMatch steps per
         * epoch (a quarter of the reference), stages from epochs 10 and 25, the stage-1 pool grown
         * by 12 per class every 2 epochs (580 labelled when stage 1 ends), Adam decaying by a
         * cosine, stage 3 by loss. It removes the backdoor (CIFAR-10, ASD's BadNets: ASR 0.00%)
         * but reaches only 55.66% CA in about 25 minutes; it was the CPU preset until 2026-12-06,
         * and the one-change-at-a-time table of docs/asd.md starts from it. With the reference's rules
         * the meta-split of stage 3 took the poisoned share of the clean pool from 0.11% to 8% and
         * ASR from 1.9% to 20% with this small network, so stage 3 keeps stage 2's loss split; at a
         * constant rate CA was still at 57% when stage 2 ended, so the rate decays by a cosine;
         * stage 1 with at most 1,180 labels held CA near 40-43% from epoch 10 to 20, so stage 2
         * starts at epoch 10.
         */
        public static Config quick(long seed) {
            return new Config(40, 10, 25, 10, 2, 12, 0.5, 0.002, 64, 256, 0.5, 0.75, 15, 40, 0.1, 1.0, 0.015, 1,
                    128, true, CleanSeeds.TRUSTED_SET, seed, new Schedule.Cosine(), LateSplit.LOSS,
                    Balance.OVERALL, 0, 0, Optim.ADAM, 0);
        }

        /** Another length with the stage boundaries, growth interval and ramp-up scaled in proportion. */
        public Config scaledTo(int newEpochs) {
            if (newEpochs < 1) throw new BadInputException("--epochs " + newEpochs + " must be >= 1");
            double f = (double) newEpochs / epochs;
            int s2 = (int) Math.round(stage2Start * f), s3 = (int) Math.round(stage3Start * f);
            return toBuilder().epochs(newEpochs).stage2Start(s2).stage3Start(Math.max(s2, s3))
                    .growEvery(Math.max(1, (int) Math.round(growEvery * f))).rampupEpochs(rampupEpochs * f).build();
        }

        public Config withIterations(int n) { return toBuilder().iterations(n).build(); }

        /** This config with stage 2 starting at epoch s2 and stage 3 at s3 (0-based, as the reference's epoch_first/second). */
        public Config withStages(int s2, int s3) { return toBuilder().stage2Start(s2).stage3Start(s3).build(); }

        /** This config with the MixMatch optimiser's (peak) learning rate replaced. */
        public Config withLr(double rate) { return toBuilder().lr(rate).build(); }

        /** This config with stage 1's pool growing by `by` samples per class every `every` epochs. */
        public Config withGrowth(int by, int every) { return toBuilder().growBy(by).growEvery(every).build(); }

        /** This config with the unlabelled loss weighted up to `weight` over the first `rampup` epochs. */
        public Config withUnlabelledWeight(double weight, double rampup) { return toBuilder().lambdaU(weight).rampupEpochs(rampup).build(); }

        public Config withCleanSeeds(CleanSeeds s) { return toBuilder().cleanSeeds(s).build(); }

        public Config withBatchSize(int b) { return toBuilder().batchSize(b).build(); }

        public Config withSchedule(Schedule s) { return toBuilder().schedule(s).build(); }

        public Config withLateSplit(LateSplit l) { return toBuilder().lateSplit(l).build(); }

        public Config withBalance(Balance b) { return toBuilder().balance(b).build(); }

        /** This config with stages 2 and 3 putting the given share of the data into the clean pool. */
        public Config withCleanFraction(double f) { return toBuilder().cleanFraction(f).build(); }

        /** This config with weight decay d: Adam shrinks the weights by lr x d each step (AdamW), SGD adds d x w to the gradient. */
        public Config withWeightDecay(double d) { return toBuilder().weightDecay(d).build(); }

        /** This config re-estimating batch-norm statistics on n plain training images after every epoch. */
        public Config withRefreshBn(int n) { return toBuilder().refreshBn(n).build(); }

        /** This config mixing with lambda ~ Beta(alpha, alpha) (MixMatch's 0.75) and sharpening guesses at temperature t (0.5). */
        public Config withMixing(double alpha, double t) { return toBuilder().mixAlpha(alpha).temperature(t).build(); }

        /** This config ending with the average of the weights after each of its last k epochs (0: the last epoch's). */
        public Config withAverageLast(int k) { return toBuilder().averageLast(k).build(); }

        /** This config with the MixMatch steps taken by another optimiser (weightDecay keeps its meaning for that optimiser). */
        public Config withOptimizer(Optim o) { return toBuilder().optimizer(o).build(); }

        /** A builder holding this config's values, for changing a few of them. */
        public Builder toBuilder() { return new Builder(this); }

        /** The learning rate at an iteration of an epoch, the schedule applied to lr over the whole run. */
        public double lrAt(int epoch, int iteration) {
            return schedule.lr(lr, epoch + (double) iteration / iterations, epochs);
        }

        /** The split stage (1, 2 or 3) of an epoch index. */
        public int stage(int epoch) {
            return epoch < stage2Start ? 1 : epoch < stage3Start ? 2 : 3;
        }

        /** Samples per class added to the seeds in stage 1: growBy for every full growEvery epochs so far. */
        public int choiceNum(int epoch) {
            return growBy * (epoch / growEvery);
        }

        /** The unlabelled-loss weight at an iteration: lambdaU x clip((epoch + it/iterations) / rampup, 0, 1). */
        public double lambdaU(int epoch, int iteration) {
            double r = (epoch + (double) iteration / iterations) / rampupEpochs;
            return lambdaU * Math.max(0, Math.min(1, r));
        }
    }

    /** A mutable copy of a {@link Config}; {@link #build()} checks the values as the record does. */
    public static final class Builder {
        private int epochs;
        private int stage2Start;
        private int stage3Start;
        private int seedsPerClass;
        private int growEvery;
        private int growBy;
        private double cleanFraction;
        private double lr;
        private int batchSize;
        private int iterations;
        private double temperature;
        private double mixAlpha;
        private double lambdaU;
        private double rampupEpochs;
        private double sceAlpha;
        private double sceBeta;
        private double metaLr;
        private int metaEpochs;
        private int loaderBatch;
        private boolean recordWithAugmentation;
        private CleanSeeds cleanSeeds;
        private long seed;
        private Schedule schedule;
        private LateSplit lateSplit;
        private Balance balance;
        private double weightDecay;
        private int refreshBn;
        private Optim optimizer;
        private int averageLast;

        Builder(Config c) {
            epochs = c.epochs();
            stage2Start = c.stage2Start();
            stage3Start = c.stage3Start();
            seedsPerClass = c.seedsPerClass();
            growEvery = c.growEvery();
            growBy = c.growBy();
            cleanFraction = c.cleanFraction();
            lr = c.lr();
            batchSize = c.batchSize();
            iterations = c.iterations();
            temperature = c.temperature();
            mixAlpha = c.mixAlpha();
            lambdaU = c.lambdaU();
            rampupEpochs = c.rampupEpochs();
            sceAlpha = c.sceAlpha();
            sceBeta = c.sceBeta();
            metaLr = c.metaLr();
            metaEpochs = c.metaEpochs();
            loaderBatch = c.loaderBatch();
            recordWithAugmentation = c.recordWithAugmentation();
            cleanSeeds = c.cleanSeeds();
            seed = c.seed();
            schedule = c.schedule();
            lateSplit = c.lateSplit();
            balance = c.balance();
            weightDecay = c.weightDecay();
            refreshBn = c.refreshBn();
            optimizer = c.optimizer();
            averageLast = c.averageLast();
        }

        public Builder epochs(int v) { epochs = v; return this; }

        public Builder stage2Start(int v) { stage2Start = v; return this; }

        public Builder stage3Start(int v) { stage3Start = v; return this; }

        public Builder seedsPerClass(int v) { seedsPerClass = v; return this; }

        public Builder growEvery(int v) { growEvery = v; return this; }

        public Builder growBy(int v) { growBy = v; return this; }

        public Builder cleanFraction(double v) { cleanFraction = v; return this; }

        public Builder lr(double v) { lr = v; return this; }

        public Builder batchSize(int v) { batchSize = v; return this; }

        public Builder iterations(int v) { iterations = v; return this; }

        public Builder temperature(double v) { temperature = v; return this; }

        public Builder mixAlpha(double v) { mixAlpha = v; return this; }

        public Builder lambdaU(double v) { lambdaU = v; return this; }

        public Builder rampupEpochs(double v) { rampupEpochs = v; return this; }

        public Builder sceAlpha(double v) { sceAlpha = v; return this; }

        public Builder sceBeta(double v) { sceBeta = v; return this; }

        public Builder metaLr(double v) { metaLr = v; return this; }

        public Builder metaEpochs(int v) { metaEpochs = v; return this; }

        public Builder loaderBatch(int v) { loaderBatch = v; return this; }

        public Builder recordWithAugmentation(boolean v) { recordWithAugmentation = v; return this; }

        public Builder cleanSeeds(CleanSeeds v) { cleanSeeds = v; return this; }

        public Builder seed(long v) { seed = v; return this; }

        public Builder schedule(Schedule v) { schedule = v; return this; }

        public Builder lateSplit(LateSplit v) { lateSplit = v; return this; }

        public Builder balance(Balance v) { balance = v; return this; }

        public Builder weightDecay(double v) { weightDecay = v; return this; }

        public Builder refreshBn(int v) { refreshBn = v; return this; }

        public Builder optimizer(Optim v) { optimizer = v; return this; }

        public Builder averageLast(int v) { averageLast = v; return this; }

        public Config build() {
            return new Config(epochs, stage2Start, stage3Start, seedsPerClass, growEvery, growBy, cleanFraction, lr, batchSize, iterations,
                    temperature, mixAlpha, lambdaU, rampupEpochs, sceAlpha, sceBeta, metaLr, metaEpochs, loaderBatch,
                    recordWithAugmentation, cleanSeeds, seed, schedule, lateSplit, balance, weightDecay, refreshBn, optimizer, averageLast);
        }
    }

    /** What one ASD epoch did: the split and its ground-truth quality (for reporting only), and the MixMatch losses. */
    public record EpochReport(int epoch, int stage, int labelled, int unlabelled, int poisonedInLabelled, int poisonedTotal,
                              double loss, double lossX, double lossU, double lambdaU, double labelledAccuracy, int iterations,
                              int batchSize, double seconds) {
        /** Share of the clean pool that is in truth poisoned. */
        public double poisonedFraction() { return labelled == 0 ? 0 : (double) poisonedInLabelled / labelled; }
    }

    /** Receives every finished epoch. */
    public interface Listener {
        void epoch(EpochReport report, Model model);

        default void note(String message) { System.out.println(message); }
    }

    /** The run: seed positions in the training data ASD used (the poisoned set, then any trusted images), and every epoch. */
    public record Result(ImageSet data, int[] seeds, boolean[] lastCleanPool, List<EpochReport> epochs, int resumedAfter) {}

    private Asd() {}

    // ---- pure parts: split rules, MixMatch arithmetic on arrays ----

    /** Ascending order of the values, ties to the lower index. */
    static int[] ascending(float[] v, int[] among) {
        return Arrays.stream(among).boxed().sorted(Comparator.<Integer>comparingDouble(i -> v[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * Stage 1: the seeds, plus for each class (by current label) the `perClass` non-seed samples
     * with the smallest loss. Returns the clean-pool flag of every sample.
     */
    public static boolean[] classAwarePool(float[] loss, int[] labels, int classes, int[] seeds, int perClass) {
        boolean[] pool = new boolean[loss.length];
        for (int s : seeds) pool[s] = true;
        for (int k = 0; k < classes; k++) {
            final int c = k;
            int[] cand = IntStream.range(0, loss.length).filter(i -> labels[i] == c && !pool[i]).toArray();
            int[] ord = ascending(loss, cand);
            for (int j = 0; j < Math.min(perClass, ord.length); j++) pool[ord[j]] = true;
        }
        return pool;
    }

    /** Stages 2 and 3: the floor(N x fraction) samples with the smallest score, over all classes. */
    public static boolean[] lowestFraction(float[] score, double fraction) {
        int k = (int) Math.floor(score.length * fraction);
        int[] ord = ascending(score, IntStream.range(0, score.length).toArray());
        boolean[] pool = new boolean[score.length];
        for (int j = 0; j < k; j++) pool[ord[j]] = true;
        return pool;
    }

    /**
     * Stages 2 and 3 with the same share from every class: of each class (by current label) the
     * floor(class size x fraction) samples with the smallest score. With cap, a class larger than
     * the median class size takes floor(median x fraction) instead (see {@link Balance#PER_CLASS_CAPPED}).
     */
    public static boolean[] lowestFractionPerClass(float[] score, int[] labels, int classes, double fraction, boolean cap) {
        boolean[] pool = new boolean[score.length];
        int[] sizes = new int[classes];
        for (int l : labels) sizes[l]++;
        int[] sorted = sizes.clone();
        Arrays.sort(sorted);
        // the lower median: with an even count of classes the upper one could be a second large class
        int median = sorted[(classes - 1) / 2];
        for (int k = 0; k < classes; k++) {
            final int c = k;
            int[] cand = IntStream.range(0, score.length).filter(i -> labels[i] == c).toArray();
            int[] ord = ascending(score, cand);
            int take = (int) Math.floor((cap ? Math.min(cand.length, median) : cand.length) * fraction);
            for (int j = 0; j < take; j++) pool[ord[j]] = true;
        }
        return pool;
    }

    /** Stage 3's score: how much one more epoch lowered each loss; the least-lowered samples count as clean. */
    public static float[] reduction(float[] before, float[] after) {
        float[] d = new float[before.length];
        for (int i = 0; i < d.length; i++) d[i] = before[i] - after[i];
        return d;
    }

    /**
     * `perClass` distinct positions per class among the eligible ones, drawn uniformly from a seeded
     * stream; classes in order. Fails naming the class when one has too few.
     */
    public static int[] pickPerClass(int[] labels, boolean[] eligible, int classes, int perClass, long seed, String what) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            final int c = k;
            int[] cand = IntStream.range(0, labels.length).filter(i -> labels[i] == c && eligible[i]).toArray();
            if (cand.length < perClass) {
                throw new BadInputException(what + ": class " + c + " has " + cand.length + " eligible samples, ASD needs " + perClass);
            }
            int[] ord = BatchLoader.shuffledOrder(cand.length, seed * 31 + c);
            for (int j = 0; j < perClass; j++) out.add(cand[ord[j]]);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Rows of k probabilities raised to 1/T and renormalised (MixMatch's sharpening). */
    public static float[] sharpen(float[] p, int k, double temperature) {
        float[] out = new float[p.length];
        for (int r = 0; r < p.length / k; r++) {
            double s = 0;
            for (int j = 0; j < k; j++) s += Math.pow(p[r * k + j], 1 / temperature);
            for (int j = 0; j < k; j++) out[r * k + j] = (float) (Math.pow(p[r * k + j], 1 / temperature) / s);
        }
        return out;
    }

    /** Row i becomes lambda x row i + (1 - lambda) x row perm[i] (MixUp of inputs or targets). */
    public static float[] mix(float[] rows, int width, double lambda, int[] perm) {
        float[] out = new float[rows.length];
        for (int i = 0; i < perm.length; i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = (float) (lambda * rows[i * width + j] + (1 - lambda) * rows[perm[i] * width + j]);
            }
        }
        return out;
    }

    /** MixMatch's mixing weight: lambda ~ Beta(alpha, alpha), then max(lambda, 1 - lambda) so each row keeps mostly itself. */
    public static double mixupLambda(double alpha, RandomGenerator rng) {
        double l = beta(alpha, alpha, rng);
        return Math.max(l, 1 - l);
    }

    /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
    static double beta(double a, double b, RandomGenerator rng) {
        double x = gamma(a, rng), y = gamma(b, rng);
        return x / (x + y);
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 through the U^(1/shape) boost. */
    static double gamma(double shape, RandomGenerator rng) {
        if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }

    /**
     * Symmetric cross-entropy of row-major logits (n x k) on arrays, with the reference's clamps;
     * the same arithmetic the engine runs in {@link Model#symmetricCrossEntropy}.
     */
    public static float[] symmetricCrossEntropy(float[] logits, int k, int[] labels, double alpha, double beta) {
        int n = labels.length;
        float[] out = new float[n];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[r * k + j]);
            double z = 0;
            for (int j = 0; j < k; j++) z += Math.exp(logits[r * k + j] - max);
            double ce = -(logits[r * k + labels[r]] - max - Math.log(z));
            double rce = 0;
            for (int j = 0; j < k; j++) {
                if (j == labels[r]) continue;
                double p = Math.min(1, Math.max(1e-7, Math.exp(logits[r * k + j] - max) / z));
                rce -= p * Math.log(1e-4);
            }
            out[r] = (float) (alpha * ce + beta * rce);
        }
        return out;
    }

    /**
     * The parameters the virtual model trains: the last two residual groups and the head, as the
     * reference's layer3 + layer4 + linear; networks that normalise after their last group (WRN,
     * pre-activation ResNet) also train that final BN, which belongs to the top of the network.
     */
    public static Predicate<String> upperLayers(Model m) {
        List<String> taps = m.tapNames();
        List<String> prefixes = new ArrayList<>(taps.subList(Math.max(0, taps.size() - 2), taps.size()));
        prefixes.add(m.headName());
        if (m.arch().startsWith("wrn") || m.arch().startsWith("preact")) prefixes.add("bn1");
        return name -> prefixes.stream().anyMatch(p -> name.startsWith(p + "."));
    }

    // ---- the run ----

    /**
     * Trains `model` (freshly initialised) with ASD on the poisoned set. With TRUSTED_SET seeds,
     * `trusted` is appended to the training data and the seeds come from it; otherwise it may be
     * null. Checkpoints after every epoch go to `dir` when given, and a run found there is resumed.
     */
    public static Result run(Model model, ImageSet poisoned, ImageSet trusted, Config c, Path dir, Listener listener, Progress progress) {
        ImageSet data = poisoned;
        int[] seeds;
        if (c.cleanSeeds() == CleanSeeds.TRUSTED_SET) {
            if (trusted == null || trusted.size() == 0) {
                throw new BadInputException("ASD clean seeds 'trusted-set' need a trusted clean set; pass one or use 'poison-flags'");
            }
            data = poisoned.concat(poisoned.name() + "+trusted", trusted);
            boolean[] el = new boolean[data.size()];
            Arrays.fill(el, poisoned.size(), data.size(), true);
            seeds = pickPerClass(data.labels(), el, data.numClasses(), c.seedsPerClass(), c.seed(), "trusted clean set");
        } else {
            if (trusted != null) data = poisoned.concat(poisoned.name() + "+trusted", trusted);
            boolean[] el = data.poisonFlags();
            for (int i = 0; i < el.length; i++) el[i] = !el[i];
            seeds = pickPerClass(data.labels(), el, data.numClasses(), c.seedsPerClass(), c.seed(), "samples flagged clean");
        }
        Augmentation aug = Augmentation.asd();
        model.normalization(aug.mean(), aug.std());
        Optimizer opt = switch (c.optimizer()) {
            case ADAM -> model.adam(c.weightDecay() == 0 ? Adam.Options.reference(c.lr()) : Adam.Options.adamW(c.lr(), c.weightDecay()), n -> true);
            case SGD -> model.sgd(new Sgd.Options(c.lr(), SGD_MOMENTUM, true, c.weightDecay()));
        };
        TrainConfig asCheckpoint = new TrainConfig(c.epochs(), c.batchSize(), c.optimizer().name().toLowerCase(Locale.ROOT), c.lr(), 0, false, 0, new Schedule.Constant(),
                aug, true, true, c.seed());
        Checkpoint ckpt = dir == null ? null : new Checkpoint(dir.resolve("asd.ckpt.safetensors"));
        int start = 0;
        if (ckpt != null && ckpt.exists()) {
            String saved = ckpt.metadata().get("asd");
            if (saved != null && !saved.equals(c.toString())) {
                throw new BadInputException(ckpt.file() + ": checkpoint was written with another ASD config; start a fresh run directory");
            }
            start = ckpt.restore(model, opt, asCheckpoint);
            listener.note("ASD: resuming after epoch " + start + " of " + c.epochs());
        }
        List<EpochReport> reports = new ArrayList<>();
        boolean[] pool = null;
        int[] labels = data.labels();
        // the weights after each averaged epoch, by epochs done; from files for the epochs before a resume
        Map<Integer, SafeTensors.Contents> tail = new TreeMap<>();
        int firstAveraged = c.epochs() - c.averageLast() + 1;
        // start > 0 only when a checkpoint in dir was found
        for (int done = firstAveraged; c.averageLast() > 1 && done <= start; done++) {
            Path f = averagedWeights(dir, done);
            if (!Files.isRegularFile(f)) throw new BadInputException(f + ": weights of an averaged epoch are missing; start a fresh run directory");
            tail.put(done, SafeTensors.read(f));
        }
        for (int e = start; e < c.epochs(); e++) {
            long t0 = System.nanoTime();
            long es = Trainer.epochSeed(c.seed(), e);
            int stage = c.stage(e);
            float[] before = recordLosses(model, data, c, aug, es ^ 0x5EC0DL);
            if (stage == 1) {
                pool = classAwarePool(before, labels, data.numClasses(), seeds, c.choiceNum(e));
            } else if (stage == 2 || c.lateSplit() == LateSplit.LOSS) {
                pool = lowest(before, labels, data.numClasses(), c);
            } else {
                float[] after = virtualLosses(model, data, c, aug, es, progress);
                pool = lowest(reduction(before, after), labels, data.numClasses(), c);
            }
            final boolean[] p = pool;
            int[] lab = IntStream.range(0, pool.length).filter(i -> p[i]).toArray();
            int[] unl = IntStream.range(0, pool.length).filter(i -> !p[i]).toArray();
            int poisonedIn = 0;
            for (int i : lab) if (data.poisoned(i)) poisonedIn++;
            double[] m = mixMatchEpoch(model, opt, data, lab, unl, c, aug, e, es, progress);
            if (c.refreshBn() > 0) refreshStatistics(model, data, c.refreshBn(), es ^ 0xB4L);
            EpochReport r = new EpochReport(e, stage, lab.length, unl.length, poisonedIn, data.poisonedCount(), m[0], m[1], m[2],
                    m[3], m[4], c.iterations(), (int) m[5], (System.nanoTime() - t0) / 1e9);
            reports.add(r);
            listener.epoch(r, model);
            if (c.averageLast() > 1 && e + 1 >= firstAveraged) {
                // written before the checkpoint, so a resume after that checkpoint finds it
                SafeTensors.Contents w = new SafeTensors.Contents(model.stateDict(), model.weightsMetadata());
                if (dir != null) writeWeights(averagedWeights(dir, e + 1), w);
                tail.put(e + 1, w);
            }
            if (ckpt != null) ckpt.save(e + 1, model, opt, asCheckpoint, Map.of("asd", c.toString()));
        }
        if (c.averageLast() > 1) {
            List<Path> names = tail.keySet().stream().map(d -> dir == null ? Path.of("epoch " + d) : averagedWeights(dir, d)).toList();
            model.loadStateDict(WeightAverage.average(names, List.copyOf(tail.values())).tensors(), true);
            // averaged running statistics belong to none of the averaged networks
            int n = refreshStatistics(model, data, Math.max(c.refreshBn(), AVERAGE_REFRESH), Trainer.epochSeed(c.seed(), c.epochs()) ^ 0xA5L);
            listener.note("ASD: the final weights are the average of those after epochs " + firstAveraged + "-" + c.epochs()
                    + ", batch-norm statistics re-estimated on " + n + " plain images");
        }
        return new Result(data, seeds, pool, reports, start);
    }

    /** Plain images that re-estimate batch-norm statistics of averaged weights at least, whatever refreshBn says. */
    static final int AVERAGE_REFRESH = 2000;

    /** Where the weights after `epochsDone` epochs are kept for the final average. */
    static Path averagedWeights(Path dir, int epochsDone) {
        return dir.resolve(String.format(Locale.ROOT, "asd.epoch-%03d.safetensors", epochsDone));
    }

    private static void writeWeights(Path file, SafeTensors.Contents w) {
        try {
            SafeTensors.write(file, w.tensors(), w.metadata());
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot write", ex);
        }
    }

    private static boolean[] lowest(float[] score, int[] labels, int classes, Config c) {
        return switch (c.balance()) {
            case OVERALL -> lowestFraction(score, c.cleanFraction());
            case PER_CLASS -> lowestFractionPerClass(score, labels, classes, c.cleanFraction(), false);
            case PER_CLASS_CAPPED -> lowestFractionPerClass(score, labels, classes, c.cleanFraction(), true);
        };
    }

    /**
     * MixMatch leaves batch-norm running statistics that mixed inputs (three of the five passes a
     * step) dominate; the evaluation and the next epoch's loss ranking see plain images. This
     * replaces them by the statistics of n plain training images (drawn in the seed's shuffled
     * order, at most the whole set); weights are not touched. Returns the number of images used.
     */
    public static int refreshStatistics(Model model, ImageSet data, int n, long seed) {
        int k = Math.min(n, data.size()), ib = data.imageBytes();
        int[] order = BatchLoader.shuffledOrder(data.size(), seed);
        byte[] px = new byte[k * ib];
        for (int i = 0; i < k; i++) data.copyImage(order[i], px, i * ib);
        model.recomputeBatchNormStatistics(px, k, 128);
        return k;
    }

    /** Per-sample SCE under the model in eval mode, in data order; images augmented first when the config says so. */
    static float[] recordLosses(Model model, ImageSet data, Config c, Augmentation aug, long seed) {
        int n = data.size(), ib = data.imageBytes();
        float[] out = new float[n];
        int[] labels = data.labels();
        for (int from = 0; from < n; from += c.loaderBatch()) {
            int b = Math.min(c.loaderBatch(), n - from);
            byte[] px = new byte[b * ib];
            for (int k = 0; k < b; k++) {
                data.copyImage(from + k, px, k * ib);
                if (c.recordWithAugmentation()) {
                    aug.apply(px, k * ib, data.height(), data.width(), data.channels(), new SplittableRandom(BatchLoader.sampleSeed(seed, from + k)));
                }
            }
            float[] l = model.symmetricCrossEntropy(px, b, Arrays.copyOfRange(labels, from, from + b), c.sceAlpha(), c.sceBeta());
            System.arraycopy(l, 0, out, from, b);
        }
        return out;
    }

    /**
     * Stage 3's second recording: a copy of the model trains its upper layers for metaEpochs on the
     * whole poisoned set (Adam at metaLr, cross-entropy, augmented, shuffled), then records the
     * losses; the copy is discarded and the real model is untouched. The rule only works when that
     * epoch is long enough to learn the backdoor (391 steps on CIFAR-10): on 2,000 synthetic images
     * (16 steps) the poisoned losses fell less than the clean ones and stage 3 took in more poison.
     */
    static float[] virtualLosses(Model model, ImageSet data, Config c, Augmentation aug, long es, Progress progress) {
        try (Model v = model.copy()) {
            Optimizer vo = v.adam(Adam.Options.reference(c.metaLr()), upperLayers(v));
            TrainConfig vc = new TrainConfig(c.metaEpochs(), c.loaderBatch(), "adam", c.metaLr(), 0, false, 0, new Schedule.Constant(),
                    aug, true, false, es ^ 0x717L);
            Trainer.train(v, vo, data, vc, new Trainer.Hooks() {}, null, progress, -1);
            return recordLosses(v, data, c, aug, es ^ 0xAF7E5L);
        }
    }

    /** Samples of one pool served in shuffled passes of whole batches (the last partial batch dropped), each fetch freshly augmented. */
    private static final class Stream {
        private final ImageSet data;
        private final int[] positions;
        private final int batch;
        private final long seed;
        private final Augmentation aug;
        private int pass = -1, cursor;
        private int[] order;
        private long passSeed;

        Stream(ImageSet data, int[] positions, int batch, long seed, Augmentation aug) {
            this.data = data;
            this.positions = positions;
            this.batch = batch;
            this.seed = seed;
            this.aug = aug;
        }

        /** The next batch's positions; starts a new pass when the current one has no whole batch left. */
        int[] next() {
            if (order == null || cursor + batch > order.length) {
                pass++;
                passSeed = BatchLoader.sampleSeed(seed, pass);
                order = BatchLoader.shuffledOrder(positions.length, passSeed);
                cursor = 0;
            }
            int[] out = new int[batch];
            for (int i = 0; i < batch; i++) out[i] = positions[order[cursor + i]];
            cursor += batch;
            return out;
        }

        /** The images at the given positions, view v of each augmented with its own generator. */
        byte[] images(int[] pos, int firstK, int view) {
            int ib = data.imageBytes();
            byte[] px = new byte[pos.length * ib];
            for (int i = 0; i < pos.length; i++) {
                data.copyImage(pos[i], px, i * ib);
                long k = 2L * (firstK + i) + view;
                aug.apply(px, i * ib, data.height(), data.width(), data.channels(), new SplittableRandom(BatchLoader.sampleSeed(passSeed, k)));
            }
            return px;
        }

        int cursorBefore() { return cursor - batch; }
    }

    /**
     * One MixMatch epoch of c.iterations() steps; returns mean loss, mean labelled loss, mean
     * unlabelled loss, mean lambdaU, labelled accuracy and the batch used.
     */
    static double[] mixMatchEpoch(Model model, Optimizer opt, ImageSet data, int[] labelled, int[] unlabelled, Config c,
                                  Augmentation aug, int epoch, long es, Progress progress) {
        // both pools feed one interleaved batch, so the smaller pool bounds it (only tiny data sets notice)
        int b = Math.min(c.batchSize(), Math.min(labelled.length, unlabelled.length));
        if (b < 3) {
            throw new BadInputException("ASD pools of " + labelled.length + " labelled and " + unlabelled.length
                    + " unlabelled samples are too small for a MixMatch batch (need 3 each)");
        }
        Stream ls = new Stream(data, labelled, b, es ^ 0x1AB1L, aug);
        Stream us = new Stream(data, unlabelled, b, es ^ 0x0B1AL, aug);
        double loss = 0, lx = 0, lu = 0, lam = 0;
        long correct = 0;
        progress.begin("asd epoch " + (epoch + 1) + "/" + c.epochs(), c.iterations());
        for (int it = 0; it < c.iterations(); it++) {
            int[] lp = ls.next();
            byte[] x = ls.images(lp, ls.cursorBefore(), 0);
            int[] y = new int[b];
            for (int i = 0; i < b; i++) y[i] = data.label(lp[i]);
            int[] up = us.next();
            byte[] u1 = us.images(up, us.cursorBefore(), 0);
            byte[] u2 = us.images(up, us.cursorBefore(), 1);
            long stepSeed = BatchLoader.sampleSeed(es ^ 0x313L, it);
            double lambda = mixupLambda(c.mixAlpha(), new SplittableRandom(stepSeed));
            int[] perm = BatchLoader.shuffledOrder(3 * b, stepSeed + 1);
            double wu = c.lambdaU(epoch, it);
            opt.setLearningRate(c.lrAt(epoch, it));
            Model.MixMatchResult r = model.mixMatchStep(opt, x, y, u1, u2, b, c.temperature(), lambda, perm, wu);
            loss += r.loss();
            lx += r.lossX();
            lu += r.lossU();
            lam += wu;
            correct += r.correct();
            progress.update(it + 1, loss / (it + 1), (double) correct / ((long) (it + 1) * b));
        }
        int n = c.iterations();
        progress.end(loss / n, (double) correct / ((long) n * b), "");
        return new double[]{loss / n, lx / n, lu / n, lam / n, (double) correct / ((long) n * b), b};
    }
}
