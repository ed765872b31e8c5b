package io.antidote.cli;

import io.antidote.attack.Preview;
import io.antidote.data.ImageSet;
import io.antidote.eval.Metrics;
import io.antidote.nn.Engine;
import io.antidote.nn.Model;
import io.antidote.nn.Optimizer;
import io.antidote.report.HtmlReport;
import io.antidote.report.RunDirectory;
import io.antidote.train.Checkpoint;
import io.antidote.train.Progress;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/** Shared steps of the commands: provenance, a training stage with per-epoch evaluation, result files. */
final class Runs {
    private Runs() {}

    /** Seed, versions, data checksum and precision: written into every result. */
    static Map<String, Object> provenance(long seed, ImageSet train, ImageSet test, Model model) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("antidote", "0.1.0");
        p.put("engine", Engine.version());
        p.put("java", System.getProperty("java.version"));
        p.put("device", Engine.device());
        p.put("threads", Engine.threads());
        p.put("precision", model.precision().label());
        p.put("seed", seed);
        p.put("train_data", train.name());
        p.put("train_sha256", train.sha256());
        p.put("test_data", test.name());
        p.put("test_sha256", test.sha256());
        return p;
    }

    /**
     * Writes the report's trigger preview when the run has a poisoned test set: a row of triggered test
     * images (as the ASR sees them), then a row of poisoned training images (which for clean-label
     * attacks carry more than the trigger), each beside its clean original.
     */
    static void writeTriggerPreview(RunDirectory run, ImageSet cleanTest, ImageSet poisonedTest, ImageSet cleanTrain, ImageSet poisonedTrain) {
        if (poisonedTest == null) return;
        int[] poisons = IntStream.range(0, poisonedTrain.size()).filter(poisonedTrain::poisoned).toArray();
        byte[] png = Preview.pairsPng(List.of(new Preview.Pairs(cleanTest, poisonedTest),
                new Preview.Pairs(cleanTrain, poisonedTrain.subset(poisons))), 4);
        if (png == null) return;
        try {
            RunDirectory.writeAtomically(run.resolve(HtmlReport.TRIGGER_PREVIEW), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> scores(Metrics.Scores s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ca", s.cleanAccuracy());
        if (!Double.isNaN(s.cleanAccuracyNonTarget())) m.put("ca_non_target", s.cleanAccuracyNonTarget());
        if (!Double.isNaN(s.cleanAccuracyTargetClass())) m.put("ca_target_class", s.cleanAccuracyTargetClass());
        if (!Double.isNaN(s.attackSuccessRate())) m.put("asr", s.attackSuccessRate());
        m.put("clean_loss", s.cleanLoss());
        if (!Double.isNaN(s.poisonLoss())) m.put("poison_loss", s.poisonLoss());
        List<Object> perClass = new ArrayList<>();
        for (double a : s.classAccuracy()) perClass.add(Double.isNaN(a) ? null : a);
        m.put("ca_per_class", perClass);
        if (s.triggeredConfusion() != null) m.put("triggered_confusion", s.triggeredConfusion());
        return m;
    }

    /** As {@link #scores} without the confusion matrix, which a line per epoch does not need. */
    static Map<String, Object> epochScores(Metrics.Scores s) {
        Map<String, Object> m = scores(s);
        m.remove("triggered_confusion");
        return m;
    }

    static String describe(Metrics.Scores s) {
        String r = String.format(Locale.ROOT, "CA %.2f%%", 100 * s.cleanAccuracy());
        if (!Double.isNaN(s.attackSuccessRate())) r += String.format(Locale.ROOT, "  ASR %.2f%%", 100 * s.attackSuccessRate());
        return r;
    }

    /**
     * Trains one stage with a checkpoint in the run directory (resumed when present), evaluating CA
     * (and ASR when a poisoned test set is given) after each epoch into metrics.jsonl.
     */
    static Metrics.Scores trainStage(String stage, RunDirectory run, Model model, Optimizer opt, ImageSet train, TrainConfig cfg,
                                     Trainer.Hooks extra, ImageSet test, ImageSet poisonedTest, int target, PrintStream out) {
        Checkpoint ckpt = new Checkpoint(run.resolve(stage + ".ckpt.safetensors"));
        if (ckpt.exists()) {
            int done = Integer.parseInt(ckpt.metadata().getOrDefault("epochs_done", "0"));
            run.truncateMetrics(stage, done);
            out.printf("%s: resuming after epoch %d of %d%n", stage, done, cfg.epochs());
        }
        EpochRecorder rec = new EpochRecorder(run, test, poisonedTest, target, cfg.epochs(), out);
        Trainer.Hooks hooks = new Trainer.Hooks() {
            @Override
            public io.antidote.nn.Objective objective(int epoch) { return extra.objective(epoch); }

            @Override
            public float[] weights(int epoch, int[] positions) { return extra.weights(epoch, positions); }

            @Override
            public void afterEpoch(Trainer.EpochStats s, Model m) {
                extra.afterEpoch(s, m);
                rec.record(stage, s, m);
            }

            @Override
            public Model.StepResult step(Model m, io.antidote.nn.Optimizer o, io.antidote.data.Batch b, float[] w, io.antidote.nn.Objective obj) {
                return extra.step(m, o, b, w, obj);
            }
        };
        Trainer.train(model, opt, train, cfg, hooks, ckpt, new Progress(System.err, false), -1);
        return Metrics.score(model, test, poisonedTest, target, 256);
    }

    /** Evaluates CA (and ASR) after an epoch of any stage, appends it to metrics.jsonl and prints one line. */
    static final class EpochRecorder {
        private final RunDirectory run;
        private final ImageSet test, poisonedTest;
        private final int target, epochs;
        private final PrintStream out;

        EpochRecorder(RunDirectory run, ImageSet test, ImageSet poisonedTest, int target, int epochs, PrintStream out) {
            this.run = run;
            this.test = test;
            this.poisonedTest = poisonedTest;
            this.target = target;
            this.epochs = epochs;
            this.out = out;
        }

        Metrics.Scores record(String stage, Trainer.EpochStats s, Model m) {
            return record(stage, s, m, Map.of());
        }

        Metrics.Scores record(String stage, Trainer.EpochStats s, Model m, Map<String, Object> extra) {
            Metrics.Scores sc = Metrics.score(m, test, poisonedTest, target, 256);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("stage", stage);
            rec.put("epoch", s.epoch() + 1);
            rec.put("lr", s.lr());
            rec.put("train_loss", s.loss());
            rec.put("train_acc", s.accuracy());
            rec.put("seconds", s.seconds());
            rec.put("images_per_second", s.images() / s.seconds());
            rec.putAll(epochScores(sc));
            rec.putAll(extra);
            run.appendMetrics(rec);
            String slice = extra.get("slice_acc") instanceof Double a ? String.format(java.util.Locale.ROOT, "  clean slice %.2f%%", 100 * a) : "";
            out.printf("%s epoch %d%s: loss %.4f  %s%s%n", stage, s.epoch() + 1, epochs > 0 ? "/" + epochs : "", s.loss(), describe(sc), slice);
            return sc;
        }
    }

    /**
     * ABL's listener for a run directory: every epoch through the recorder, isolation precision and
     * recall per epoch into metrics.jsonl (and `quality`), the per-example losses into isolation_losses.csv.
     */
    static io.antidote.defense.Abl.Listener ablListener(RunDirectory run, EpochRecorder rec, ImageSet train,
                                                       java.util.List<Map<String, Object>> quality) {
        return new io.antidote.defense.Abl.Listener() {
            @Override
            public void epoch(String stage, Trainer.EpochStats s, Model m) { rec.record(stage, s, m); }

            @Override
            public void epoch(String stage, Trainer.EpochStats s, Model m, Map<String, Object> extra) { rec.record(stage, s, m, extra); }

            @Override
            public void isolation(int epoch, io.antidote.defense.Abl.Isolation iso, float[] losses) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("stage", "isolation-quality");
                r.put("epoch", epoch + 1);
                r.put("precision", iso.precision());
                r.put("recall", iso.recall());
                r.put("label_share", iso.labelShare());
                if (!Double.isNaN(iso.separation())) r.put("separation", iso.separation());
                run.appendMetrics(r);
                quality.add(r);
                AblCommand.writeLosses(run.resolve("isolation_losses.csv"), train, losses);
            }
        };
    }

    /** Writes report.html; a failure only warns, because the run's results are already on disk. */
    static void report(RunDirectory run) {
        try {
            System.out.println("report: " + HtmlReport.write(run.path()));
        } catch (RuntimeException e) {
            System.err.println("antidote: warning: report.html not written: " + e.getMessage());
        }
    }

    static void saveModel(RunDirectory run, String name, Model model, Map<String, Object> provenance) {
        Map<String, String> meta = new LinkedHashMap<>();
        provenance.forEach((k, v) -> meta.put("antidote." + k, String.valueOf(v)));
        try {
            model.save(run.resolve(name), meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
