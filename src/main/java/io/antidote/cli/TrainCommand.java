package io.antidote.cli;

import io.antidote.data.ImageSet;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.report.RunDirectory;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote train`: trains a model (optionally on poisoned data) into a run directory and reports CA / ASR. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a classifier into a run directory; resumes with --resume.")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainingOptions opts;

    @Mixin
    AttackOptions attack;

    @Option(names = "--out", description = "Run directory (default: runs/train-<model>-<seed>)")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint.")
    boolean resume;

    @Override
    public Integer call() {
        attack.check();
        TrainConfig cfg = opts.config();
        Path dir = out != null ? out : Path.of("runs", "train-" + opts.model + "-" + opts.seed);
        if (!resume && Files.exists(dir.resolve("train.ckpt.safetensors"))) {
            throw new io.antidote.BadInputException(dir + ": holds a previous run; pass --resume to continue it or choose another --out");
        }
        DataSource.Split data = DataSource.resolve(opts.data);
        ImageSet train = data.train();
        DataSource.Poisoning poisoning = data.poisoning();
        if (attack.enabled()) {
            if (poisoning != null) {
                throw new io.antidote.BadInputException("--attack: --data " + opts.data + " is poisoned already; drop --attack or poison the clean set");
            }
            // Rebuilt from the spec on --resume too: the draw and the triggers are seeded, so it is the same set.
            AttackOptions.Poisoned p = attack.poison(data, opts.seed);
            train = p.poisonedTrain();
            poisoning = p.poisoning();
        }
        ImageSet poisonedTest = poisoning == null ? null : poisoning.poisonedTest();
        int target = poisoning == null ? -1 : poisoning.target();
        // Created only now, so bad data or attack options leave no empty run directory behind.
        RunDirectory run = new RunDirectory(dir);
        try (Model model = Model.create(opts.model, train.numClasses(), train.height(), train.width(),
                train.channels(), opts.seed, opts.precisionMode())) {
            model.normalization(cfg.augmentation().mean(), cfg.augmentation().std());
            Map<String, Object> prov = Runs.provenance(opts.seed, train, data.test(), model);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "train");
            config.put("data", opts.data);
            config.put("model", opts.model);
            config.put("train", cfg.fingerprint());
            if (poisoning != null) config.put("attack", poisoning.summary());
            config.put("provenance", prov);
            run.writeJson("config.json", config);
            Runs.writeTriggerPreview(run, data.test(), poisonedTest, data.train(), train);
            System.out.printf("training %s on %s (%d images, %s), run directory %s%n", opts.model, train.name(),
                    train.size(), model.precision().label(), dir);
            if (poisoning != null) {
                System.out.printf("poisoned: %s, %d of %d training images; ASR on %d triggered test images%n",
                        poisoning.summary().get("spec"), train.poisonedCount(), train.size(), poisonedTest.size());
            }
            long t0 = System.nanoTime();
            Metrics.Scores s = Runs.trainStage("train", run, model, Trainer.optimizer(model, cfg, n -> true), train, cfg,
                    new Trainer.Hooks() {}, data.test(), poisonedTest, target, System.out);
            double secs = (System.nanoTime() - t0) / 1e9;
            Runs.saveModel(run, "model.safetensors", model, prov);
            Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
            result.put("wall_seconds", secs);
            result.put("epochs", cfg.epochs());
            if (poisoning != null) result.put("attack", poisoning.summary());
            result.put("provenance", prov);
            run.writeJson("result.json", result);
            Runs.report(run);
            System.out.printf("done: %s  (%.0f s)  weights %s%n", Runs.describe(s), secs, run.resolve("model.safetensors"));
        }
        return 0;
    }
}
