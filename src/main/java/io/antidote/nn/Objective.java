package io.antidote.nn;

/**
 * How a batch's per-example cross-entropies become the scalar that is back-propagated: plain mean,
 * ABL's local gradient ascent sign(l - gamma)·l, flooding |l - b| + b, or pure ascent -l.
 * Per-example weights (signs included) multiply the losses before the mean.
 */
public sealed interface Objective {
    /** Mean cross-entropy (weighted when weights are given). */
    record CrossEntropy() implements Objective {}

    /** ABL's LGA on the batch mean: descend while above gamma, ascend below it. */
    record LocalGradientAscent(double gamma) implements Objective {}

    /**
     * LGA with the sign taken per example, sign(l_i - gamma)·l_i, as the paper writes it: every example
     * below gamma is ascended, so an easy clean example cannot sink far below gamma while the batch mean
     * stays above it.
     */
    record ExampleGradientAscent(double gamma) implements Objective {}

    /** Flooding (Ishida et al.) at level b: same gradients as LGA with gamma = b. */
    record Flooding(double level) implements Objective {}

    /** Gradient ascent on the mean cross-entropy (ABL unlearning). */
    record Ascent() implements Objective {}

    /**
     * Weighted mean cross-entropy in which an ascended (negatively weighted) example stops
     * contributing once its loss exceeds the ceiling: cross-entropy has no upper bound, and pushing
     * an already-unlearned example further only drags the clean examples along.
     */
    record CappedAscent(double ceiling) implements Objective {}

    /**
     * Mean cross-entropy against the label smoothed by epsilon: (1 - epsilon) on the label plus
     * epsilon / C on every class, so epsilon = 1 is the uniform target. When {@code smoothed} is
     * given, only the batch's examples flagged there get the soft target and the others keep their
     * label, so soft-labelled examples can share a batch with ordinary ones.
     */
    record SmoothedCrossEntropy(double epsilon, boolean[] smoothed) implements Objective {
        public SmoothedCrossEntropy {
            if (!(epsilon >= 0 && epsilon <= 1)) throw new IllegalArgumentException("label smoothing " + epsilon + " is outside [0, 1]");
        }

        /** Every example of the batch smoothed. */
        public SmoothedCrossEntropy(double epsilon) {
            this(epsilon, null);
        }
    }

    static Objective crossEntropy() { return new CrossEntropy(); }
}
