package io.antidote.cli;

import io.antidote.data.Augmentation;
import io.antidote.nn.Precision;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options every training command shares; turns into an immutable TrainConfig in one place. */
final class TrainingOptions {
    @Option(names = "--data", defaultValue = "synthetic", description = "synthetic[:SEED[:TRAIN_SIZE:TEST_SIZE]] | poisoned:DIR (written by antidote poison) | cifar10[:DIR|TGZ] | cifar100:DIR|TGZ | gtsrb:DIR | folder:TRAIN_DIR,TEST_DIR | npz:TRAIN.npz,TEST.npz (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--model", defaultValue = "wrn-16-1", description = "wrn-16-1, wrn-D-K, resnet18, preact-resnet18 (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--epochs", defaultValue = "30")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd | adam")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.1")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9")
    double momentum;

    @Option(names = "--nesterov", defaultValue = "true", negatable = true, fallbackValue = "true")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "5e-4")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "cosine", description = "constant | cosine | onecycle | step:N[:G] | multistep:A,B[:G]")
    String schedule;

    @Option(names = "--augment", defaultValue = "crop-flip", description = "none | crop-flip | abl-nad | asd")
    String augment;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = "fp32 | fp32-cl | bf16 | auto (bf16 where the CPU has AVX512-BF16/AMX, else fp32-cl: fp32 with channels-last tensors)")
    String precision;

    TrainConfig config() {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, Schedule.parse(schedule),
                Augmentation.preset(augment), true, false, seed);
    }

    Precision precisionMode() {
        return Precision.parse(precision);
    }
}
