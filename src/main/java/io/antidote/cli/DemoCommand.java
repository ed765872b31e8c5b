package io.antidote.cli;

import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.report.RunDirectory;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote demo`: the whole story on built-in synthetic data, no files needed. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Train WRN-16-1 on the built-in synthetic set and print clean accuracy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "10")
    int epochs;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--precision", defaultValue = "auto")
    String precision;

    @Option(names = "--out", defaultValue = "runs/demo")
    Path out;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        DataSource.Split data = DataSource.resolve("synthetic");
        RunDirectory run = new RunDirectory(out);
        TrainConfig cfg = TrainConfig.standard(epochs, seed).withLr(0.05, new Schedule.Cosine());
        // a fresh demo each time: an old checkpoint would make this a resume
        try {
            java.nio.file.Files.deleteIfExists(run.resolve("train.ckpt.safetensors"));
            java.nio.file.Files.deleteIfExists(run.resolve("metrics.jsonl"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Model model = Model.create("wrn-16-1", data.train().numClasses(), seed, io.antidote.nn.Precision.parse(precision))) {
            System.out.printf("demo: WRN-16-1 on %s (%d train / %d test images), %s%n", data.train().name(), data.train().size(),
                    data.test().size(), model.precision().label());
            Map<String, Object> prov = Runs.provenance(seed, data.train(), data.test(), model);
            Metrics.Scores s = Runs.trainStage("train", run, model, Trainer.optimizer(model, cfg, n -> true), data.train(), cfg,
                    new Trainer.Hooks() {}, data.test(), null, -1, System.out);
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
            result.put("wall_seconds", secs);
            result.put("provenance", prov);
            run.writeJson("result.json", result);
            System.out.printf("demo done in %.0f s: clean accuracy %.2f%% (run directory %s)%n", secs, 100 * s.cleanAccuracy(), out);
        }
        return 0;
    }
}
