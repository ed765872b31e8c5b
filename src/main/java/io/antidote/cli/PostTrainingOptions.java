package io.antidote.cli;

import io.antidote.BadInputException;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The optimiser and run options every post-training defense command shares, declared once. */
final class PostTrainingOptions {
    @Option(names = "--lr", description = "Initial learning rate (default 0.1; x0.1 after epoch 2, x0.01 after 20).")
    Double lr;

    @Option(names = "--batch-size", description = "Batch size (default 64).")
    Integer batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the clean-budget draw and the data order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = OptionText.PRECISION)
    String precision;

    @Option(names = "--out", description = "Run directory (default runs/<defense>-<attack>-<seed>).")
    Path out;

    /** Rejects an impossible --lr or --batch-size before any work starts. */
    void check() {
        lr(1);
        batchSize(1);
    }

    /** --lr when given (it must be > 0), else the defense's default. */
    double lr(double fallback) {
        if (lr != null && !(lr > 0)) throw new BadInputException("--lr " + lr + " must be > 0");
        return lr != null ? lr : fallback;
    }

    /** --batch-size when given (it must be >= 1), else the defense's default. */
    int batchSize(int fallback) {
        if (batchSize != null && batchSize < 1) throw new BadInputException("--batch-size " + batchSize + " must be >= 1");
        return batchSize != null ? batchSize : fallback;
    }

    /** Opens the run of `defense` with these options: the backdoored input, its clean budget, seed, precision and run directory. */
    PostTraining begin(String defense, BackdooredInput input, CleanBudgetOptions clean, java.util.Map<String, Object> config,
                       java.util.Map<String, String> stages, java.util.function.Consumer<io.antidote.nn.Model> check) {
        return PostTraining.begin(defense, input.resolve(seed), clean.spec(), seed, io.antidote.nn.Precision.parse(precision), out, config,
                stages, check);
    }
}
