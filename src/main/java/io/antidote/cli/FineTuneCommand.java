package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.FineTune;
import io.antidote.nn.Model;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend ft`: fine-tunes a backdoored model on a small clean budget (all layers or only the head). */
@Command(name = "ft", mixinStandardHelpOptions = true,
        description = "Fine-tune a backdoored model on a clean budget (5% of the training set by default).")
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
        long seed = common.seed;
        FineTune.Config r = FineTune.Config.reference(seed);
        FineTune.Scope sc;
        try {
            sc = FineTune.Scope.parse(scope);
        } catch (BadInputException e) {
            throw new BadInputException("--scope: " + e.getMessage(), e);
        }
        if (epochs != null && epochs < 0) throw new BadInputException("--epochs " + epochs + " must be >= 0");
        return new FineTune.Config(sc, epochs != null ? epochs : r.epochs(), common.batchSize(r.batchSize()),
                common.lr(r.lr()), r.schedule(), r.momentum(), r.weightDecay(), r.augmentation(), seed);
    }

    @Override
    public Integer call() {
        FineTune.Config cfg = config();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("config", cfg.toString());
        try (PostTraining pt = PostTraining.begin("ft", input, clean, common.seed, common.precision, common.out, c, Map.of("finetune", "ft.ckpt.safetensors"), m -> {})) {
            Runs.EpochRecorder rec = pt.recorder(cfg.epochs());
            FineTune.Result r = FineTune.run(pt.model, pt.budget.set(), cfg, "finetune", pt.run.resolve("ft.ckpt.safetensors"),
                    (String stage, Trainer.EpochStats s, Model m) -> rec.record(stage, s, m), new Progress(System.err, false));
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("scope", cfg.scope().name().toLowerCase(java.util.Locale.ROOT));
            extra.put("epochs", cfg.epochs());
            extra.put("trained_parameters", r.trainedParameters());
            pt.finish("ft", extra);
        }
        return 0;
    }
}
