package io.antidote.attack;

import io.antidote.BadInputException;

import java.util.Locale;

/** How the poison rate turns into a set of samples. */
public enum RateRule {
    /**
     * floor(N x rate) samples, N the size of the whole training set, drawn uniformly without
     * replacement from the pool (capped at the pool's size): ABL/NAD (§2.1).
     */
    EXACT,
    /**
     * Every sample of the pool independently with probability rate, one draw per sample in index
     * order: ASD/DBD (§2.5). The count is random, and over NON_TARGET about rate x 0.9 N on CIFAR-10.
     */
    BERNOULLI;

    public static RateRule parse(String s) {
        String t = s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
        for (RateRule r : values()) {
            if (r.name().equals(t)) return r;
        }
        throw new BadInputException("rate rule '" + s + "' is unknown; known: exact, bernoulli");
    }
}
