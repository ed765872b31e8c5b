package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.FineTune;
import io.antidote.nn.Model;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend ft`: fine-tunes a backdoored model on a small clean budget (all layers or only the head). */
@Command(name = "ft", mixinStandardHelpOptions = true,
        description = "Fine-tune a backdoored model on a clean budget (5%% of the training set by default).")
final class FineTuneCommand implements Callable<Integer> {
    @Mixin
    BackdooredInput input;

    @Mixin
    CleanBudgetOptions clean;

    @Option(names = "--scope", defaultValue = "all", description = "all (every layer) | head (last layer only, rest frozen incl. BN statistics) (default: ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--epochs", description = "Epochs (default 10, NAD's teacher recipe).")
    Integer epochs;





    @Mixin
    PostTrainingOptions common;

    FineTune.Config config() {
        common.check();
        FineTune.Scope sc;
        try {
            sc = FineTune.Scope.parse(scope);
        } catch (BadInputException e) {
            throw new BadInputException("--scope: " + e.getMessage(), e);
        }
        if (epochs != null && epochs < 0) throw new BadInputException("--epochs " + epochs + " must be >= 0");
        return build(common.seed, sc, epochs, common.batchSize, common.lr);
    }

    /** The reference with the given fields overridden (null keeps the reference's); the flags and experiment files both build it here. */
    static FineTune.Config build(long seed, FineTune.Scope sc, Integer epochs, Integer batchSize, Double lr) {
        return FineTune.Config.reference(seed).with(sc, epochs, batchSize, lr);
    }

    static final Map<String, String> STAGES = Map.of("finetune", "ft.ckpt.safetensors");

    @Override
    public Integer call() {
        FineTune.Config cfg = config();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("config", cfg.toString());
        try (PostTraining pt = common.begin("ft", input, clean, c, STAGES, m -> {})) {
            pt.finish("ft", tune(pt, cfg));
        }
        return 0;
    }

    /** Fine-tunes the backdoored model of `pt`; returns the result fields beyond CA/ASR. */
    static Map<String, Object> tune(PostTraining pt, FineTune.Config cfg) {
        Runs.EpochRecorder rec = pt.recorder(cfg.epochs());
        FineTune.Result r = FineTune.run(pt.model, pt.budget.set(), cfg, "finetune", pt.run.resolve(STAGES.get("finetune")),
                (String stage, Trainer.EpochStats s, Model m) -> rec.record(stage, s, m), new Progress(System.err, false));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("scope", cfg.scope().name().toLowerCase(java.util.Locale.ROOT));
        extra.put("epochs", cfg.epochs());
        extra.put("trained_parameters", r.trainedParameters());
        return extra;
    }
}
