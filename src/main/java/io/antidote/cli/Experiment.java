package io.antidote.cli;

import io.antidote.attack.PoisonSpec;
import io.antidote.defense.Abl;
import io.antidote.defense.Asd;
import io.antidote.defense.FinePruning;
import io.antidote.defense.FineTune;
import io.antidote.defense.Nad;
import io.antidote.nn.Model;
import io.antidote.train.TrainConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * One experiment as an experiment file describes it, every default filled in and every value
 * checked ({@link ConfigFile} is the only place that builds one). The same records the command-line
 * flags produce: a PoisonSpec, a TrainConfig and the defense's own config.
 *
 * @param source    the file (and cell, for grids) it came from, named in messages
 * @param attack    null for a clean run (or data that is poisoned already)
 * @param train     the training on the poisoned data: the undefended model, or the backdoored model a post-training defense repairs
 * @param resolved  the resolved key tree, written as the run's config.yaml
 */
record Experiment(String source, String name, long seed, String precision, String data, String model, PoisonSpec attack, TrainConfig train,
                  Defense defense, Map<String, Object> resolved) {

    /** Whether the experiment trains on the poisoned data with `train` (as the result or as the defense's starting point). */
    boolean trainsUndefended() {
        return defense.needsBackdooredModel() || defense.baseline() || defense instanceof NoDefense;
    }

    /** A defense in an experiment: its config record and how the runner calls the code the `defend` subcommand uses. */
    sealed interface Defense permits NoDefense, AblDefense, AsdDefense, PostTrainingDefense {
        String name();

        /** True for defenses that repair a model trained on the poisoned data (the runner trains it first). */
        default boolean needsBackdooredModel() { return false; }

        /** True when the undefended model is trained too, to rate the defense against it (DER). */
        default boolean baseline() { return false; }

        /** The training set the defense sees and how it was poisoned; `poison` is null when the data was poisoned already. */
        default DataSource.Prepared prepare(DataSource.Split data, String dataKey, Function<DataSource.Split, AttackOptions.Poisoned> poison,
                                            long seed) {
            if (poison == null) return new DataSource.Prepared(data.train(), null, data.poisoning());
            AttackOptions.Poisoned p = poison.apply(data);
            return new DataSource.Prepared(p.poisonedTrain(), null, p.poisoning());
        }

        /** Runs the defense in the runner's context and returns its result fields (CA, ASR and the defense's own). */
        Map<String, Object> run(ExperimentRunner.Context ctx);
    }

    /** No defense: the model trained on the poisoned data is the result. */
    record NoDefense() implements Defense {
        @Override
        public String name() { return "none"; }

        @Override
        public Map<String, Object> run(ExperimentRunner.Context ctx) {
            throw new IllegalStateException("no defense has nothing to run");
        }
    }

    /** Anti-Backdoor Learning from a fresh model. */
    record AblDefense(String preset, Abl.Config config, boolean baseline) implements Defense {
        @Override
        public String name() { return "abl"; }

        @Override
        public Map<String, Object> run(ExperimentRunner.Context ctx) {
            try (Model m = ctx.freshModel()) {
                Map<String, Object> r = AblCommand.defend(ctx.run(), m, ctx.train(), ctx.test(), ctx.poisoning(), config, null, null, null, preset);
                Runs.saveModel(ctx.run(), "model.safetensors", m, ctx.provenance());
                return r;
            }
        }
    }

    /** ASD from a fresh model, with its trusted seeds set aside before poisoning when they are held out. */
    record AsdDefense(String preset, Asd.Config config, String cleanSeeds, boolean baseline) implements Defense {
        @Override
        public String name() { return "asd"; }

        @Override
        public DataSource.Prepared prepare(DataSource.Split data, String dataKey, Function<DataSource.Split, AttackOptions.Poisoned> poison,
                                           long seed) {
            return AsdCommand.prepare(data, dataKey, poison, config, seed);
        }

        @Override
        public Map<String, Object> run(ExperimentRunner.Context ctx) {
            try (Model m = ctx.freshModel()) {
                return AsdCommand.defend(ctx.run(), m, ctx.prepared(), ctx.test(), config, cleanSeeds, preset, ctx.provenance());
            }
        }
    }

    /** A defense that repairs the backdoored model with a clean budget: NAD, fine-tuning or Fine-Pruning. */
    sealed interface PostTrainingDefense extends Defense permits NadDefense, FtDefense, FpDefense {
        CleanBudgetSpec budget();

        /** Checkpoint files by stage, for resuming. */
        Map<String, String> stages();

        /** Vets the loaded model against the config before anything is written. */
        default java.util.function.Consumer<Model> check() { return m -> {}; }

        /** The defense proper, on the backdoored model `pt` holds; returns the fields beyond CA/ASR. */
        Map<String, Object> repair(PostTraining pt);

        @Override
        default boolean needsBackdooredModel() { return true; }

        @Override
        default Map<String, Object> run(ExperimentRunner.Context ctx) {
            try (PostTraining pt = PostTraining.begin(name(), ctx.backdoored(), budget(), ctx.seed(), ctx.precision(), ctx.run().path(), null,
                    stages(), check())) {
                return pt.result(name(), repair(pt));
            }
        }
    }

    /** Neural Attention Distillation. */
    record NadDefense(Nad.Config config, CleanBudgetSpec budget, Path teacherWeights, boolean poisonAt, String betasKey)
            implements PostTrainingDefense {
        @Override
        public String name() { return "nad"; }

        @Override
        public Map<String, String> stages() { return NadCommand.STAGES; }

        @Override
        public java.util.function.Consumer<Model> check() { return NadCommand.tapCheck(config, betasKey); }

        @Override
        public Map<String, Object> repair(PostTraining pt) { return NadCommand.distill(pt, config, teacherWeights, poisonAt); }
    }

    /** Fine-tuning on the clean budget. */
    record FtDefense(FineTune.Config config, CleanBudgetSpec budget) implements PostTrainingDefense {
        @Override
        public String name() { return "ft"; }

        @Override
        public Map<String, String> stages() { return FineTuneCommand.STAGES; }

        @Override
        public Map<String, Object> repair(PostTraining pt) { return FineTuneCommand.tune(pt, config); }
    }

    /** Fine-Pruning. */
    record FpDefense(FinePruning.Config config, CleanBudgetSpec budget) implements PostTrainingDefense {
        @Override
        public String name() { return "fp"; }

        @Override
        public Map<String, String> stages() { return FinePruningCommand.STAGES; }

        @Override
        public Map<String, Object> repair(PostTraining pt) { return FinePruningCommand.prune(pt, config); }
    }
}
