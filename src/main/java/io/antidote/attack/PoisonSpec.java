package io.antidote.attack;

import io.antidote.BadInputException;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything that decides a poisoned training set: which attack with which parameters, how many
 * samples, which ones, and what their labels become.
 *
 * @param attack    registry name of the attack
 * @param params    the attack's parameters (missing ones take the attack's defaults)
 * @param rate      in (0, 1]; see {@link RateRule} for what it counts
 * @param target    target label; checked against the number of classes by {@link #validate(int)}
 * @param labelMode how triggered samples are labelled
 * @param pool      which samples may be drawn; null picks {@link Pool#ALL}, or {@link Pool#TARGET}
 *                  for clean-label
 * @param rule      exact count or per-sample coin flips
 * @param seed      seed of the draw (the attack's own randomness has its own "seed" parameter)
 */
public record PoisonSpec(String attack, Map<String, String> params, double rate, int target,
                         LabelMode labelMode, Pool pool, RateRule rule, long seed) {

    public PoisonSpec {
        AttackRegistry.requireKnown(attack);
        attack = attack.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new TreeMap<>(params == null ? Map.of() : params));
        if (!(rate > 0 && rate <= 1)) {
            throw new BadInputException("poison rate " + AttackParams.fmt(rate) + " is outside (0, 1]");
        }
        if (target < 0) {
            throw new BadInputException("target label " + target + " is negative");
        }
        if (labelMode == null) labelMode = LabelMode.ALL2ONE;
        if (pool == null) pool = Pool.defaultFor(labelMode);
        if (rule == null) rule = RateRule.EXACT;
        if (!pool.fits(labelMode)) {
            throw new BadInputException("pool " + pool + " does not fit label mode " + labelMode.word() + "; use "
                    + (labelMode == LabelMode.CLEAN_LABEL ? "TARGET or REFERENCE_CLEAN_LABEL" : "ALL or NON_TARGET"));
        }
    }

    /** All2one, pool ALL, exact count, seed 0: ABL/NAD's construction with the attack's defaults. */
    public static PoisonSpec of(String attack, double rate, int target) {
        return new PoisonSpec(attack, Map.of(), rate, target, LabelMode.ALL2ONE, Pool.ALL, RateRule.EXACT, 0);
    }

    public PoisonSpec withParams(Map<String, String> p) {
        return new PoisonSpec(attack, p, rate, target, labelMode, pool, rule, seed);
    }

    /** Also resets the pool to the new mode's default, since clean-label and dirty-label pools differ. */
    public PoisonSpec withLabelMode(LabelMode m) {
        return new PoisonSpec(attack, params, rate, target, m, null, rule, seed);
    }

    public PoisonSpec withPool(Pool p) {
        return new PoisonSpec(attack, params, rate, target, labelMode, p, rule, seed);
    }

    public PoisonSpec withRule(RateRule r) {
        return new PoisonSpec(attack, params, rate, target, labelMode, pool, r, seed);
    }

    public PoisonSpec withSeed(long s) {
        return new PoisonSpec(attack, params, rate, target, labelMode, pool, rule, s);
    }

    /** The checks that need the data set: the target must be one of its classes. */
    public void validate(int numClasses) {
        if (target >= numClasses) {
            throw new BadInputException("target label " + target + " is outside [0, " + numClasses + ")");
        }
    }

    /** One line for logs and run records. */
    public String describe() {
        String p = params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        return attack + "(" + p + ") rate=" + AttackParams.fmt(rate) + " target=" + target + " " + labelMode.word()
                + " pool=" + pool.name().toLowerCase(Locale.ROOT) + " rule=" + rule.name().toLowerCase(Locale.ROOT) + " seed=" + seed;
    }
}
