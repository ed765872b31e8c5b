package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.defense.Asd;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.report.RunDirectory;
import io.antidote.train.Checkpoint;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/** `antidote defend asd`: Adaptively Splitting poisoned Dataset, MixMatch training from scratch on an adaptively chosen clean pool. */
@Command(name = "asd", mixinStandardHelpOptions = true,
        description = "ASD: semi-supervised (MixMatch) training on a clean pool re-split every epoch by loss, in three stages.")
final class AsdCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", description = OptionText.DATA)
    String data;

    @Mixin
    AttackOptions attack;

    @Option(names = "--preset", defaultValue = "paper",
            description = "paper (120 epochs, ResNet-18, 1,024 steps per epoch) | cpu (42 epochs, WRN-16-1, 1,024 steps per epoch, "
                    + "1.4-2.9 hours on 2 cores with bf16, by VM) | quick (40 epochs, WRN-16-1, 256 steps per epoch, about 25 minutes)")
    String preset;

    @Option(names = "--model", description = "Network (default: resnet18 for --preset paper, wrn-16-1 for cpu and quick).")
    String model;

    @Option(names = "--seed", defaultValue = "1", description = OptionText.SEED)
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = OptionText.PRECISION)
    String precision;

    @Option(names = "--epochs", description = "Total epochs; the stage boundaries, growth interval and ramp-up scale with it.")
    Integer epochs;

    @Option(names = "--iterations", description = "MixMatch steps per epoch.")
    Integer iterations;

    @Option(names = "--batch-size", description = "MixMatch batch of labelled and of unlabelled samples (default 64).")
    Integer batchSize;

    @Option(names = "--clean-seeds", defaultValue = "held-out",
            description = "held-out: 10 images per class set aside from the clean training data before poisoning (with poisoned:DIR, "
                    + "taken from the samples flagged clean) form a trusted set | poison-flags: the reference's draw from the poisoned "
                    + "training set using its ground-truth poison flags")
    String cleanSeeds;

    @Option(names = "--schedule", description = "Learning-rate schedule of the MixMatch Adam: constant (the reference) | cosine | "
            + "onecycle | step:N[:G] | multistep:A,B[:G] (default: the preset's).")
    String schedule;

    @Option(names = "--late-split", description = "Stage 3's clean pool: meta (the reference's loss reduction under a virtual "
            + "epoch) | loss (stage 2's lowest losses kept) (default: the preset's).")
    String lateSplit;

    @Option(names = "--split-balance", description = "Stages 2 and 3 take their share of the data: overall (the reference) | "
            + "per-class (the same share of every class) | per-class-capped (the same, no class above the median class size's share) "
            + "(default: the preset's).")
    String splitBalance;

    @Option(names = "--split-fraction", description = "Share of the data stages 2 and 3 put into the clean pool (default: the preset's, "
            + "0.5 as the reference's; with per-class balance, the share of each class).")
    Double splitFraction;

    @Option(names = "--stages", split = ",", paramLabel = "S2,S3",
            description = "Epochs (0-based) where stages 2 and 3 begin, e.g. 10,25 (default: the preset's, scaled with --epochs).")
    int[] stages;

    @Option(names = "--lr", description = "Peak learning rate of the MixMatch Adam (default: the preset's, 0.002 as the reference).")
    Double lr;

    @Option(names = "--grow", split = ",", paramLabel = "N,E",
            description = "Stage 1 adds N lowest-loss samples per class to the clean pool every E epochs (default: the preset's; "
                    + "the reference's 10,5; E is not rescaled by --epochs when given).")
    int[] grow;

    @Option(names = "--lambda-u", paramLabel = "W[,R]",  split = ",",
            description = "Weight of MixMatch's unlabelled loss, reached linearly over the first R epochs (default: the preset's, "
                    + "15 over the whole run as the reference; MixMatch's own CIFAR-10 setting is 75).")
    double[] lambdaU;

    @Option(names = "--weight-decay", description = "Weight decay of the MixMatch optimiser: with adam decoupled (AdamW, each step shrinks the "
            + "weights by lr x this), with sgd added to the gradient (default 0, as the reference).")
    Double weightDecay;

    @Option(names = "--optimizer", description = "Optimiser of the MixMatch steps: adam (the reference) | sgd (Nesterov momentum 0.9); "
            + "--lr sets its (peak) rate.")
    String optimizer;

    @Option(names = "--refresh-bn", paramLabel = "N", description = "After every epoch, re-estimate batch-norm statistics on N plain "
            + "training images, for the evaluation and the next split (default 0, as the reference: MixMatch's mixed passes set them).")
    Integer refreshBn;

    @Option(names = "--mix-alpha", paramLabel = "A", description = "MixMatch's mixup: lambda ~ Beta(A, A), kept above 1/2 "
            + "(default 0.75, as the reference and MixMatch; smaller mixes less).")
    Double mixAlpha;

    @Option(names = "--temperature", paramLabel = "T", description = "Sharpening temperature of the guessed labels of the polluted pool "
            + "(default 0.5, as the reference).")
    Double temperature;

    @Option(names = "--average-last", paramLabel = "K", description = "End with the uniform average of the weights after each of the "
            + "last K epochs (stochastic weight averaging over the schedule's tail), batch-norm statistics re-estimated on at least "
            + "2,000 plain images; each of those epochs' weights is kept in the run directory (default 0: the last epoch's weights, as the reference).")
    Integer averageLast;

    @Option(names = "--out", description = "Run directory (default runs/asd-<attack>-<seed>); a checkpoint found there is resumed.")
    Path out;

    /** ASD's starting points by name. */
    static final Map<String, java.util.function.LongFunction<Asd.Config>> PRESETS = new LinkedHashMap<>();
    /** Where the clean seeds come from, by the name users give it. */
    static final Map<String, Asd.CleanSeeds> CLEAN_SEEDS = new LinkedHashMap<>();
    /** Stage 3's split rules, by the name users give them. */
    static final Map<String, Asd.LateSplit> LATE_SPLITS = new LinkedHashMap<>();
    /** Whether stages 2 and 3 rank overall or within each class, by the name users give it. */
    static final Map<String, Asd.Balance> BALANCES = new LinkedHashMap<>();
    /** The MixMatch steps' optimisers, by the name users give them. */
    static final Map<String, Asd.Optim> OPTIMIZERS = new LinkedHashMap<>();

    static {
        PRESETS.put("paper", Asd.Config::paper);
        PRESETS.put("cpu", Asd.Config::cpu);
        PRESETS.put("quick", Asd.Config::quick);
        CLEAN_SEEDS.put("held-out", Asd.CleanSeeds.TRUSTED_SET);
        CLEAN_SEEDS.put("poison-flags", Asd.CleanSeeds.POISON_FLAGS);
        LATE_SPLITS.put("meta", Asd.LateSplit.META);
        LATE_SPLITS.put("loss", Asd.LateSplit.LOSS);
        BALANCES.put("overall", Asd.Balance.OVERALL);
        BALANCES.put("per-class", Asd.Balance.PER_CLASS);
        BALANCES.put("per-class-capped", Asd.Balance.PER_CLASS_CAPPED);
        OPTIMIZERS.put("adam", Asd.Optim.ADAM);
        OPTIMIZERS.put("sgd", Asd.Optim.SGD);
    }

    Asd.Config config() {
        if (!PRESETS.containsKey(preset)) throw new BadInputException("--preset '" + preset + "' is not one of " + String.join(", ", PRESETS.keySet()));
        if (iterations != null && iterations < 1) throw new BadInputException("--iterations " + iterations + " must be >= 1");
        if (batchSize != null && batchSize < 3) throw new BadInputException("--batch-size " + batchSize + " must be >= 3");
        if (!CLEAN_SEEDS.containsKey(cleanSeeds)) {
            throw new BadInputException("--clean-seeds '" + cleanSeeds + "' is not one of " + String.join(", ", CLEAN_SEEDS.keySet()));
        }
        if (lateSplit != null && !LATE_SPLITS.containsKey(lateSplit)) {
            throw new BadInputException("--late-split '" + lateSplit + "' is not one of " + String.join(", ", LATE_SPLITS.keySet()));
        }
        if (splitBalance != null && !BALANCES.containsKey(splitBalance)) {
            throw new BadInputException("--split-balance '" + splitBalance + "' is not one of " + String.join(", ", BALANCES.keySet()));
        }
        if (stages != null && stages.length != 2) throw new BadInputException("--stages needs two epochs S2,S3, got " + stages.length);
        Schedule s = schedule == null ? null : Schedule.parse(schedule);
        Asd.Config c = build(preset, seed, epochs, iterations, batchSize, CLEAN_SEEDS.get(cleanSeeds), s, lateSplit == null ? null : LATE_SPLITS.get(lateSplit),
                splitBalance == null ? null : BALANCES.get(splitBalance));
        if (lr != null) c = c.withLr(lr);
        if (splitFraction != null) {
            if (!(splitFraction > 0 && splitFraction < 1)) throw new BadInputException("--split-fraction " + splitFraction + " must be in (0, 1)");
            c = c.withCleanFraction(splitFraction);
        }
        if (weightDecay != null) {
            if (!(weightDecay >= 0) || weightDecay.isInfinite()) throw new BadInputException("--weight-decay " + weightDecay + " must be >= 0");
            c = c.withWeightDecay(weightDecay);
        }
        if (optimizer != null) {
            if (!OPTIMIZERS.containsKey(optimizer)) {
                throw new BadInputException("--optimizer '" + optimizer + "' is not one of " + String.join(", ", OPTIMIZERS.keySet()));
            }
            c = c.withOptimizer(OPTIMIZERS.get(optimizer));
        }
        if (refreshBn != null) {
            if (refreshBn < 0) throw new BadInputException("--refresh-bn " + refreshBn + " must be >= 0");
            c = c.withRefreshBn(refreshBn);
        }
        if (averageLast != null) {
            if (averageLast < 0 || averageLast > c.epochs()) {
                throw new BadInputException("--average-last " + averageLast + " is outside [0, " + c.epochs() + "] (the run's epochs)");
            }
            c = c.withAverageLast(averageLast);
        }
        if (mixAlpha != null || temperature != null) {
            double a = mixAlpha != null ? mixAlpha : c.mixAlpha(), t = temperature != null ? temperature : c.temperature();
            if (!(a > 0) || Double.isInfinite(a)) throw new BadInputException("--mix-alpha " + a + " must be > 0");
            if (!(t > 0) || Double.isInfinite(t)) throw new BadInputException("--temperature " + t + " must be > 0");
            c = c.withMixing(a, t);
        }
        if (grow != null) {
            if (grow.length != 2) throw new BadInputException("--grow needs two integers N,E, got " + grow.length);
            c = c.withGrowth(grow[0], grow[1]);
        }
        if (lambdaU != null) {
            if (lambdaU.length < 1 || lambdaU.length > 2) throw new BadInputException("--lambda-u needs W or W,R, got " + lambdaU.length + " values");
            c = c.withUnlabelledWeight(lambdaU[0], lambdaU.length == 2 ? lambdaU[1] : c.rampupEpochs());
        }
        if (stages == null) return c;
        // explicit boundaries win over the ones --epochs scaled
        if (stages[0] < 0 || stages[1] < stages[0] || stages[1] > c.epochs()) {
            throw new BadInputException("--stages " + stages[0] + "," + stages[1] + " must satisfy 0 <= S2 <= S3 <= epochs (" + c.epochs() + ")");
        }
        return c.withStages(stages[0], stages[1]);
    }

    /** A preset with the given fields overridden (null keeps the preset's); the flags and experiment files both build ASD's config here. */
    static Asd.Config build(String preset, long seed, Integer epochs, Integer iterations, Integer batchSize, Asd.CleanSeeds cleanSeeds,
                            Schedule schedule, Asd.LateSplit lateSplit, Asd.Balance balance) {
        Asd.Config c = PRESETS.get(preset).apply(seed);
        if (epochs != null) c = c.scaledTo(epochs);
        if (iterations != null) c = c.withIterations(iterations);
        if (batchSize != null) c = c.withBatchSize(batchSize);
        if (schedule != null) c = c.withSchedule(schedule);
        if (lateSplit != null) c = c.withLateSplit(lateSplit);
        if (balance != null) c = c.withBalance(balance);
        return c.withCleanSeeds(cleanSeeds);
    }

    String modelName() {
        return model != null ? model : preset.equals("paper") ? "resnet18" : "wrn-16-1";
    }

    /** The training set without a trusted slice of `perClass` images per class drawn among the eligible ones, and that slice. */
    private static ImageSet[] holdOut(ImageSet set, boolean[] eligible, int perClass, long seed) {
        int[] held = Asd.pickPerClass(set.labels(), eligible, set.numClasses(), perClass, seed ^ 0x7257L, "--clean-seeds held-out");
        Set<Integer> h = new HashSet<>();
        for (int i : held) h.add(i);
        int[] rest = IntStream.range(0, set.size()).filter(i -> !h.contains(i)).toArray();
        return new ImageSet[]{set.subset(set.name(), rest), set.subset(set.name() + "-trusted", held)};
    }

    /**
     * Sets the trusted seeds aside and poisons the rest with `poison` (null when the data is
     * poisoned already); `dataKey` names where the data was given, for messages.
     */
    static DataSource.Prepared prepare(DataSource.Split d, String dataKey, java.util.function.Function<DataSource.Split, AttackOptions.Poisoned> poison,
                            Asd.Config cfg, long seed) {
        ImageSet train = d.train();
        ImageSet trusted = null;
        DataSource.Poisoning poisoning = d.poisoning();
        boolean heldOut = cfg.cleanSeeds() == Asd.CleanSeeds.TRUSTED_SET;
        if (poison != null) {
            if (poisoning != null) throw new BadInputException("--attack: " + dataKey + " is poisoned already; drop --attack or poison the clean set");
            DataSource.Split source = d;
            if (heldOut) {
                // set aside before poisoning, so the trusted images are clean by construction
                boolean[] all = new boolean[train.size()];
                Arrays.fill(all, true);
                ImageSet[] parts = holdOut(train, all, cfg.seedsPerClass(), seed);
                trusted = parts[1];
                source = new DataSource.Split(parts[0], d.test());
            }
            AttackOptions.Poisoned p = poison.apply(source);
            train = p.poisonedTrain();
            poisoning = p.poisoning();
        } else if (poisoning != null && heldOut) {
            // a poisoned directory has no separate clean slice: simulate one from the samples flagged clean
            boolean[] clean = train.poisonFlags();
            for (int i = 0; i < clean.length; i++) clean[i] = !clean[i];
            ImageSet[] parts = holdOut(train, clean, cfg.seedsPerClass(), seed);
            train = parts[0];
            trusted = parts[1];
        }
        return new DataSource.Prepared(train, trusted, poisoning);
    }

    @Override
    public Integer call() {
        attack.check();
        Asd.Config cfg = config();
        String arch = modelName();
        DataSource.Split d = DataSource.resolve(data);
        DataSource.Prepared prep = prepare(d, "--data " + data, attack.enabled() ? split -> attack.poison(split, seed) : null, cfg, seed);
        DataSource.Poisoning poisoning = prep.poisoning();
        if (poisoning == null) throw new BadInputException("--attack is required unless --data is a poisoned set (poisoned:DIR)");
        ImageSet train = prep.train();
        Path dir = out != null ? out : Path.of("runs", "asd-" + poisoning.summary().getOrDefault("name", "data") + "-" + seed);
        RunDirectory run = new RunDirectory(dir);
        long t0 = System.nanoTime();
        try (Model m = Model.create(arch, train.numClasses(), train.height(), train.width(), train.channels(), seed, Precision.parse(precision))) {
            Map<String, Object> prov = Runs.provenance(seed, train, d.test(), m);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "defend asd");
            config.put("data", data);
            config.put("model", arch);
            config.put("preset", preset);
            config.put("asd", cfg.toString());
            config.put("clean_seeds", cleanSeeds);
            config.put("attack", poisoning.summary());
            config.put("provenance", prov);
            run.writeJson("config.json", config);
            Runs.writeTriggerPreview(run, d.test(), prep.poisoning().poisonedTest(), d.train(), train);
            Map<String, Object> result = defend(run, m, prep, d.test(), cfg, cleanSeeds, preset, prov);
            double secs = (System.nanoTime() - t0) / 1e9;
            result.put("wall_seconds", secs);
            result.put("attack", poisoning.summary());
            result.put("provenance", prov);
            run.writeJson("result.json", result);
            System.out.printf(Locale.ROOT, "ASD done (%.0f s), run directory %s%n", secs, dir);
        }
        return 0;
    }

    /**
     * ASD on the fresh model `m`, resuming a checkpoint in the run directory, every epoch and pool
     * split into metrics.jsonl; saves model.safetensors and returns its scores and the pools. The
     * flags and experiment files both come here.
     */
    static Map<String, Object> defend(RunDirectory run, Model m, DataSource.Prepared prep, ImageSet test, Asd.Config cfg, String cleanSeeds, String preset,
                                      Map<String, Object> prov) {
        ImageSet train = prep.train();
        ImageSet trusted = prep.trusted();
        ImageSet poisonedTest = prep.poisoning().poisonedTest();
        int target = prep.poisoning().target();
        Checkpoint ckpt = new Checkpoint(run.resolve("asd.ckpt.safetensors"));
        if (ckpt.exists()) {
            int done = Integer.parseInt(ckpt.metadata().getOrDefault("epochs_done", "0"));
            run.truncateMetrics("asd", done);
            run.truncateMetrics(Asd.SPLIT_STAGE, done);
        }
        Runs.EpochRecorder rec = new Runs.EpochRecorder(run, test, poisonedTest, target, cfg.epochs(), System.out);
        List<Map<String, Object>> splits = new ArrayList<>();
        System.out.printf("ASD on %s (%d images, %d poisoned%s), %s, %s, preset %s: %d epochs, stages from %d and %d, %d steps per epoch; "
                        + "stages 2-3 split %s, stage 3 by %s%s%n",
                train.name(), train.size(), train.poisonedCount(), trusted == null ? "" : ", plus " + trusted.size() + " trusted",
                m.arch(), m.precision().label(), preset, cfg.epochs(), cfg.stage2Start(), cfg.stage3Start(), cfg.iterations(),
                cfg.balance().name().toLowerCase(Locale.ROOT).replace('_', ' '), cfg.lateSplit() == Asd.LateSplit.META ? "loss reduction (meta)" : "loss",
                (cfg.optimizer() == Asd.Optim.ADAM ? "" : ", " + cfg.optimizer().name().toLowerCase(Locale.ROOT) + " at " + cfg.lr())
                        + (cfg.weightDecay() == 0 ? "" : (cfg.optimizer() == Asd.Optim.ADAM ? ", AdamW decay " : ", weight decay ") + cfg.weightDecay())
                        + (cfg.refreshBn() == 0 ? "" : ", batch-norm statistics from " + cfg.refreshBn() + " plain images after each epoch")
                        + (cfg.averageLast() > 1 ? ", final weights averaged over the last " + cfg.averageLast() + " epochs" : ""));
        Asd.Listener listener = (r, mm) -> {
            Trainer.EpochStats s = new Trainer.EpochStats(r.epoch(), cfg.lrAt(r.epoch(), 0), r.loss(), r.labelledAccuracy(),
                    r.iterations() * 3 * r.batchSize(), r.seconds());
            rec.record("asd", s, mm);
            Map<String, Object> sp = new LinkedHashMap<>();
            sp.put("stage", Asd.SPLIT_STAGE);
            sp.put("epoch", r.epoch() + 1);
            sp.put("split_stage", r.stage());
            sp.put("labelled", r.labelled());
            sp.put("unlabelled", r.unlabelled());
            sp.put("poisoned_in_labelled", r.poisonedInLabelled());
            sp.put("poisoned_fraction_of_labelled", r.poisonedFraction());
            sp.put("poisoned_total", r.poisonedTotal());
            sp.put("loss_x", r.lossX());
            sp.put("loss_u", r.lossU());
            sp.put("lambda_u", r.lambdaU());
            run.appendMetrics(sp);
            splits.add(sp);
            System.out.printf(Locale.ROOT, "  split stage %d: clean pool %d (%d poisoned, %.2f%%), polluted pool %d; Lx %.4f  Lu %.4f  lambda_u %.3f%n",
                    r.stage(), r.labelled(), r.poisonedInLabelled(), 100 * r.poisonedFraction(), r.unlabelled(), r.lossX(), r.lossU(), r.lambdaU());
        };
        Asd.Result r = Asd.run(m, train, trusted, cfg, run.path(), listener, new Progress(System.err, false));
        Metrics.Scores s = Metrics.score(m, test, poisonedTest, target, 256);
        Map<String, Object> meta = new LinkedHashMap<>(prov);
        // the network expects CIFAR-normalised inputs; a later evaluation must apply the same constants
        meta.put("input_mean", Arrays.toString(Augmentation.asd().mean()));
        meta.put("input_std", Arrays.toString(Augmentation.asd().std()));
        Runs.saveModel(run, "model.safetensors", m, meta);
        Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
        result.put("epochs", cfg.epochs());
        result.put("resumed_after_epoch", r.resumedAfter());
        result.put("clean_seeds", cleanSeeds);
        result.put("seeds", r.seeds().length);
        if (!r.epochs().isEmpty()) {
            Asd.EpochReport last = r.epochs().get(r.epochs().size() - 1);
            result.put("final_clean_pool", last.labelled());
            result.put("final_clean_pool_poisoned", last.poisonedInLabelled());
            result.put("final_clean_pool_poisoned_fraction", last.poisonedFraction());
        }
        result.put("splits", splits);
        System.out.printf(Locale.ROOT, "ASD: %s%n", Runs.describe(s));
        return result;
    }
}
