package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.data.NpyIO;
import io.antidote.defense.CleanBudget;
import picocli.CommandLine.Option;

import java.nio.file.Files;
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

    CleanBudget budget(ImageSet train, long seed) {
        if (supplied != null) {
            if (fraction != null || count != null) throw new BadInputException("--clean-data: drop --clean-fraction / --clean-count, the file is the budget");
            if (!Files.isRegularFile(supplied)) throw new BadInputException(supplied + ": no such file (--clean-data)");
            return CleanBudget.supplied(NpyIO.readImageSet(supplied, train.numClasses()), train, "--clean-data " + supplied);
        }
        if (fraction != null && count != null) throw new BadInputException("--clean-count " + count + ": give it or --clean-fraction, not both");
        int k;
        if (count != null) {
            k = count;
        } else {
            double f = fraction != null ? fraction : CleanBudget.REFERENCE_FRACTION;
            try {
                k = CleanBudget.sizeFor(train, f);
            } catch (BadInputException e) {
                throw new BadInputException("--clean-fraction: " + e.getMessage(), e);
            }
        }
        try {
            return CleanBudget.draw(train, k, seed);
        } catch (BadInputException e) {
            throw new BadInputException((count != null ? "--clean-count: " : "--clean-fraction: ") + e.getMessage(), e);
        }
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
