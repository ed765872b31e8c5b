package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.report.Leaderboard;
import io.antidote.report.RunDirectory;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs an {@link Experiment} into a run directory: data, attack, training on the poisoned data
 * where the defense needs it (or a baseline is asked for), the defense, evaluation, result.json and
 * report.html. Every stage goes through the code the train and defend subcommands use.
 */
final class ExperimentRunner {
    private ExperimentRunner() {}

    /** The metric fields a result carries at its top level, copied from the final model's scores. */
    private static final List<String> SCORE_FIELDS = List.of("ca", "ca_non_target", "ca_target_class", "ca_per_class", "asr", "clean_loss", "poison_loss");

    /** What a defense needs from the experiment: the data as poisoned, the run directory, and the backdoored model when one was trained. */
    record Context(Experiment experiment, RunDirectory run, DataSource.Split data, DataSource.Prepared prepared, Precision precision,
                   Path backdooredWeights, Map<String, Object> provenance) {
        long seed() { return experiment.seed(); }

        ImageSet train() { return prepared.train(); }

        ImageSet test() { return data.test(); }

        DataSource.Poisoning poisoning() { return prepared.poisoning(); }

        /** A freshly initialised model of the experiment's architecture for the training set's shape. */
        Model freshModel() {
            ImageSet t = train();
            return Model.create(experiment.model(), t.numClasses(), t.height(), t.width(), t.channels(), experiment.seed(), precision);
        }

        /** The backdoored model this run trained, as the post-training defenses take their input. */
        BackdooredInput.Source backdoored() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("model_weights", backdooredWeights.toString());
            s.put("model", experiment.model());
            s.put("data", experiment.data());
            s.put("trained_by", "the train stage of this run");
            TrainConfig tc = experiment.train();
            return new BackdooredInput.Source(backdooredWeights, experiment.model(), experiment.data(), data, train(), poisoning(),
                    tc.augmentation().mean(), tc.augmentation().std(), s);
        }
    }

    /** True when the directory holds a finished run (result.json). */
    static boolean finished(Path dir) {
        return Files.isRegularFile(dir.resolve("result.json"));
    }

    /**
     * Runs the experiment into `dir`. Without `resume` a directory that holds a previous run is
     * refused; with it, every stage continues from its checkpoint and a finished run is left as it is.
     */
    static void run(Experiment e, Path dir, boolean resume) {
        String label = e.source();
        String resolvedYaml = ConfigFile.dump(e.resolved());
        boolean previous = Files.exists(dir.resolve("metrics.jsonl")) || finished(dir) || Files.exists(dir.resolve("config.yaml"));
        if (previous && !resume) throw new BadInputException(dir + ": holds a previous run; pass --resume to continue it or choose another --out");
        if (previous && Files.isRegularFile(dir.resolve("config.yaml"))) {
            String before = read(dir.resolve("config.yaml"));
            if (!before.equals(resolvedYaml)) {
                throw new BadInputException(dir + ": its config.yaml differs from " + label + " as resolved now; a resumed run must keep its config");
            }
        }
        if (resume && finished(dir)) {
            System.out.println(dir + ": finished already (result.json); nothing to do");
            return;
        }
        long t0 = System.nanoTime();
        Precision precision = Precision.parse(e.precision());
        DataSource.Split data = named(label + ": data", () -> DataSource.resolve(e.data()));
        DataSource.Prepared prepared = prepare(e, data);
        ImageSet train = prepared.train();
        DataSource.Poisoning poisoning = prepared.poisoning();
        Experiment.Defense defense = e.defense();
        if (poisoning == null && !(defense instanceof Experiment.NoDefense)) {
            throw new BadInputException(label + ": defense.name: " + defense.name()
                    + " needs poisoned data: give an attack section, or data: poisoned:DIR");
        }
        // Created only now, so bad data or attack settings leave no empty run directory behind.
        RunDirectory run = new RunDirectory(dir);
        Map<String, Object> prov;
        // provenance records the precision a model resolves to, so it needs one
        try (Model probe = Model.create(e.model(), train.numClasses(), train.height(), train.width(), train.channels(), e.seed(), precision)) {
            prov = Runs.provenance(e.seed(), train, data.test(), probe);
        }
        write(run.resolve("config.yaml"), resolvedYaml);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", "run");
        config.put("experiment", e.name());
        config.put("source", label);
        config.put("data", e.data());
        config.put("model", e.model());
        // every resolved defense key, so the report shows what the defense ran with, not only its name
        config.put("defense", e.resolved().getOrDefault("defense", Map.of("name", defense.name())));
        config.put("train", e.train().fingerprint());
        if (poisoning != null) config.put("attack", poisoning.summary());
        config.put("provenance", prov);
        run.writeJson("config.json", config);
        if (poisoning != null) Runs.writeTriggerPreview(run, data.test(), poisoning.poisonedTest(), data.train(), train);
        System.out.printf("experiment %s: %s on %s (%d images%s), defense %s, %s, run directory %s%n", e.name(), e.model(), train.name(), train.size(),
                poisoning == null ? "" : ", " + train.poisonedCount() + " poisoned", defense.name(), precision.label(), dir);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("experiment", e.name());
        result.put("defense", defense.name());
        result.put("model", e.model());
        result.put("data", e.data());
        Map<String, Object> stageSeconds = new LinkedHashMap<>();
        Map<String, Object> undefended = null;
        Path backdoored = null;
        if (e.trainsUndefended()) {
            long ts = System.nanoTime();
            String file = defense instanceof Experiment.NoDefense ? "model.safetensors"
                    : defense.needsBackdooredModel() ? "backdoored.safetensors" : "baseline.safetensors";
            undefended = trainUndefended(new Context(e, run, data, prepared, precision, null, prov), file);
            backdoored = run.resolve(file);
            stageSeconds.put("train", (System.nanoTime() - ts) / 1e9);
            result.put("no_defense", undefended);
        }
        Map<String, Object> last = undefended;
        if (!(defense instanceof Experiment.NoDefense)) {
            long ts = System.nanoTime();
            Context ctx = new Context(e, run, data, prepared, precision, backdoored, prov);
            System.out.println("-- defense " + defense.name() + " --");
            last = defense.run(ctx);
            stageSeconds.put(defense.name(), (System.nanoTime() - ts) / 1e9);
            result.put(defense.name(), last);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        for (String f : SCORE_FIELDS) if (last.containsKey(f)) top.put(f, last.get(f));
        result.putAll(top);
        if (undefended != null && last != undefended && undefended.get("asr") instanceof Double ua && last.get("asr") instanceof Double a) {
            result.put("der", Leaderboard.der(ua, (Double) undefended.get("ca"), a, (Double) last.get("ca")));
        }
        result.put("stage_seconds", stageSeconds);
        double secs = (System.nanoTime() - t0) / 1e9;
        result.put("wall_seconds", secs);
        if (poisoning != null) result.put("attack", poisoning.summary());
        result.put("provenance", prov);
        run.writeJson("result.json", result);
        Runs.report(run);
        System.out.printf(Locale.ROOT, "experiment %s done: %s%s  (%.0f s)  %s%n", e.name(), describe(last),
                undefended != null && last != undefended ? "  (no defense: " + describe(undefended) + ")" : "", secs, run.resolve("result.json"));
    }

    /** Poisons the data as the experiment says, with the trusted seeds set aside first where the defense holds them out. */
    private static DataSource.Prepared prepare(Experiment e, DataSource.Split data) {
        String label = e.source();
        if (e.attack() == null) return e.defense().prepare(data, label + ": data", null, e.seed());
        if (data.poisoning() != null) {
            throw new BadInputException(label + ": attack: data " + e.data() + " is poisoned already; drop the attack section or use the clean set");
        }
        int classes = data.train().numClasses();
        int target = e.attack().target();
        if (target >= classes) {
            throw new BadInputException(label + ": attack.target: " + target + " is outside [0, " + classes + ") for a data set of " + classes + " classes");
        }
        String paramsKey = e.attack().params().isEmpty() ? null : label + ": attack.params";
        return e.defense().prepare(data, label + ": data", split -> AttackOptions.poison(e.attack(), split, label + ": data", paramsKey), e.seed());
    }

    /** The `train` stage: the model trained on the poisoned data, saved as `file`; returns its scores. */
    private static Map<String, Object> trainUndefended(Context ctx, String file) {
        Experiment e = ctx.experiment();
        TrainConfig cfg = e.train();
        DataSource.Poisoning p = ctx.poisoning();
        System.out.println("-- training on the " + (p == null ? "clean" : "poisoned") + " data (" + cfg.epochs() + " epochs) --");
        try (Model m = ctx.freshModel()) {
            m.normalization(cfg.augmentation().mean(), cfg.augmentation().std());
            Metrics.Scores s = Runs.trainStage("train", ctx.run(), m, Trainer.optimizer(m, cfg, n -> true), ctx.train(), cfg, new Trainer.Hooks() {},
                    ctx.test(), p == null ? null : p.poisonedTest(), p == null ? -1 : p.target(), System.out);
            Runs.saveModel(ctx.run(), file, m, ctx.provenance());
            Map<String, Object> r = new LinkedHashMap<>(Runs.scores(s));
            r.put("epochs", cfg.epochs());
            return r;
        }
    }

    private static String describe(Map<String, Object> scores) {
        String r = String.format(Locale.ROOT, "CA %.2f%%", 100 * ((Number) scores.get("ca")).doubleValue());
        if (scores.get("asr") instanceof Number a) r += String.format(Locale.ROOT, "  ASR %.2f%%", 100 * a.doubleValue());
        return r;
    }

    private static <T> T named(String prefix, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (BadInputException ex) {
            throw new BadInputException(prefix + ": " + ex.getMessage(), ex);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void write(Path f, String text) {
        try {
            RunDirectory.writeAtomically(f, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
