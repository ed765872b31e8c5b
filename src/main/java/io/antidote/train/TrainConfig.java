package io.antidote.train;

import io.antidote.BadInputException;
import io.antidote.data.Augmentation;

/**
 * Everything that decides a training run's arithmetic: optimiser, schedule, batching, augmentation
 * and seed. Two runs with equal configs and data produce equal weights on CPU.
 */
public record TrainConfig(int epochs, int batchSize, String optimizer, double lr, double momentum, boolean nesterov,
                          double weightDecay, Schedule schedule, Augmentation augmentation, boolean shuffle,
                          boolean dropLast, long seed) {
    public TrainConfig {
        if (epochs < 0) throw new BadInputException("epochs " + epochs + " must be >= 0");
        if (batchSize <= 0) throw new BadInputException("batch size " + batchSize + " must be > 0");
        if (!(lr >= 0)) throw new BadInputException("learning rate " + lr + " must be >= 0");
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new BadInputException("optimizer '" + optimizer + "' is not one of sgd, adam");
        }
    }

    /** The baseline: SGD 0.1 (momentum 0.9, Nesterov, wd 5e-4), cosine, crop+flip, batch 128. */
    public static TrainConfig standard(int epochs, long seed) {
        return new TrainConfig(epochs, 128, "sgd", 0.1, 0.9, true, 5e-4, new Schedule.Cosine(), Augmentation.cropFlip(), true, false, seed);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, optimizer, lr, momentum, nesterov, weightDecay, schedule, augmentation, shuffle, dropLast, seed);
    }

    public TrainConfig withLr(double v, Schedule s) {
        return new TrainConfig(epochs, batchSize, optimizer, v, momentum, nesterov, weightDecay, s, augmentation, shuffle, dropLast, seed);
    }

    public TrainConfig withAugmentation(Augmentation a) {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, schedule, a, shuffle, dropLast, seed);
    }

    public TrainConfig withShuffle(boolean s) {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, schedule, augmentation, s, dropLast, seed);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(epochs, b, optimizer, lr, momentum, nesterov, weightDecay, schedule, augmentation, shuffle, dropLast, seed);
    }

    /** A stable text form, stored in checkpoints so a resume with a different config is refused. */
    public String fingerprint() {
        return String.format(java.util.Locale.ROOT, "epochs=%d batch=%d opt=%s lr=%s mom=%s nesterov=%s wd=%s schedule=%s aug=%d/%s/%s/%d shuffle=%s droplast=%s seed=%d",
                epochs, batchSize, optimizer, lr, momentum, nesterov, weightDecay, schedule, augmentation.cropPadding(),
                augmentation.padMode(), augmentation.horizontalFlip(), augmentation.cutoutLength(), shuffle, dropLast, seed);
    }
}
