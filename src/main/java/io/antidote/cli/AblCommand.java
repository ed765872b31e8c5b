package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.data.NpyIO;
import io.antidote.defense.Abl;
import io.antidote.defense.UnlearningAblation;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.report.Leaderboard;
import io.antidote.report.RunDirectory;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend abl`: Anti-Backdoor Learning from a fresh model, or quick unlearning of a given backdoored model. */
@Command(name = "abl", mixinStandardHelpOptions = true,
        description = "Anti-Backdoor Learning: isolate the fastest-learned examples with LGA/flooding, then unlearn them.")
final class AblCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", description = OptionText.DATA)
    String data;

    @Mixin
    AttackOptions attack;

    @Option(names = "--model", defaultValue = "wrn-16-1", description = OptionText.MODEL)
    String model;

    @Option(names = "--seed", defaultValue = "1", description = OptionText.SEED)
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = OptionText.PRECISION)
    String precision;

    @Option(names = "--preset", defaultValue = "reference", description = "reference (the authors' code) | paper | balanced (reference stages, paper-style unlearning with clean partners) | demo")
    String preset;

    @Option(names = "--isolation-epochs", description = "Turning epoch (reference 10, paper 20).")
    Integer isolationEpochs;

    @Option(names = "--isolation-ratio", description = "Fraction isolated (default 0.01).")
    Double isolationRatio;

    @Option(names = "--isolation-lr", description = "The isolation model's constant SGD rate (default 0.1).")
    Double isolationLr;

    @Option(names = "--isolation-augment", description = "Random crop and flip during isolation (the reference trains it without).")
    boolean isolationAugment;

    @Option(names = "--batch-size", description = "Batch of isolation, fine-tuning and unlearning (default 128; demo preset 64, isolation 128).")
    Integer batchSize;

    @Option(names = "--isolation-batch-size", description = "Batch of isolation alone, overriding --batch-size for stage 1 (default 128).")
    Integer isolationBatchSize;

    @Option(names = "--isolation-retries", description = "Sets of other isolation epochs to try when unlearning erases the set's own label (default 0; demo preset 2).")
    Integer isolationRetries;

    @Option(names = "--lga", description = "Use LGA sign(L-gamma)*L instead of flooding |L-b|+b (same gradients).")
    boolean lga;

    @Option(names = "--lga-scope", description = "batch (the reference: the sign of the batch mean) | example (the paper's formula: each example's own sign).")
    String lgaScope;

    @Option(names = "--gamma", description = "LGA gamma / flooding level (default 0.5).")
    Double gamma;

    @Option(names = "--unlearning", description = "reference (fine-tune, then ascend) | joint (paper) | ascent-only")
    String unlearning;

    @Option(names = "--finetune-epochs", description = "Stage 2's epochs on the non-isolated data: fine-tuning, or the joint"
            + " schedule (default 60; demo preset 10).")
    Integer finetuneEpochs;

    @Option(names = "--finetune-schedule", paramLabel = "RULE", description = "Stage 2's rate: step (the reference: a tenth from "
            + "the decay epoch on, 40 in the CIFAR presets, ending at 0.01) | cosine (to 0 over the fine-tuning epochs).")
    String finetuneSchedule;

    @Option(names = "--finetune-weight-decay", paramLabel = "WD", description = "Stage 2's weight decay (default 1e-4, the reference's).")
    Double finetuneWeightDecay;

    @Option(names = "--unlearn-epochs", description = "Epochs of unlearning the isolated set (default 4; balanced preset 8;"
            + " demo preset 5).")
    Integer unlearnEpochs;

    @Option(names = "--unlearn-max-epochs", description = "Go on past --unlearn-epochs, up to this epoch, until half the isolated set's"
            + " loss has passed ln C (default 0: off; demo preset 12).")
    Integer unlearnMaxEpochs;

    @Option(names = "--majority-label-only", negatable = true, description = "Unlearn only the isolated set's examples of its most common"
            + " label, the suspected target (default: off; demo preset on). Wrong for all-to-all attacks.")
    Boolean majorityLabelOnly;

    @Option(names = "--unlearn-lr", description = "Unlearning's SGD rate (default 5e-4, the reference's).")
    Double unlearnLr;

    @Option(names = "--stop-margin", description = "Stop unlearning when clean-slice accuracy falls by more than this (default 0.10).")
    Double stopMargin;

    @Option(names = "--recalibrate-bn", description = "After each ascent epoch, re-estimate batch-norm statistics on the non-isolated data (not in the reference).")
    boolean recalibrateBn;

    @Option(names = "--unlearn-clean", paramLabel = "RATIO", description = "Unlearn with the paper's two expectations: each ascent "
            + "epoch also descends on RATIO clean examples per isolated one (0, the reference: pure ascent).")
    Double unlearnClean;

    @Option(names = "--unlearn-by", paramLabel = "TREATMENT", description = "The unlearning step, for the ABL ablation: ascent (ABL) | "
            + "pixel-noise | gradient-noise | label-shuffle | label-uniform | label-smoothing | self-learning (descend on the changed "
            + "isolated set, with the --unlearn-clean partners) | finetune-all | finetune-last | retrain (train on the rest instead; docs/abl.md).")
    String unlearnBy;

    @Option(names = "--target-anchors", paramLabel = "FRACTION", description = "With --unlearn-clean: the suspected target class's clean "
            + "partners come from this top fraction of its examples by isolation loss (balanced preset 0.1; 0 leaves the class out).")
    Double targetAnchors;

    @Option(names = "--isolation-pick", paramLabel = "RULE", description = "Which isolation epoch's set to unlearn: last (the reference) | "
            + "concentrated (the one most concentrated in a single label) | separated (that share times how far the set lies below "
            + "the rest of its label; the demo's).")
    String isolationPick;

    @Option(names = "--isolation-losses", paramLabel = "CSV", description = "Quick unlearning: the losses the --isolated set was ranked by "
            + "(isolation_losses.csv of that run; default: that file beside --isolated, if there); target anchors need them.")
    Path isolationLosses;

    @Option(names = "--from-model", description = "Quick unlearning: start from these backdoored weights (safetensors, or a torch.save file such as the ABL repository's .tar).")
    Path fromModel;

    @Option(names = "--isolated", paramLabel = "FILE.npz|PAIRS.npy|IMAGES.npy,LABELS.npy", description = "Quick unlearning: the isolated set, as an .npz"
            + " with x and y (what a run writes as isolated.npz), as two .npy files, or as one .npy of (image, label) pairs (the ABL"
            + " repository's isolation1%%-examples.npy); default: isolate with --from-model.")
    Path isolated;

    @Option(names = "--out", description = "Run directory (default runs/abl-<attack>-<seed>).")
    Path out;

    /** ABL's starting points by name; options override single fields. */
    static final Map<String, java.util.function.LongFunction<Abl.Config>> PRESETS = new LinkedHashMap<>();
    /** How stage 2 uses the isolated set, by the name users give it. */
    static final Map<String, Abl.Unlearning> UNLEARNING = new LinkedHashMap<>();
    /** Which isolation epoch's set stage 2 gets, by name. */
    static final Map<String, Abl.IsolationPick> PICKS = new LinkedHashMap<>();
    /** The rate of stage 2's fine-tuning, by name. */
    static final Map<String, Abl.FinetuneSchedule> FINETUNE_SCHEDULES = new LinkedHashMap<>();
    /** Where isolation takes LGA's sign, by name. */
    static final Map<String, Abl.LgaScope> LGA_SCOPES = new LinkedHashMap<>();

    static {
        PRESETS.put("reference", Abl.Config::reference);
        PRESETS.put("paper", Abl.Config::paper);
        PRESETS.put("balanced", Abl.Config::balanced);
        PRESETS.put("demo", DemoCommand::ablConfig);
        UNLEARNING.put("reference", Abl.Unlearning.REFERENCE);
        UNLEARNING.put("joint", Abl.Unlearning.JOINT);
        UNLEARNING.put("ascent-only", Abl.Unlearning.ASCENT_ONLY);
        PICKS.put("last", Abl.IsolationPick.LAST);
        PICKS.put("concentrated", Abl.IsolationPick.CONCENTRATED);
        PICKS.put("separated", Abl.IsolationPick.SEPARATED);
        FINETUNE_SCHEDULES.put("step", Abl.FinetuneSchedule.STEP);
        FINETUNE_SCHEDULES.put("cosine", Abl.FinetuneSchedule.COSINE);
        LGA_SCOPES.put("batch", Abl.LgaScope.BATCH);
        LGA_SCOPES.put("example", Abl.LgaScope.EXAMPLE);
    }

    Abl.Config config() {
        if (!PRESETS.containsKey(preset)) throw new BadInputException("--preset '" + preset + "' is not one of " + String.join(", ", PRESETS.keySet()));
        if (unlearning != null && !UNLEARNING.containsKey(unlearning)) {
            throw new BadInputException("--unlearning '" + unlearning + "' is not one of " + String.join(", ", UNLEARNING.keySet()));
        }
        if (isolationPick != null && !PICKS.containsKey(isolationPick)) {
            throw new BadInputException("--isolation-pick " + ConfigFile.notOneOf(isolationPick, List.copyOf(PICKS.keySet())));
        }
        if (finetuneSchedule != null && !FINETUNE_SCHEDULES.containsKey(finetuneSchedule)) {
            throw new BadInputException("--finetune-schedule " + ConfigFile.notOneOf(finetuneSchedule, List.copyOf(FINETUNE_SCHEDULES.keySet())));
        }
        if (lgaScope != null && !LGA_SCOPES.containsKey(lgaScope)) {
            throw new BadInputException("--lga-scope " + ConfigFile.notOneOf(lgaScope, List.copyOf(LGA_SCOPES.keySet())));
        }
        if (unlearnBy != null && !UnlearningAblation.names().contains(unlearnBy)) {
            throw new BadInputException("--unlearn-by " + ConfigFile.notOneOf(unlearnBy, UnlearningAblation.names()));
        }
        Abl.Builder b = PRESETS.get(preset).apply(seed).toBuilder();
        set(isolationEpochs, b::isolationEpochs);
        set(isolationRatio, b::isolationRatio);
        set(isolationLr, b::isolationLr);
        if (isolationAugment) b.isolationAugment(true);
        set(batchSize, b::batchSize);
        set(isolationBatchSize, b::isolationBatchSize);
        set(isolationRetries, b::isolationRetries);
        if (lga) b.flooding(false);
        set(gamma, b::gamma);
        set(lgaScope == null ? null : LGA_SCOPES.get(lgaScope), b::lgaScope);
        set(unlearning == null ? null : UNLEARNING.get(unlearning), b::unlearning);
        set(finetuneEpochs, b::finetuneEpochs);
        set(finetuneSchedule == null ? null : FINETUNE_SCHEDULES.get(finetuneSchedule), b::finetuneSchedule);
        set(finetuneWeightDecay, b::finetuneWeightDecay);
        set(unlearnEpochs, b::unlearnEpochs);
        set(unlearnMaxEpochs, b::unlearnMaxEpochs);
        set(majorityLabelOnly, b::majorityLabelOnly);
        set(unlearnLr, b::unlearnLr);
        set(stopMargin, b::stopMargin);
        if (recalibrateBn) b.recalibrateBn(true);
        set(unlearnClean, b::unlearnClean);
        set(unlearnBy, b::unlearnBy);
        set(targetAnchors, b::targetAnchors);
        set(isolationPick == null ? null : PICKS.get(isolationPick), b::isolationPick);
        Abl.Config c = b.build();
        // quick unlearning has no stage 2 to conflict with; a full run is refused before its run directory exists
        String conflict = fromModel == null ? Abl.treatmentConflict(c) : null;
        if (conflict != null) throw new BadInputException("--unlearn-by " + conflict);
        return c;
    }

    private static <T> void set(T v, java.util.function.Consumer<T> setter) {
        if (v != null) setter.accept(v);
    }

    @Override
    public Integer call() {
        attack.check();
        Abl.Config cfg = config();
        DataSource.Split d = DataSource.resolve(data);
        ImageSet train = d.train();
        DataSource.Poisoning poisoning = d.poisoning();
        if (attack.enabled()) {
            AttackOptions.Poisoned p = attack.poison(d, seed);
            train = p.poisonedTrain();
            poisoning = p.poisoning();
        }
        if (poisoning == null) throw new BadInputException("--attack is required unless --data is a poisoned set (poisoned:DIR)");
        if (fromModel != null && !Files.isRegularFile(fromModel)) throw new BadInputException(fromModel + ": no such weights file (--from-model)");
        Path dir = out != null ? out : Path.of("runs", "abl-" + poisoning.summary().getOrDefault("name", "data") + "-" + seed);
        RunDirectory run = new RunDirectory(dir);
        long t0 = System.nanoTime();
        try (Model m = Model.create(model, train.numClasses(), train.height(), train.width(), train.channels(), seed, Precision.parse(precision))) {
            Map<String, Object> prov = Runs.provenance(seed, train, d.test(), m);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("command", "defend abl");
            config.put("data", data);
            config.put("model", model);
            config.put("abl", cfg.toString());
            config.put("attack", poisoning.summary());
            config.put("provenance", prov);
            run.writeJson("config.json", config);
            Runs.writeTriggerPreview(run, d.test(), poisoning.poisonedTest(), d.train(), train);
            Map<String, Object> result = defend(run, m, train, d.test(), poisoning, cfg, fromModel, isolated, isolationLosses, preset);
            double secs = (System.nanoTime() - t0) / 1e9;
            Runs.saveModel(run, "model.safetensors", m, prov);
            result.put("wall_seconds", secs);
            result.put("attack", poisoning.summary());
            result.put("provenance", prov);
            run.writeJson("result.json", result);
            Runs.report(run);
            System.out.printf(Locale.ROOT, "ABL done (%.0f s), run directory %s%n", secs, dir);
        }
        return 0;
    }

    /** The files of --isolated: one .npz, one .npy of (image, label) pairs, or the images and the labels .npy. */
    static Path[] isolatedFiles(Path given) {
        String s = given.toString();
        int comma = s.indexOf(',');
        if (comma < 0) return new Path[]{given};
        if (s.indexOf(',', comma + 1) >= 0) throw new BadInputException("--isolated " + s + ": expected FILE.npz, PAIRS.npy or IMAGES.npy,LABELS.npy");
        return new Path[]{Path.of(s.substring(0, comma)), Path.of(s.substring(comma + 1))};
    }

    /** The isolated set of quick unlearning, from either form {@link #isolatedFiles} takes. */
    static ImageSet readIsolated(Path given, int numClasses) {
        Path[] f = isolatedFiles(given);
        if (f.length == 2) return NpyIO.readImageSet(f[0], f[1], numClasses);
        return f[0].toString().endsWith(".npy") ? NpyIO.readPairs(f[0], numClasses) : NpyIO.readImageSet(f[0], numClasses);
    }

    /**
     * ABL on `m` (fresh, or quick unlearning from `fromModel` with the `isolated` set when given),
     * every epoch and isolation quality into the run directory; returns the defended model's
     * scores, the isolation's precision and recall and how unlearning ended. The flags and
     * experiment files both come here.
     */
    static Map<String, Object> defend(RunDirectory run, Model m, ImageSet train, ImageSet test, DataSource.Poisoning poisoning, Abl.Config cfg,
                                      Path fromModel, Path isolated, Path isolationLosses, String preset) {
        Runs.EpochRecorder rec = new Runs.EpochRecorder(run, test, poisoning.poisonedTest(), poisoning.target(), 0, System.out);
        List<Map<String, Object>> isoQuality = new ArrayList<>();
        Abl.Listener listener = Runs.ablListener(run, rec, train, isoQuality);
        Abl.Result r;
        Metrics.Scores before = null;
        if (fromModel != null) {
            m.load(fromModel);
            // scored before unlearning, as the reference's demo logs its epoch 0
            before = Metrics.score(m, test, poisoning.poisonedTest(), poisoning.target(), 256);
            if (!Files.exists(run.resolve("metrics.jsonl"))) {
                Map<String, Object> r0 = new LinkedHashMap<>();
                r0.put("stage", "backdoored");
                r0.put("epoch", 0);
                r0.putAll(Runs.epochScores(before));
                run.appendMetrics(r0);
            }
            System.out.println("quick unlearning of " + fromModel + ": backdoored model " + Runs.describe(before));
            ImageSet iso = isolated != null ? readIsolated(isolated, train.numClasses()) : null;
            Path lossFile = isolationLosses;
            Path first = isolated == null ? null : isolatedFiles(isolated)[0].toAbsolutePath();
            if (lossFile == null && first != null && first.getParent() != null) {
                Path beside = first.getParent().resolve("isolation_losses.csv");
                if (Files.isRegularFile(beside)) lossFile = beside;
            }
            float[] losses = null;
            if (lossFile != null && iso != null && cfg.unlearnClean() > 0 && cfg.targetAnchors() > 0) {
                losses = readLosses(lossFile, train);
                System.out.println("isolation losses from " + lossFile);
            }
            r = Abl.quickUnlearn(m, train, iso, losses, cfg, listener, new Progress(System.err, false));
        } else {
            System.out.printf("ABL on %s (%d images, %d poisoned), %s, preset %s%n", train.name(), train.size(), train.poisonedCount(),
                    m.precision().label(), preset);
            r = Abl.run(m, train, cfg, run.path(), listener, new Progress(System.err, false));
        }
        Metrics.Scores s = Metrics.score(m, test, poisoning.poisonedTest(), poisoning.target(), 256);
        if (r.isolation() != null) NpyIO.writeImageSet(train.subset(train.name() + "-isolated", r.isolation().positions()), run.resolve("isolated.npz"));
        Map<String, Object> result = new LinkedHashMap<>(Runs.scores(s));
        if (r.isolation() != null) {
            result.put("isolation_precision", r.isolation().precision());
            result.put("isolation_recall", r.isolation().recall());
            result.put("isolated", r.isolation().positions().length);
            result.put("isolation_label_share", r.isolation().labelShare());
            if (!Double.isNaN(r.isolation().separation())) result.put("isolation_separation", r.isolation().separation());
        }
        if (fromModel == null) {
            result.put("isolation_pick", cfg.isolationPick().name().toLowerCase(Locale.ROOT));
        }
        if (before != null) {
            // the given model is this run's undefended baseline, so the report and leaderboard show both rows
            result.put("no_defense", Runs.scores(before));
            if (!Double.isNaN(before.attackSuccessRate()) && !Double.isNaN(s.attackSuccessRate())) {
                result.put("der", Leaderboard.der(before.attackSuccessRate(), before.cleanAccuracy(), s.attackSuccessRate(), s.cleanAccuracy()));
            }
        }
        result.put("isolation_per_epoch", isoQuality);
        result.put("unlearn_by", cfg.unlearnBy());
        result.put("unlearn_clean", cfg.unlearnClean());
        result.put("target_anchors", cfg.unlearnClean() > 0 ? cfg.targetAnchors() : 0.0);
        result.put("unlearning_stopped_early", r.stoppedEarly());
        result.put("unlearn_epochs_run", r.unlearnEpochsRun());
        if (r.stopReason() != null) result.put("stop_reason", r.stopReason());
        if (r.labelErased() != null) result.put("label_erased", r.labelErased());
        if (!r.rejected().isEmpty()) result.put("rejected_sets", r.rejected());
        System.out.printf(Locale.ROOT, "ABL%s: %s%s%n", cfg.unlearnBy().equals("ascent") ? "" : " (unlearning by " + cfg.unlearnBy() + ")", Runs.describe(s),
                r.stoppedEarly() ? "  [unlearning stopped early: " + r.stopReason() + "]" : "");
        return result;
    }

    /**
     * The losses of an isolation_losses.csv, ordered as {@code set} (matched by original index);
     * a row whose label disagrees with the set's came from another poisoning and is refused.
     */
    static float[] readLosses(Path file, ImageSet set) {
        Map<Integer, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < set.size(); i++) position.put(set.originalIndex(i), i);
        float[] loss = new float[set.size()];
        boolean[] seen = new boolean[set.size()];
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable (" + e.getMessage() + ")");
        }
        if (lines.isEmpty() || !lines.get(0).equals("index,poisoned,label,loss")) {
            throw new BadInputException(file + ": line 1: expected the header 'index,poisoned,label,loss'");
        }
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",", -1);
            try {
                if (f.length != 4) throw new NumberFormatException(f.length + " fields, not 4");
                Integer at = position.get(Integer.parseInt(f[0]));
                if (at == null) throw new BadInputException(file + ": line " + (n + 1) + ": index " + f[0] + " is not in " + set.name());
                if (Integer.parseInt(f[2]) != set.label(at)) {
                    throw new BadInputException(file + ": line " + (n + 1) + ": label " + f[2] + " but " + set.name() + " has " + set.label(at)
                            + " at index " + f[0] + " (losses of another attack, target or seed?)");
                }
                loss[at] = Float.parseFloat(f[3]);
                seen[at] = true;
            } catch (NumberFormatException e) {
                throw new BadInputException(file + ": line " + (n + 1) + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < seen.length; i++) {
            if (!seen[i]) throw new BadInputException(file + ": no loss for index " + set.originalIndex(i) + " of " + set.name());
        }
        return loss;
    }

    /** Per-example losses under the isolation model with the ground-truth flag: the clean-vs-poisoned separation figure's data. */
    static void writeLosses(Path file, ImageSet set, float[] losses) {
        StringBuilder sb = new StringBuilder("index,poisoned,label,loss\n");
        for (int i = 0; i < set.size(); i++) {
            sb.append(set.originalIndex(i)).append(',').append(set.poisoned(i) ? 1 : 0).append(',').append(set.label(i)).append(',')
                    .append(losses[i]).append('\n');
        }
        try {
            RunDirectory.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
