package io.antidote.cli;

import io.antidote.data.ImageSet;
import io.antidote.defense.CleanBudget;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.report.RunDirectory;
import io.antidote.train.Checkpoint;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The steps every post-training defense command shares: load the backdoored model, rebuild its
 * data, draw the clean budget, record CA/ASR before the defense, and write the final result.
 */
final class PostTraining implements AutoCloseable {
    final RunDirectory run;
    final BackdooredInput.Source source;
    final CleanBudget budget;
    final Model model;
    final Map<String, Object> provenance;
    final Metrics.Scores before;
    final ImageSet test, poisonedTest;
    final int target;
    private final long t0 = System.nanoTime();

    private PostTraining(RunDirectory run, BackdooredInput.Source source, CleanBudget budget, Model model, Map<String, Object> provenance,
                         Metrics.Scores before) {
        this.run = run;
        this.source = source;
        this.budget = budget;
        this.model = model;
        this.provenance = provenance;
        this.before = before;
        this.test = source.split().test();
        this.poisonedTest = source.poisoning().poisonedTest();
        this.target = source.poisoning().target();
    }

    /**
     * Everything up to the defense itself. Checkpoints named in `stages` that already exist in the
     * run directory are resumed by the defense; their metrics lines past the checkpoint are dropped.
     * `check` vets the loaded model against the defense's options before anything is written.
     * `config` is what the command writes as config.json, with the backdoored model's scores as
     * metrics line 0; null when the caller (an experiment) has written its own and recorded the
     * backdoored model's training already.
     */
    static PostTraining begin(String defense, BackdooredInput.Source src, CleanBudgetSpec cb, long seed, Precision prec, Path out,
                              Map<String, Object> config, Map<String, String> stages, Consumer<Model> check) {
        CleanBudget budget = cb.budget(src.train(), seed);
        ImageSet train = src.train();
        Model m = Model.create(src.model(), train.numClasses(), train.height(), train.width(), train.channels(), seed, prec);
        try {
            m.load(src.weights());
            if (src.mean() != null) m.normalization(src.mean(), src.std());
            check.accept(m);
            // Created only now, so bad options or weights leave no empty run directory behind.
            Path dir = out != null ? out : Path.of("runs", defense + "-" + src.poisoning().summary().getOrDefault("name", "data") + "-" + seed);
            RunDirectory run = new RunDirectory(dir);
            Map<String, Object> prov = Runs.provenance(seed, train, src.split().test(), m);
            if (config != null) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("command", "defend " + defense);
                c.put("source", src.summary());
                c.put("data", src.data());
                c.put("model", src.model());
                c.put(defense, config);
                c.put("clean_budget", CleanBudgetOptions.summary(budget, train));
                c.put("attack", src.poisoning().summary());
                c.put("provenance", prov);
                run.writeJson("config.json", c);
            }
            Runs.writeTriggerPreview(run, src.split().test(), src.poisoning().poisonedTest(), src.split().train(), train);
            boolean resuming = false;
            for (Map.Entry<String, String> e : stages.entrySet()) {
                Checkpoint c = new Checkpoint(run.resolve(e.getValue()));
                if (!c.exists()) continue;
                int done = Integer.parseInt(c.metadata().getOrDefault("epochs_done", "0"));
                run.truncateMetrics(e.getKey(), done);
                System.out.printf("%s: resuming after epoch %d%n", e.getKey(), done);
                resuming = true;
            }
            Metrics.Scores before = Metrics.score(m, src.split().test(), src.poisoning().poisonedTest(), src.poisoning().target(), 256);
            if (!resuming && config != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("stage", "backdoored");
                r.put("epoch", 0);
                r.putAll(Runs.epochScores(before));
                run.appendMetrics(r);
            }
            System.out.printf(Locale.ROOT, "%s on %s: backdoored model %s; clean budget %s%n", defense, src.model(), Runs.describe(before), budget.source());
            return new PostTraining(run, src, budget, m, prov, before);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    Runs.EpochRecorder recorder(int epochs) {
        return new Runs.EpochRecorder(run, test, poisonedTest, target, epochs, System.out);
    }

    /** Scores the defended model, saves it as model.safetensors and writes result.json with `extra` fields. */
    void finish(String defense, Map<String, Object> extra) {
        Map<String, Object> result = result(defense, extra);
        result.put("source", source.summary());
        result.put("attack", source.poisoning().summary());
        result.put("provenance", provenance);
        run.writeJson("result.json", result);
    }

    /** Scores the defended model and saves it as model.safetensors; returns its scores, the scores before, the budget and `extra`. */
    Map<String, Object> result(String defense, Map<String, Object> extra) {
        Metrics.Scores s = Metrics.score(model, test, poisonedTest, target, 256);
        double secs = (System.nanoTime() - t0) / 1e9;
        Runs.saveModel(run, "model.safetensors", model, provenance);
        Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
        result.put("before", Runs.scores(before));
        result.put("clean_budget", CleanBudgetOptions.summary(budget, source.train()));
        result.putAll(extra);
        result.put("wall_seconds", secs);
        System.out.printf(Locale.ROOT, "%s done: %s (before: %s)  (%.0f s)  run directory %s%n", defense, Runs.describe(s), Runs.describe(before),
                secs, run.path());
        return result;
    }

    @Override
    public void close() {
        model.close();
    }
}
