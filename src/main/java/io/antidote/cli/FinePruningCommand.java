package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.EpochListener;
import io.antidote.defense.FinePruning;
import io.antidote.defense.FineTune;
import io.antidote.nn.Model;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend fp`: Fine-Pruning of a backdoored model on a clean budget. */
@Command(name = "fp", mixinStandardHelpOptions = true,
        description = "Fine-Pruning: prune the last layer's quietest channels on clean data while accuracy holds, then fine-tune with them kept off.")
final class FinePruningCommand implements Callable<Integer> {
    @Mixin
    BackdooredInput input;

    @Mixin
    CleanBudgetOptions clean;

    @Option(names = "--margin", description = "Stop pruning before clean-budget accuracy falls more than this below the unpruned model's (default 0.05).")
    Double margin;

    @Option(names = "--max-prune", description = "Prune at most this fraction of the channels (default 0.95).")
    Double maxPrune;

    @Option(names = "--epochs", description = "Fine-tuning epochs after pruning (default 10; 0 prunes only).")
    Integer epochs;





    @Mixin
    PostTrainingOptions common;

    FinePruning.Config config() {
        if (margin != null && !(margin >= 0 && margin <= 1)) throw new BadInputException("--margin " + margin + " is outside [0, 1]");
        if (maxPrune != null && !(maxPrune >= 0 && maxPrune < 1)) throw new BadInputException("--max-prune " + maxPrune + " is outside [0, 1)");
        if (epochs != null && epochs < 0) throw new BadInputException("--epochs " + epochs + " must be >= 0");
        common.check();
        return build(common.seed, margin, maxPrune, epochs, common.batchSize, common.lr);
    }

    /** Our defaults with the given fields overridden (null keeps the default); the flags and experiment files both build it here. */
    static FinePruning.Config build(long seed, Double margin, Double maxPrune, Integer epochs, Integer batchSize, Double lr) {
        FinePruning.Config d = FinePruning.Config.defaults(seed);
        FineTune.Config f = d.finetune().with(FineTune.Scope.ALL, epochs, batchSize, lr);
        return new FinePruning.Config(margin != null ? margin : d.margin(), maxPrune != null ? maxPrune : d.maxPruneRatio(), f);
    }

    static final Map<String, String> STAGES = Map.of("finetune", "fp.ckpt.safetensors");

    @Override
    public Integer call() {
        FinePruning.Config cfg = config();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("config", cfg.toString());
        try (PostTraining pt = common.begin("fp", input, clean, c, STAGES, m -> {})) {
            pt.finish("fp", prune(pt, cfg));
        }
        return 0;
    }

    /** Prunes and fine-tunes the backdoored model of `pt`; returns the result fields beyond CA/ASR. */
    static Map<String, Object> prune(PostTraining pt, FinePruning.Config cfg) {
        Runs.EpochRecorder rec = pt.recorder(cfg.finetune().epochs());
        FinePruning.Result r = FinePruning.run(pt.model, pt.budget.set(), cfg, pt.run.resolve(STAGES.get("finetune")), new EpochListener() {
            @Override
            public void epoch(String stage, Trainer.EpochStats s, Model m) { rec.record(stage, s, m); }
        }, new Progress(System.err, false));
        FinePruning.Pruning p = r.pruning();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("channels", p.order().length);
        extra.put("pruned", p.pruned());
        extra.put("pruned_channels", p.prunedChannels());
        extra.put("budget_accuracy_unpruned", p.baseAccuracy());
        extra.put("budget_accuracy_pruned", p.prunedAccuracy());
        extra.put("budget_accuracy_curve", p.accuracy());
        extra.put("mean_activation", p.meanActivation());
        extra.put("epochs", cfg.finetune().epochs());
        System.out.printf("pruned channels: %s%n", Arrays.toString(p.prunedChannels()));
        return extra;
    }
}
