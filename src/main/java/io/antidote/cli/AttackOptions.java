package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.attack.Attack;
import io.antidote.attack.AttackContext;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.LabelMode;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.attack.Pool;
import io.antidote.attack.RateRule;
import io.antidote.data.ImageSet;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The options that choose a backdoor attack and how a training set is poisoned with it. */
final class AttackOptions {
    static final double DEFAULT_RATE = 0.1;
    static final int DEFAULT_TARGET = 0;

    /** The registered attack names, for picocli's help text. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return AttackRegistry.names().iterator();
        }
    }

    @Option(names = "--attack", paramLabel = "NAME", completionCandidates = Names.class,
            description = "Poison the training set with this attack: ${COMPLETION-CANDIDATES}.")
    String attack;

    @Option(names = "--attack-param", paramLabel = "KEY=VALUE", description = "An attack parameter (repeatable), e.g. --attack-param size=3 for badnets.")
    Map<String, String> params = new LinkedHashMap<>();

    // The poisoning options have no picocli default so that giving one without --attack can be refused.
    @Option(names = "--rate", description = "Poison rate in (0, 1] (default: 0.1).")
    Double rate;

    @Option(names = "--target", description = "Target label (default: 0).")
    Integer target;

    @Option(names = "--label-mode", description = "all2one | all2all | clean-label (default: the attack's usual mode, e.g. clean-label for sig and refool).")
    String labelMode;

    @Option(names = "--pool", description = "all | non-target | target | reference-clean-label (default: all, or target for clean-label).")
    String pool;

    @Option(names = "--rate-rule", description = "exact (floor(N x rate) samples) | bernoulli (each with probability rate) (default: exact).")
    String rateRule;

    @Option(names = "--poison-seed", description = "Seed of the draw of poisoned samples (default: the run's --seed).")
    Long poisonSeed;

    /** A poisoned train/test pair made by one attack instance, with the spec that made it. */
    record Poisoned(ImageSet poisonedTrain, ImageSet poisonedTest, Attack attack, PoisonSpec spec) {
        /** The spec field by field (for reading it back), the attack with every default, and the counts. */
        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("spec", spec.describe());
            m.put("attack", attack.describe());
            m.put("name", spec.attack());
            m.put("params", new LinkedHashMap<>(spec.params()));
            m.put("rate", spec.rate());
            m.put("target", spec.target());
            m.put("label_mode", spec.labelMode().word());
            m.put("pool", spec.pool().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            m.put("rate_rule", spec.rule().name().toLowerCase(Locale.ROOT));
            m.put("seed", spec.seed());
            m.put("poisoned", poisonedTrain.poisonedCount());
            m.put("train_size", poisonedTrain.size());
            m.put("poisoned_test_size", poisonedTest.size());
            return m;
        }

        DataSource.Poisoning poisoning() {
            // All2all relabels every class, so no class is "the target" that non-target CA leaves out.
            int t = spec.labelMode() == LabelMode.ALL2ALL ? -1 : spec.target();
            return new DataSource.Poisoning(poisonedTest, t, summary());
        }
    }

    boolean enabled() {
        return attack != null;
    }

    /**
     * Refuses poisoning options without --attack, and an unknown attack, before any data is read, so
     * a typo costs no loading time.
     */
    void check() {
        if (attack == null) {
            List<String> given = new ArrayList<>();
            if (!params.isEmpty()) given.add("--attack-param");
            if (rate != null) given.add("--rate");
            if (target != null) given.add("--target");
            if (labelMode != null) given.add("--label-mode");
            if (pool != null) given.add("--pool");
            if (rateRule != null) given.add("--rate-rule");
            if (poisonSeed != null) given.add("--poison-seed");
            if (!given.isEmpty()) throw new BadInputException(String.join(", ", given) + " only apply with --attack NAME");
            return;
        }
        named("--attack", () -> AttackRegistry.defaultLabelMode(attack));
    }

    /** The poison spec these options describe, checked against a data set with numClasses classes. */
    PoisonSpec spec(long seed, int numClasses) {
        check();
        if (attack == null) throw new BadInputException("--attack is required; known: " + String.join(", ", AttackRegistry.names()));
        double r = rate == null ? DEFAULT_RATE : rate;
        // PoisonSpec checks these too, but only the CLI knows which option the user typed.
        if (!(r > 0 && r <= 1)) throw new BadInputException("--rate " + r + " is outside (0, 1]");
        int t = target == null ? DEFAULT_TARGET : target;
        if (t < 0 || t >= numClasses) throw new BadInputException("--target " + t + " is outside [0, " + numClasses + ") for a data set of " + numClasses + " classes");
        LabelMode mode = labelMode == null ? AttackRegistry.defaultLabelMode(attack) : named("--label-mode", () -> LabelMode.parse(labelMode));
        Pool p = pool == null ? null : named("--pool", () -> Pool.parse(pool));
        RateRule rule = rateRule == null ? RateRule.EXACT : named("--rate-rule", () -> RateRule.parse(rateRule));
        long s = poisonSeed == null ? seed : poisonSeed;
        // With the pool left out it follows the label mode, so only a given pool can clash with it.
        return named("--pool", () -> new PoisonSpec(attack, params, r, t, mode, p, rule, s));
    }

    /**
     * Poisons the training set and builds the triggered test set with the same attack instance, since
     * Refool's reflections and Blend's noise pattern are drawn when the instance is made.
     */
    Poisoned poison(DataSource.Split clean, long seed) {
        PoisonSpec spec = spec(seed, clean.train().numClasses());
        return poison(spec, clean, "--data", params.isEmpty() ? null : "--attack-param");
    }

    /**
     * Poisons with a checked spec; the flags and experiment files both come here. `dataKey` and
     * `paramsKey` name where the data and the attack parameters were given, for messages; a null
     * paramsKey means none were given, so an attack's own complaint stands alone.
     */
    static Poisoned poison(PoisonSpec spec, DataSource.Split clean, String dataKey, String paramsKey) {
        if (clean.test().numClasses() != clean.train().numClasses()) {
            throw new BadInputException(dataKey + ": the test set has " + clean.test().numClasses() + " classes, the training set "
                    + clean.train().numClasses());
        }
        Supplier<Attack> make = () -> AttackRegistry.create(spec, new AttackContext(clean.train(), spec.target()));
        Attack a = paramsKey == null ? make.get() : named(paramsKey, make);
        // CL perturbs its target-class images against a clean surrogate model before the trigger goes on
        io.antidote.attack.Perturbation before = !spec.attack().equals("cl") ? null
                : io.antidote.train.LabelConsistent.perturbation(clean.train(), spec.target(), io.antidote.attack.Cl.settings(a), spec.seed(),
                io.antidote.nn.Precision.detect(), new io.antidote.train.Progress(System.err, false));
        return new Poisoned(Poisoner.poisonTrain(clean.train(), spec, a, before), Poisoner.poisonTest(clean.test(), spec, a), a, spec);
    }

    /** Prefixes the option name to a message that only names the value. */
    private static <T> T named(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (BadInputException e) {
            throw new BadInputException(option + ": " + e.getMessage(), e);
        }
    }
}
