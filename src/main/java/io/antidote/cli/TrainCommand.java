package io.antidote.cli;

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

    @Option(names = "--out", description = "Run directory (default: runs/train-<model>-<seed>)")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint.")
    boolean resume;

    @Override
    public Integer call() {
        TrainConfig cfg = opts.config();
        Path dir = out != null ? out : Path.of("runs", "train-" + opts.model + "-" + opts.seed);
        if (!resume && Files.exists(dir.resolve("train.ckpt.safetensors"))) {
            throw new io.antidote.BadInputException(dir + ": holds a previous run; pass --resume to continue it or choose another --out");
        }
        RunDirectory run = new RunDirectory(dir);
        DataSource.Split data = DataSource.resolve(opts.data);
        try (Model model = Model.create(opts.model, data.train().numClasses(), data.train().height(), data.train().width(),
                data.train().channels(), opts.seed, opts.precisionMode())) {
            model.normalization(cfg.augmentation().mean(), cfg.augmentation().std());
            Map<String, Object> prov = Runs.provenance(opts.seed, data.train(), data.test(), model);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "train");
            config.put("data", opts.data);
            config.put("model", opts.model);
            config.put("train", cfg.fingerprint());
            config.put("provenance", prov);
            run.writeJson("config.json", config);
            System.out.printf("training %s on %s (%d images, %s), run directory %s%n", opts.model, data.train().name(),
                    data.train().size(), model.precision().label(), dir);
            long t0 = System.nanoTime();
            Metrics.Scores s = Runs.trainStage("train", run, model, Trainer.optimizer(model, cfg, n -> true), data.train(), cfg,
                    new Trainer.Hooks() {}, data.test(), null, -1, System.out);
            double secs = (System.nanoTime() - t0) / 1e9;
            Runs.saveModel(run, "model.safetensors", model, prov);
            Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
            result.put("wall_seconds", secs);
            result.put("epochs", cfg.epochs());
            result.put("provenance", prov);
            run.writeJson("result.json", result);
            System.out.printf("done: %s  (%.0f s)  weights %s%n", Runs.describe(s), secs, run.resolve("model.safetensors"));
        }
        return 0;
    }
}
