package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.Augmentation;
import io.antidote.data.Batch;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Optimizer;
import io.antidote.train.Checkpoint;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Fine-tuning a backdoored model on a small clean budget: the simplest post-training defense, the
 * baseline NAD is compared with, and the way NAD makes its teacher.
 */
public final class FineTune {
    /** Which parameters move. */
    public enum Scope {
        /** Every layer, BN in train mode: NAD's teacher and its "fine-tuning" baseline. */
        ALL,
        /** Only the final linear layer, the rest of the network in eval mode and left exactly as it was. */
        HEAD;

        public static Scope parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "all" -> ALL;
                case "head", "last-layer" -> HEAD;
                default -> throw new BadInputException("fine-tuning scope '" + s + "' is not one of all, head");
            };
        }
    }

    /** Fine-tuning hyper-parameters (SGD with Nesterov momentum, as both ABL and NAD use). */
    public record Config(Scope scope, int epochs, int batchSize, double lr, Schedule schedule, double momentum, double weightDecay,
                         Augmentation augmentation, long seed) {
        public Config {
            if (scope == null) throw new BadInputException("fine-tuning scope is missing");
            if (epochs < 0) throw new BadInputException("fine-tuning epochs " + epochs + " must be >= 0");
            if (batchSize < 1) throw new BadInputException("fine-tuning batch size " + batchSize + " must be >= 1");
            if (!(lr > 0)) throw new BadInputException("fine-tuning learning rate " + lr + " must be > 0");
        }

        /**
         * NAD's teacher recipe (§5.3: the NAD script with all betas 0): all layers, batch 64, lr 0.1
         * for 2 epochs then 0.01, wd 1e-4, crop+flip+Cutout. The README says 5-10 epochs; 10 here.
         */
        public static Config reference(long seed) {
            return new Config(Scope.ALL, 10, 64, 0.1, Nad.referenceSchedule(), 0.9, 1e-4, Augmentation.ablNad(), seed);
        }

        /** This recipe with the scope and any given epochs, batch size or learning rate (null keeps this one's). */
        public Config with(Scope s, Integer epochs, Integer batchSize, Double lr) {
            return new Config(s, epochs != null ? epochs : this.epochs, batchSize != null ? batchSize : this.batchSize,
                    lr != null ? lr : this.lr, schedule, momentum, weightDecay, augmentation, seed);
        }

        public Config withScope(Scope s) {
            return new Config(s, epochs, batchSize, lr, schedule, momentum, weightDecay, augmentation, seed);
        }

        public Config withEpochs(int e) {
            return new Config(scope, e, batchSize, lr, schedule, momentum, weightDecay, augmentation, seed);
        }

        public Config withLr(double v) {
            return new Config(scope, epochs, batchSize, v, schedule, momentum, weightDecay, augmentation, seed);
        }

        public Config withSeed(long s) {
            return new Config(scope, epochs, batchSize, lr, schedule, momentum, weightDecay, augmentation, s);
        }

        /** The training-loop config; the budget is shuffled every epoch, the last batch kept (as the reference's 40th batch of 4). */
        public TrainConfig train() {
            return new TrainConfig(epochs, batchSize, "sgd", lr, momentum, true, weightDecay, schedule, augmentation, true, false, seed);
        }
    }

    /** What was fine-tuned. */
    public record Result(Scope scope, int epochsRun, List<String> trainedParameters) {}

    private FineTune() {}

    /** The parameters a scope trains, by name. */
    public static java.util.function.Predicate<String> parameters(Model model, Scope scope) {
        String head = model.headName() + ".";
        return scope == Scope.ALL ? n -> true : n -> n.startsWith(head);
    }

    /**
     * Fine-tunes `model` in place on the clean set; resumes from `checkpoint` when it exists.
     * `stage` names the epochs in the listener's records ("finetune", "teacher").
     */
    public static Result run(Model model, ImageSet clean, Config c, String stage, Path checkpoint, EpochListener listener, Progress progress) {
        return run(model, clean, c, stage, checkpoint, listener, progress, m -> {});
    }

    /** As above, calling `afterStep` after every optimiser step (how Fine-Pruning keeps its mask). */
    static Result run(Model model, ImageSet clean, Config c, String stage, Path checkpoint, EpochListener listener, Progress progress,
                      java.util.function.Consumer<Model> afterStep) {
        TrainConfig tc = c.train();
        Optimizer opt = Trainer.optimizer(model, tc, parameters(model, c.scope()));
        int ran = Trainer.train(model, opt, clean, tc, new Trainer.Hooks() {
            @Override
            public Model.StepResult step(Model m, Optimizer o, Batch b, float[] w, Objective obj) {
                Model.StepResult r = c.scope() == Scope.HEAD ? m.trainStepFixedStatistics(o, b.pixels(), b.size(), b.labels())
                        : Trainer.Hooks.super.step(m, o, b, w, obj);
                afterStep.accept(m);
                return r;
            }

            @Override
            public void afterEpoch(Trainer.EpochStats s, Model m) { listener.epoch(stage, s, m); }
        }, checkpoint == null ? null : new Checkpoint(checkpoint), progress, -1);
        return new Result(c.scope(), ran, opt.parameterNames());
    }
}
