package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.Nad;
import io.antidote.eval.Metrics;
import io.antidote.nn.AttentionLoss;
import io.antidote.nn.Model;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend nad`: Neural Attention Distillation of a backdoored model with a teacher fine-tuned on a clean budget. */
@Command(name = "nad", mixinStandardHelpOptions = true,
        description = "Neural Attention Distillation: fine-tune a teacher on a clean budget, then distil its attention maps into the backdoored model.")
final class NadCommand implements Callable<Integer> {
    @Mixin
    BackdooredInput input;

    @Mixin
    CleanBudgetOptions clean;

    @Option(names = "--teacher-epochs", description = "Teacher fine-tuning epochs (default 10; the NAD README says 5-10).")
    Integer teacherEpochs;

    @Option(names = "--teacher-weights", paramLabel = "FILE", description = "Use this teacher (.safetensors, same architecture) instead of fine-tuning one.")
    Path teacherWeights;

    @Option(names = "--epochs", description = "Distillation epochs (default 20, the reference; the paper used 10).")
    Integer epochs;

    @Option(names = "--betas", split = ",", description = "Attention weights, one per residual group (default 500,1000,1000).")
    List<Double> betas;

    @Option(names = "--p", description = "Attention power p in sum_c |F_c|^p (default 2).")
    Double p;

    @Option(names = "--attention-loss", description = "mse (reference code) | l2 (paper: per-sample norm of the map difference) (default mse).")
    String attentionLoss;



    @Option(names = "--poison-at", description = "Also log the weighted AT loss on the triggered test set each epoch (the reference's test_bad_at_loss; one extra pass of both models).")
    boolean poisonAt;



    @Mixin
    PostTrainingOptions common;

    Nad.Config config() {
        if (teacherEpochs != null && teacherEpochs < 0) throw new BadInputException("--teacher-epochs " + teacherEpochs + " must be >= 0");
        if (epochs != null && epochs < 0) throw new BadInputException("--epochs " + epochs + " must be >= 0");
        if (p != null && !(p > 0)) throw new BadInputException("--p " + p + " must be > 0");
        if (betas != null) {
            for (Double b : betas) {
                if (b == null || !(b >= 0) || b.isInfinite()) throw new BadInputException("--betas " + betas + ": each weight must be a finite number >= 0");
            }
        }
        AttentionLoss form = null;
        if (attentionLoss != null) {
            try {
                form = AttentionLoss.parse(attentionLoss);
            } catch (BadInputException e) {
                throw new BadInputException("--attention-loss: " + e.getMessage(), e);
            }
        }
        common.check();
        return build(common.seed, teacherEpochs, epochs, common.batchSize, common.lr, betas, p, form);
    }

    /** The reference with the given fields overridden (null keeps the reference's); the flags and experiment files both build NAD's config here. */
    static Nad.Config build(long seed, Integer teacherEpochs, Integer epochs, Integer batchSize, Double lr, List<Double> betas, Double p, AttentionLoss form) {
        Nad.Config r = Nad.Config.reference(seed);
        return new Nad.Config(teacherEpochs != null ? teacherEpochs : r.teacherEpochs(), epochs != null ? epochs : r.epochs(),
                batchSize != null ? batchSize : r.batchSize(), lr != null ? lr : r.lr(), r.schedule(), r.momentum(), r.weightDecay(),
                betas != null ? betas : r.betas(), p != null ? p : r.p(), form != null ? form : r.loss(), r.augmentation(), seed);
    }

    static final Map<String, String> STAGES = Map.of("teacher", Nad.TEACHER_CHECKPOINT, "nad", Nad.STUDENT_CHECKPOINT,
            "nad-attention", Nad.STUDENT_CHECKPOINT);

    @Override
    public Integer call() {
        Nad.Config cfg = config();
        if (teacherWeights != null && !Files.isRegularFile(teacherWeights)) throw new BadInputException(teacherWeights + ": no such weights file (--teacher-weights)");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("config", cfg.toString());
        c.put("teacher", teacherWeights != null ? "given: " + teacherWeights : "fine-tuned copy of the backdoored model, " + cfg.teacherEpochs() + " epochs");
        try (PostTraining pt = common.begin("nad", input, clean, c, STAGES, tapCheck(cfg, "--betas"))) {
            pt.finish("nad", distill(pt, cfg, teacherWeights, poisonAt));
        }
        return 0;
    }

    /** Refuses a betas list whose length differs from the model's number of attention taps; `key` names where betas were given. */
    static java.util.function.Consumer<Model> tapCheck(Nad.Config cfg, String key) {
        return m -> {
            List<String> t = m.tapNames();
            if (cfg.betas().size() != t.size()) {
                throw new BadInputException(key + " " + cfg.betas() + ": " + m.arch() + " has " + t.size() + " attention taps ("
                        + String.join(", ", t) + "), so give " + t.size() + " weights");
            }
        };
    }

    /**
     * The teacher (given, or fine-tuned on the budget) and the distillation of the backdoored model of
     * `pt`; returns the result fields beyond CA/ASR.
     */
    static Map<String, Object> distill(PostTraining pt, Nad.Config cfg, Path teacherWeights, boolean poisonAt) {
        List<String> taps = pt.model.tapNames();
        Runs.EpochRecorder teacherRec = pt.recorder(cfg.teacherEpochs());
        Runs.EpochRecorder nadRec = pt.recorder(cfg.epochs());
        List<Map<String, Object>> atLog = new ArrayList<>();
        Nad.Listener listener = new Nad.Listener() {
            @Override
            public void epoch(String stage, Trainer.EpochStats s, Model m) {
                (stage.equals("teacher") ? teacherRec : nadRec).record(stage, s, m);
            }

            @Override
            public void attention(int epoch, double[] at, Model student, Model teacher) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("stage", "nad-attention");
                r.put("epoch", epoch + 1);
                double weighted = 0;
                for (int i = 0; i < at.length; i++) {
                    r.put("train_at_" + taps.get(i), at[i]);
                    weighted += cfg.betas().get(i) * at[i];
                }
                r.put("train_at_weighted", weighted);
                if (poisonAt) r.put("poison_at_weighted", Nad.attentionLoss(student, teacher, pt.poisonedTest, cfg, 256));
                pt.run.appendMetrics(r);
                atLog.add(r);
            }
        };
        Progress progress = new Progress(System.err, false);
        Model teacher;
        if (teacherWeights != null) {
            teacher = pt.model.copy();
            try {
                teacher.load(teacherWeights);
            } catch (RuntimeException e) {
                teacher.close();
                throw e;
            }
        } else {
            teacher = Nad.teacher(pt.model, pt.budget.set(), cfg, pt.run.path(), listener, progress);
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        try (teacher) {
            Metrics.Scores ts = Metrics.score(teacher, pt.test, pt.poisonedTest, pt.target, 256);
            System.out.printf(Locale.ROOT, "teacher: %s%n", Runs.describe(ts));
            Runs.saveModel(pt.run, "teacher.safetensors", teacher, pt.provenance);
            if (poisonAt && !java.nio.file.Files.exists(pt.run.resolve(Nad.STUDENT_CHECKPOINT))) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("stage", "nad-attention");
                r.put("epoch", 0);
                r.put("poison_at_weighted", Nad.attentionLoss(pt.model, teacher, pt.poisonedTest, cfg, 256));
                pt.run.appendMetrics(r);
            }
            Nad.Result r = Nad.distill(pt.model, teacher, pt.budget.set(), cfg, pt.run.path(), listener, progress);
            extra.put("teacher", Runs.scores(ts));
            extra.put("teacher_epochs", teacherWeights != null ? 0 : cfg.teacherEpochs());
            extra.put("epochs", cfg.epochs());
            extra.put("betas", cfg.betas());
            extra.put("attention_loss", cfg.loss().name().toLowerCase(Locale.ROOT));
            extra.put("p", cfg.p());
            extra.put("attention_per_epoch", atLog);
            if (r.epochsRun() == 0 && cfg.epochs() > 0) extra.put("note", "all distillation epochs were already in the checkpoint");
        }
        return extra;
    }
}
