package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.data.NpyIO;
import io.antidote.defense.CleanBudget;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much clean data a post-training defense gets: a fraction or a count of the training set, or a
 * trusted file; all null means the reference's 5%. The flags and experiment files both build one.
 *
 * @param keys what the user called the three settings, for messages (flags or YAML key paths)
 */
record CleanBudgetSpec(Double fraction, Integer count, Path supplied, Keys keys) {
    /** The user-facing names of fraction, count and supplied file. */
    record Keys(String fraction, String count, String supplied) {}

    static final Keys FLAGS = new Keys("--clean-fraction", "--clean-count", "--clean-data");

    CleanBudget budget(ImageSet train, long seed) {
        if (supplied != null) {
            if (fraction != null || count != null) {
                throw new BadInputException(keys.supplied() + ": drop " + keys.fraction() + " / " + keys.count() + ", the file is the budget");
            }
            if (!Files.isRegularFile(supplied)) throw new BadInputException(supplied + ": no such file (" + keys.supplied() + ")");
            return CleanBudget.supplied(NpyIO.readImageSet(supplied, train.numClasses()), train, keys.supplied() + " " + supplied);
        }
        if (fraction != null && count != null) throw new BadInputException(keys.count() + " " + count + ": give it or " + keys.fraction() + ", not both");
        int k;
        if (count != null) {
            k = count;
        } else {
            double f = fraction != null ? fraction : CleanBudget.REFERENCE_FRACTION;
            try {
                k = CleanBudget.sizeFor(train, f);
            } catch (BadInputException e) {
                throw new BadInputException(keys.fraction() + ": " + e.getMessage(), e);
            }
        }
        try {
            return CleanBudget.draw(train, k, seed);
        } catch (BadInputException e) {
            throw new BadInputException((count != null ? keys.count() : keys.fraction()) + ": " + e.getMessage(), e);
        }
    }
}
