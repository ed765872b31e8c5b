package io.antidote.cli;

import io.antidote.data.Augmentation;
import io.antidote.nn.Precision;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options every training command shares; turns into an immutable TrainConfig in one place. */
final class TrainingOptions {
    @Option(names = "--data", defaultValue = "synthetic", description = OptionText.DATA)
    String data;

    @Option(names = "--model", defaultValue = "wrn-16-1", description = OptionText.MODEL)
    String model;

    @Option(names = "--epochs", defaultValue = "30", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd | adam")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.1", description = "Peak learning rate, shaped by --schedule (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--nesterov", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Nesterov momentum; --no-nesterov for plain momentum (default: ${DEFAULT-VALUE}).")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", description = "constant | cosine | onecycle | step:N[:G] | multistep:A,B[:G]")
    String schedule;

    @Option(names = "--augment", defaultValue = "crop-flip", description = "none | crop-flip | abl-nad | asd")
    String augment;

    @Option(names = "--seed", defaultValue = "1", description = OptionText.SEED)
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = OptionText.PRECISION)
    String precision;

    TrainConfig config() {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, Schedule.parse(schedule),
                Augmentation.preset(augment), true, false, seed);
    }

    Precision precisionMode() {
        return Precision.parse(precision);
    }
}
