package io.antidote.cli;

import io.antidote.data.ImageSet;
import io.antidote.defense.CleanBudget;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** How much clean data a post-training defense gets, and where it comes from. */
final class CleanBudgetOptions {
    @Option(names = "--clean-fraction", description = "Clean budget as a fraction of the training-set size, drawn from its unpoisoned samples (default: 0.05).")
    Double fraction;

    @Option(names = "--clean-count", description = "Clean budget as a number of images, instead of --clean-fraction.")
    Integer count;

    @Option(names = "--clean-data", paramLabel = "NPZ", description = "A trusted clean set (.npz with x, y) to use instead of drawing one.")
    Path supplied;

    CleanBudgetSpec spec() {
        return new CleanBudgetSpec(fraction, count, supplied, CleanBudgetSpec.FLAGS);
    }

    static Map<String, Object> summary(CleanBudget b, ImageSet train) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", b.size());
        m.put("fraction_of_train", (double) b.size() / train.size());
        m.put("source", b.source());
        if (b.positions() != null) m.put("seed", b.seed());
        m.put("per_class", b.perClass());
        m.put("poisoned_inside", b.poisonedInside());
        m.put("sha256", b.set().sha256());
        return m;
    }
}
