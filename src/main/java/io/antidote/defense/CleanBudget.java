package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.BatchLoader;
import io.antidote.data.ImageSet;

import java.util.Arrays;

/**
 * The clean data a post-training defense may use: a trusted set the defender brings ({@link #supplied})
 * or, in experiments, a draw from the training samples whose poison flag is false ({@link #draw}).
 *
 * @param set       the images and labels the defense trains on
 * @param positions where they sit in the training set, ascending (null for a supplied set)
 * @param source    one line saying where the data came from, for run records
 * @param seed      seed of the draw (0 for a supplied set)
 */
public record CleanBudget(ImageSet set, int[] positions, String source, long seed) {
    /** What the reference uses: 5% of the training set (2,500 CIFAR-10 images). */
    public static final double REFERENCE_FRACTION = 0.05;

    public int size() { return set.size(); }

    /** floor(fraction × training-set size) samples; the fraction counts against the whole set, as in the reference. */
    public static int sizeFor(ImageSet train, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new BadInputException("clean fraction " + fraction + " is outside (0, 1]");
        int k = (int) Math.floor(fraction * train.size());
        if (k < 1) throw new BadInputException("clean fraction " + fraction + " of " + train.size() + " training images is less than one image");
        return k;
    }

    /**
     * A uniform, seeded draw of `count` samples among those not flagged as poisoned. Using the flag
     * is simulated defender knowledge: it stands for the trusted data a real defender would supply.
     */
    public static CleanBudget draw(ImageSet train, int count, long seed) {
        int clean = train.size() - train.poisonedCount();
        if (count < 1) throw new BadInputException("clean budget " + count + " must be at least 1 image");
        if (count > clean) {
            throw new BadInputException("clean budget of " + count + " images exceeds the " + clean + " unpoisoned images of " + train.name());
        }
        int[] order = BatchLoader.shuffledOrder(train.size(), seed);
        int[] picked = Arrays.stream(order).filter(i -> !train.poisoned(i)).limit(count).sorted().toArray();
        return new CleanBudget(train.subset(train.name() + "-clean" + count, picked), picked,
                count + " unpoisoned training images drawn with seed " + seed + " (simulated: a real defender supplies a trusted set)", seed);
    }

    /** A trusted set the defender brings; it must match the model's classes and image shape. */
    public static CleanBudget supplied(ImageSet trusted, ImageSet train, String origin) {
        if (trusted.numClasses() != train.numClasses() || trusted.height() != train.height() || trusted.width() != train.width()
                || trusted.channels() != train.channels()) {
            throw new BadInputException(origin + ": clean set of " + trusted.numClasses() + " classes, " + trusted.height() + "x" + trusted.width()
                    + "x" + trusted.channels() + " does not match the training data's " + train.numClasses() + " classes, "
                    + train.height() + "x" + train.width() + "x" + train.channels());
        }
        if (trusted.size() == 0) throw new BadInputException(origin + ": the clean set is empty");
        return new CleanBudget(trusted, null, trusted.size() + " trusted images from " + origin, 0);
    }

    /** Images per class, to show how balanced the budget is. */
    public int[] perClass() {
        int[] c = new int[set.numClasses()];
        for (int i = 0; i < set.size(); i++) c[set.label(i)]++;
        return c;
    }

    /** How many of the budget carry a poison flag (0 for a draw; a supplied set may hide some). */
    public int poisonedInside() {
        return set.poisonedCount();
    }
}
