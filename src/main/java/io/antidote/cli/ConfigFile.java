package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.LabelMode;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Pool;
import io.antidote.attack.RateRule;
import io.antidote.data.Augmentation;
import io.antidote.defense.Abl;
import io.antidote.defense.Asd;
import io.antidote.defense.UnlearningAblation;
import io.antidote.defense.FinePruning;
import io.antidote.defense.FineTune;
import io.antidote.defense.Nad;
import io.antidote.nn.AttentionLoss;
import io.antidote.nn.Precision;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The one place where experiment and grid files (YAML) become records. Every key is read through a
 * {@link Section}, which checks its type and range and remembers it as known; whatever is left
 * over is an unknown key, reported with the nearest known one. docs/config.md documents the keys.
 */
final class ConfigFile {
    private ConfigFile() {}

    /** Defense parsers by the name `defense.name` takes: one line registers a defense. */
    private static final Map<String, BiFunction<Section, Long, Experiment.Defense>> DEFENSES = new LinkedHashMap<>();

    static {
        DEFENSES.put("none", (s, seed) -> new Experiment.NoDefense());
        DEFENSES.put("abl", ConfigFile::abl);
        DEFENSES.put("nad", ConfigFile::nad);
        DEFENSES.put("ft", ConfigFile::ft);
        DEFENSES.put("fp", ConfigFile::fp);
        DEFENSES.put("asd", ConfigFile::asd);
    }

    // ---- experiments ------------------------------------------------------------------------

    /** Reads an experiment file and applies `--set key.path=value` overrides before checking it. */
    static Experiment experiment(Path file, List<String> sets) {
        String label = file.getFileName().toString();
        Map<String, Object> tree = load(file);
        for (String s : sets) set(tree, s);
        return experiment(label, stem(file), tree);
    }

    /** Checks a key tree; `label` names it in messages, `defaultName` is the name when the tree gives none. */
    static Experiment experiment(String label, String defaultName, Map<String, Object> tree) {
        Keys keys = new Keys(label);
        Section root = new Section(keys, "", tree);
        Experiment e = keys.wrap(() -> {
            String name = root.text("name", defaultName);
            long seed = root.integer("seed", 1L, 0, Long.MAX_VALUE);
            String precision = root.choice("precision", "auto", Precision.NAMES);
            keys.wrap("precision", () -> Precision.parse(precision));
            String data = root.text("data", "synthetic");
            String model = root.text("model", "wrn-16-1");
            PoisonSpec attack = root.has("attack") ? attack(root.section("attack"), seed) : null;
            TrainConfig train = train(root.section("train"), seed);
            Section d = root.section("defense");
            String dname = d.choice("name", "none", List.copyOf(DEFENSES.keySet()));
            Experiment.Defense defense = DEFENSES.get(dname).apply(d, seed);
            return new Experiment(label, name, seed, precision, data, model, attack, train, defense, freeze(root.resolved));
        });
        keys.rejectUnknown(root);
        return e;
    }

    private static PoisonSpec attack(Section a, long seed) {
        String name = a.text("name", null);
        if (name == null) throw a.missing("name", "one of " + String.join(", ", AttackRegistry.names()));
        if (!AttackRegistry.has(name)) {
            throw a.bad("name", "'" + name + "' is not one of " + String.join(", ", AttackRegistry.names()));
        }
        double rate = a.number("rate", AttackOptions.DEFAULT_RATE, Range.open(0, 1, true, false));
        long target = a.integer("target", AttackOptions.DEFAULT_TARGET, 0, Integer.MAX_VALUE);
        String mode = a.text("label_mode", AttackRegistry.defaultLabelMode(name).word());
        LabelMode lm = a.keys.wrap(a.child("label_mode"), () -> LabelMode.parse(mode));
        String pool = a.text("pool", null);
        Pool p = pool == null ? null : a.keys.wrap(a.child("pool"), () -> Pool.parse(pool));
        String rule = a.choice("rate_rule", "exact", List.of("exact", "bernoulli"));
        long poisonSeed = a.integer("seed", seed, 0, Long.MAX_VALUE);
        Map<String, String> params = a.scalarMap("params");
        PoisonSpec spec = a.keys.wrap("attack.pool", () -> new PoisonSpec(name, params, rate, (int) target, lm, p, RateRule.parse(rule), poisonSeed));
        a.resolved.put("pool", spec.pool().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        return spec;
    }

    private static TrainConfig train(Section t, long seed) {
        int epochs = (int) t.integer("epochs", 30L, 0, 100_000);
        int batch = (int) t.integer("batch_size", 128L, 1, 1 << 20);
        String opt = t.choice("optimizer", "sgd", List.of("sgd", "adam"));
        double lr = t.number("lr", 0.1, Range.open(0, Double.POSITIVE_INFINITY, true, true));
        double momentum = t.number("momentum", 0.9, Range.closed(0, 1));
        boolean nesterov = t.bool("nesterov", true);
        double wd = t.number("weight_decay", 5e-4, Range.open(0, Double.POSITIVE_INFINITY, false, true));
        String schedule = t.text("schedule", "cosine");
        Schedule sch = t.keys.wrap("train.schedule", () -> Schedule.parse(schedule));
        String augment = t.choice("augment", "crop-flip", Augmentation.NAMES);
        boolean shuffle = t.bool("shuffle", true);
        return t.keys.wrap("train", () -> new TrainConfig(epochs, batch, opt, lr, momentum, nesterov, wd, sch, Augmentation.preset(augment),
                shuffle, false, seed));
    }

    private static Experiment.Defense abl(Section d, long seed) {
        String preset = d.choice("preset", "reference", List.copyOf(AblCommand.PRESETS.keySet()));
        Abl.Config p = AblCommand.PRESETS.get(preset).apply(seed);
        int isoEpochs = (int) d.integer("isolation_epochs", (long) p.isolationEpochs(), 1, 100_000);
        double ratio = d.number("isolation_ratio", p.isolationRatio(), Range.open(0, 1, true, true));
        double isoLr = d.number("isolation_lr", p.isolationLr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        boolean isoAugment = d.bool("isolation_augment", p.isolationAugment());
        int batch = (int) d.integer("batch_size", (long) p.batchSize(), 1, 1 << 20);
        // batch_size is every stage's batch, as before isolation had its own
        int isoBatch = (int) d.integer("isolation_batch_size", (long) (d.has("batch_size") ? batch : p.isolationBatchSize()), 1, 1 << 20);
        boolean lga = d.bool("lga", !p.flooding());
        double gamma = d.number("gamma", p.gamma(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        String scope = d.choice("lga_scope", nameOf(AblCommand.LGA_SCOPES, p.lgaScope()), List.copyOf(AblCommand.LGA_SCOPES.keySet()));
        String unlearning = d.choice("unlearning", nameOf(AblCommand.UNLEARNING, p.unlearning()), List.copyOf(AblCommand.UNLEARNING.keySet()));
        int ft = (int) d.integer("finetune_epochs", (long) p.finetuneEpochs(), 0, 100_000);
        int decay = (int) d.integer("finetune_decay_epoch", (long) p.finetuneDecayEpoch(), 0, 100_000);
        String ftSchedule = d.choice("finetune_schedule", nameOf(AblCommand.FINETUNE_SCHEDULES, p.finetuneSchedule()),
                List.copyOf(AblCommand.FINETUNE_SCHEDULES.keySet()));
        double ftWd = d.number("finetune_weight_decay", p.finetuneWeightDecay(), Range.closed(0, 1));
        int ul = (int) d.integer("unlearn_epochs", (long) p.unlearnEpochs(), 0, 100_000);
        int ulMax = (int) d.integer("unlearn_max_epochs", (long) p.unlearnMaxEpochs(), 0, 100_000);
        double ulr = d.number("unlearn_lr", p.unlearnLr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        double margin = d.number("stop_margin", p.stopMargin(), Range.closed(0, 1));
        boolean recal = d.bool("recalibrate_bn", p.recalibrateBn());
        double clean = d.number("unlearn_clean", p.unlearnClean(), Range.closed(0, 100));
        String by = d.text("unlearn_by", p.unlearnBy());
        if (!UnlearningAblation.names().contains(by)) throw d.bad("unlearn_by", notOneOf(by, UnlearningAblation.names()));
        double anchors = d.number("target_anchors", p.targetAnchors(), Range.closed(0, 1));
        int retries = (int) d.integer("isolation_retries", (long) p.isolationRetries(), 0, 100);
        boolean majority = d.bool("majority_label_only", p.majorityLabelOnly());
        String pick = d.choice("isolation_pick", nameOf(AblCommand.PICKS, p.isolationPick()), List.copyOf(AblCommand.PICKS.keySet()));
        boolean baseline = d.bool("baseline", false);
        Abl.Config c = d.keys.wrap("defense", () -> p.toBuilder().isolationEpochs(isoEpochs).isolationRatio(ratio).isolationLr(isoLr)
                .isolationAugment(isoAugment).batchSize(batch).isolationBatchSize(isoBatch).flooding(!lga).gamma(gamma).lgaScope(AblCommand.LGA_SCOPES.get(scope))
                .unlearning(AblCommand.UNLEARNING.get(unlearning)).finetuneEpochs(ft).finetuneDecayEpoch(decay)
                .finetuneSchedule(AblCommand.FINETUNE_SCHEDULES.get(ftSchedule)).finetuneWeightDecay(ftWd)
                .unlearnEpochs(ul).unlearnMaxEpochs(ulMax).unlearnLr(ulr).stopMargin(margin)
                .recalibrateBn(recal).unlearnClean(clean).unlearnBy(by).targetAnchors(anchors)
                .isolationPick(AblCommand.PICKS.get(pick)).isolationRetries(retries).majorityLabelOnly(majority).build());
        // an experiment always runs both stages, so a treatment the joint stage 2 cannot apply is refused here
        String conflict = Abl.treatmentConflict(c);
        if (conflict != null) throw d.bad("unlearn_by", conflict);
        return new Experiment.AblDefense(preset, c, baseline);
    }

    private static Experiment.Defense asd(Section d, long seed) {
        String preset = d.choice("preset", "cpu", List.copyOf(AsdCommand.PRESETS.keySet()));
        Asd.Config p = AsdCommand.PRESETS.get(preset).apply(seed);
        int epochs = (int) d.integer("epochs", (long) p.epochs(), 1, 100_000);
        int iterations = (int) d.integer("iterations", (long) p.iterations(), 1, 1 << 24);
        int batch = (int) d.integer("batch_size", (long) p.batchSize(), 3, 1 << 20);
        String seeds = d.choice("clean_seeds", "held-out", List.copyOf(AsdCommand.CLEAN_SEEDS.keySet()));
        // the presets use only constant and cosine, whose names parse back to themselves
        String schedule = d.text("schedule", p.schedule() instanceof Schedule.Cosine ? "cosine" : "constant");
        Schedule sch = d.keys.wrap("defense.schedule", () -> Schedule.parse(schedule));
        String late = d.choice("late_split", p.lateSplit().name().toLowerCase(Locale.ROOT), List.copyOf(AsdCommand.LATE_SPLITS.keySet()));
        String balance = d.choice("split_balance", nameOf(AsdCommand.BALANCES, p.balance()),
                List.copyOf(AsdCommand.BALANCES.keySet()));
        boolean baseline = d.bool("baseline", false);
        // the preset's own length is not a rescaling, so only a changed epoch count rescales the stages
        Integer scaled = epochs == p.epochs() ? null : epochs;
        Asd.Config base = d.keys.wrap("defense", () -> AsdCommand.build(preset, seed, scaled, iterations, batch, AsdCommand.CLEAN_SEEDS.get(seeds),
                sch, AsdCommand.LATE_SPLITS.get(late), AsdCommand.BALANCES.get(balance)));
        List<Long> st = d.integers("stages", List.of((long) base.stage2Start(), (long) base.stage3Start()), 0, 100_000);
        if (st.size() != 2) throw d.bad("stages", "needs two epochs [S2, S3], got " + st.size());
        // explicit boundaries win over the ones a changed epoch count scaled
        if (st.get(0) > st.get(1) || st.get(1) > base.epochs()) {
            throw d.bad("stages", st + " must satisfy S2 <= S3 <= epochs (" + base.epochs() + ")");
        }
        double lr = d.number("lr", base.lr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        // an explicit growth interval is taken as written, not rescaled with a changed epoch count
        List<Long> grow = d.integers("grow", List.of((long) base.growBy(), (long) base.growEvery()), 0, 1_000_000);
        if (grow.size() != 2) throw d.bad("grow", "needs two integers [N, E], got " + grow.size());
        if (grow.get(1) < 1) throw d.bad("grow", "interval E " + grow.get(1) + " must be >= 1");
        double lambdaU = d.number("lambda_u", base.lambdaU(), Range.open(0, Double.POSITIVE_INFINITY, false, true));
        // like the growth interval, an explicit ramp-up is not rescaled
        double rampup = d.number("rampup", base.rampupEpochs(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        double splitFraction = d.number("split_fraction", base.cleanFraction(), Range.open(0, 1, true, true));
        double weightDecay = d.number("weight_decay", base.weightDecay(), Range.open(0, Double.POSITIVE_INFINITY, false, true));
        int refreshBn = (int) d.integer("refresh_bn", (long) base.refreshBn(), 0, 10_000_000);
        int averageLast = (int) d.integer("average_last", (long) base.averageLast(), 0, base.epochs());
        double mixAlpha = d.number("mix_alpha", base.mixAlpha(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        double temperature = d.number("temperature", base.temperature(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        String optimizer = d.choice("optimizer", nameOf(AsdCommand.OPTIMIZERS, base.optimizer()), List.copyOf(AsdCommand.OPTIMIZERS.keySet()));
        Asd.Config c = base.withStages(st.get(0).intValue(), st.get(1).intValue()).withLr(lr).withUnlabelledWeight(lambdaU, rampup)
                .withGrowth(grow.get(0).intValue(), grow.get(1).intValue()).withCleanFraction(splitFraction).withWeightDecay(weightDecay)
                .withRefreshBn(refreshBn).withOptimizer(AsdCommand.OPTIMIZERS.get(optimizer)).withMixing(mixAlpha, temperature)
                .withAverageLast(averageLast);
        return new Experiment.AsdDefense(preset, c, seeds, baseline);
    }

    private static Experiment.Defense nad(Section d, long seed) {
        Nad.Config r = Nad.Config.reference(seed);
        int teacher = (int) d.integer("teacher_epochs", (long) r.teacherEpochs(), 0, 100_000);
        int epochs = (int) d.integer("epochs", (long) r.epochs(), 0, 100_000);
        int batch = (int) d.integer("batch_size", (long) r.batchSize(), 1, 1 << 20);
        double lr = d.number("lr", r.lr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        List<Double> betas = d.numbers("betas", r.betas(), Range.open(0, Double.POSITIVE_INFINITY, false, true));
        double p = d.number("p", r.p(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        String loss = d.choice("attention_loss", r.loss().name().toLowerCase(Locale.ROOT), List.of("mse", "l2"));
        AttentionLoss form = d.keys.wrap("defense.attention_loss", () -> AttentionLoss.parse(loss));
        String teacherWeights = d.text("teacher_weights", null);
        boolean poisonAt = d.bool("poison_at", false);
        CleanBudgetSpec budget = budget(d);
        Nad.Config c = d.keys.wrap("defense", () -> NadCommand.build(seed, teacher, epochs, batch, lr, betas, p, form));
        Path tw = teacherWeights == null ? null : Path.of(teacherWeights);
        if (tw != null && !Files.isRegularFile(tw)) throw d.bad("teacher_weights", tw + ": no such weights file");
        return new Experiment.NadDefense(c, budget, tw, poisonAt, d.keys.label + ": defense.betas:");
    }

    private static Experiment.Defense ft(Section d, long seed) {
        FineTune.Config r = FineTune.Config.reference(seed);
        String scope = d.choice("scope", "all", List.of("all", "head"));
        int epochs = (int) d.integer("epochs", (long) r.epochs(), 0, 100_000);
        int batch = (int) d.integer("batch_size", (long) r.batchSize(), 1, 1 << 20);
        double lr = d.number("lr", r.lr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        CleanBudgetSpec budget = budget(d);
        FineTune.Config c = d.keys.wrap("defense", () -> FineTuneCommand.build(seed, FineTune.Scope.parse(scope), epochs, batch, lr));
        return new Experiment.FtDefense(c, budget);
    }

    private static Experiment.Defense fp(Section d, long seed) {
        FinePruning.Config r = FinePruning.Config.defaults(seed);
        double margin = d.number("margin", r.margin(), Range.closed(0, 1));
        double maxPrune = d.number("max_prune", r.maxPruneRatio(), Range.open(0, 1, false, true));
        int epochs = (int) d.integer("epochs", (long) r.finetune().epochs(), 0, 100_000);
        int batch = (int) d.integer("batch_size", (long) r.finetune().batchSize(), 1, 1 << 20);
        double lr = d.number("lr", r.finetune().lr(), Range.open(0, Double.POSITIVE_INFINITY, true, true));
        CleanBudgetSpec budget = budget(d);
        FinePruning.Config c = d.keys.wrap("defense", () -> FinePruningCommand.build(seed, margin, maxPrune, epochs, batch, lr));
        return new Experiment.FpDefense(c, budget);
    }

    /** The clean budget keys of the post-training defenses; the default (5%) is recorded as clean_fraction. */
    private static CleanBudgetSpec budget(Section d) {
        Double fraction = d.optionalNumber("clean_fraction");
        if (fraction != null && !(fraction > 0 && fraction < 1)) throw d.bad("clean_fraction", plain(fraction) + " is outside (0, 1)");
        Long count = d.optionalInteger("clean_count");
        if (count != null && (count < 1 || count > Integer.MAX_VALUE)) throw d.bad("clean_count", count + " is outside [1, inf)");
        String data = d.text("clean_data", null);
        // the spec leaves the reference's 5% implicit; the resolved file spells it out
        if (fraction == null && count == null && data == null) d.resolved.put("clean_fraction", io.antidote.defense.CleanBudget.REFERENCE_FRACTION);
        String p = d.keys.label + ": " + d.path + ".";
        return new CleanBudgetSpec(fraction, count == null ? null : count.intValue(), data == null ? null : Path.of(data),
                new CleanBudgetSpec.Keys(p + "clean_fraction", p + "clean_count", p + "clean_data"));
    }

    private static <T> String nameOf(Map<String, T> table, T value) {
        return table.entrySet().stream().filter(e -> e.getValue() == value).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    // ---- grids ------------------------------------------------------------------------------

    /** A grid file: the base experiment expanded over attacks x defenses x rates x seeds, in that order (seeds vary fastest). */
    record Grid(String name, Path file, Path out, List<Cell> cells) {}

    /** One cell of a grid: its index, what varies, and the experiment it runs. */
    record Cell(int index, String attack, String defense, double rate, long seed, Experiment experiment) {
        /** The cell's run directory name under the grid's output directory. */
        String dirName() {
            return String.format(Locale.ROOT, "cell-%03d-%s-%s-%s-s%d", index, attack, defense, plain(rate), seed);
        }
    }

    static Grid grid(Path file) {
        String label = file.getFileName().toString();
        Map<String, Object> tree = load(file);
        Keys keys = new Keys(label);
        Section root = new Section(keys, "", tree);
        String name = root.text("name", stem(file));
        Path out = Path.of(root.text("out", "runs/" + name));
        Map<String, Object> base;
        String baseName;
        Object b = tree.get("base");
        root.known("base");
        if (b instanceof String s) {
            Path bf = file.toAbsolutePath().getParent().resolve(s);
            if (!Files.isRegularFile(bf)) throw new BadInputException(label + ": base: " + s + ": no such file");
            base = load(bf);
            baseName = stem(bf);
            root.resolved.put("base", s);
        } else if (b instanceof Map<?, ?> m) {
            base = castMap(m);
            baseName = name;
            root.resolved.put("base", "(inline)");
        } else {
            throw new BadInputException(label + ": base: " + (b == null ? "is required: an experiment file or an experiment mapping"
                    : "expected an experiment file name or mapping, got " + describe(b)));
        }
        // the base is checked on its own first, so its mistakes are reported against it and not against a cell
        Experiment be = experiment(label + ": base", baseName, deepCopy(base));
        List<String> attacks = root.texts("attacks", be.attack() == null ? List.of() : List.of(be.attack().attack()));
        List<String> defenses = root.texts("defenses", List.of(be.defense().name()));
        for (String a : attacks) if (!AttackRegistry.has(a)) throw root.bad("attacks", "'" + a + "' is not one of " + String.join(", ", AttackRegistry.names()));
        for (String d : defenses) if (!DEFENSES.containsKey(d)) throw root.bad("defenses", "'" + d + "' is not one of " + String.join(", ", DEFENSES.keySet()));
        if (attacks.isEmpty()) throw root.bad("attacks", "is empty and the base has no attack: a grid varies poisoned data");
        List<Double> rates = root.numbers("rates", List.of(be.attack() == null ? AttackOptions.DEFAULT_RATE : be.attack().rate()),
                Range.open(0, 1, true, false));
        List<Long> seeds = root.integers("seeds", List.of(be.seed()), 0, Long.MAX_VALUE);
        Section params = root.section("attack_params");
        Section options = root.section("defense_options");
        Map<String, Map<String, Object>> paramsByAttack = new LinkedHashMap<>();
        for (String a : attacks) paramsByAttack.put(a, params.mapping(a));
        Map<String, Map<String, Object>> optionsByDefense = new LinkedHashMap<>();
        for (String d : defenses) optionsByDefense.put(d, options.mapping(d));
        keys.rejectUnknownIn(params, "attack names of the grid");
        keys.rejectUnknownIn(options, "defense names of the grid");
        keys.rejectUnknown(root);

        List<Cell> cells = new ArrayList<>();
        for (String a : attacks) {
            for (String d : defenses) {
                for (double r : rates) {
                    for (long s : seeds) {
                        Map<String, Object> t = deepCopy(base);
                        Map<String, Object> atk = child(t, "attack");
                        if (!a.equals(be.attack() == null ? null : be.attack().attack()) || paramsByAttack.get(a) != null) {
                            // another attack's parameters would not fit this one
                            atk.remove("params");
                            if (paramsByAttack.get(a) != null) atk.put("params", deepCopy(paramsByAttack.get(a)));
                            atk.remove("label_mode");
                            atk.remove("pool");
                        }
                        atk.put("name", a);
                        atk.put("rate", r);
                        Map<String, Object> def = child(t, "defense");
                        if (!d.equals(be.defense().name())) def.clear();
                        if (optionsByDefense.get(d) != null) def.putAll(deepCopy(optionsByDefense.get(d)));
                        def.put("name", d);
                        t.put("seed", s);
                        int index = cells.size();
                        String cellLabel = String.format(Locale.ROOT, "%s: cell %d (%s, %s, rate %s, seed %d)", label, index, a, d, plain(r), s);
                        Cell probe = new Cell(index, a, d, r, s, null);
                        t.put("name", name + "-" + probe.dirName());
                        cells.add(new Cell(index, a, d, r, s, experiment(cellLabel, name, t)));
                    }
                }
            }
        }
        return new Grid(name, file, out, List.copyOf(cells));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> tree, String key) {
        Object v = tree.get(key);
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        Map<String, Object> m = new LinkedHashMap<>();
        tree.put(key, m);
        return m;
    }

    // ---- YAML in and out --------------------------------------------------------------------

    private static Yaml yaml() {
        LoaderOptions lo = new LoaderOptions();
        lo.setAllowDuplicateKeys(false);
        DumperOptions d = new DumperOptions();
        d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        d.setIndent(2);
        return new Yaml(new SafeConstructor(lo), new org.yaml.snakeyaml.representer.Representer(d), d, lo);
    }

    static Map<String, Object> load(Path file) {
        String label = file.getFileName().toString();
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": no such file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable (" + e.getMessage() + ")");
        }
        return parse(label, text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String label, String text) {
        Object v;
        try {
            v = yaml().load(text);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1);
            throw new BadInputException(label + ": not valid YAML" + where + " (" + firstLine(e.getProblem()) + ")");
        } catch (YAMLException e) {
            throw new BadInputException(label + ": not valid YAML (" + firstLine(e.getMessage()) + ")");
        }
        if (v == null) return new LinkedHashMap<>();
        if (!(v instanceof Map<?, ?> m)) throw new BadInputException(label + ": expected a mapping of keys at the top, got " + describe(v));
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) throw new BadInputException(label + ": key " + k + " is not text");
        }
        return (Map<String, Object>) m;
    }

    static String dump(Map<String, Object> tree) {
        return yaml().dump(tree);
    }

    /** Applies one `--set key.path=value`; the value is read as YAML, so numbers, booleans and [lists] keep their type. */
    @SuppressWarnings("unchecked")
    static void set(Map<String, Object> tree, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new BadInputException("--set " + assignment + ": expected key.path=value");
        String path = assignment.substring(0, eq).strip();
        String text = assignment.substring(eq + 1);
        Object value;
        try {
            value = text.isBlank() ? null : yaml().load(text);
        } catch (YAMLException e) {
            value = text;
        }
        String[] parts = path.split("\\.", -1);
        Map<String, Object> node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].isEmpty()) throw new BadInputException("--set " + assignment + ": empty key in '" + path + "'");
            Object next = node.get(parts[i]);
            if (next == null) {
                next = new LinkedHashMap<String, Object>();
                node.put(parts[i], next);
            }
            if (!(next instanceof Map<?, ?>)) {
                throw new BadInputException("--set " + assignment + ": " + String.join(".", List.of(parts).subList(0, i + 1)) + " is not a section");
            }
            node = (Map<String, Object>) next;
        }
        String leaf = parts[parts.length - 1];
        if (leaf.isEmpty()) throw new BadInputException("--set " + assignment + ": empty key in '" + path + "'");
        node.put(leaf, value);
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, x) -> c.put(String.valueOf(k), deepCopy(x)));
            return (T) c;
        }
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            for (Object x : l) c.add(deepCopy(x));
            return (T) c;
        }
        return v;
    }

    private static Map<String, Object> freeze(Map<String, Object> m) {
        Map<String, Object> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v instanceof Map<?, ?> sub ? freeze(castMap(sub)) : v instanceof List<?> l ? List.copyOf(l) : v));
        return Collections.unmodifiableMap(c);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n")[0].strip();
    }

    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String describe(Object v) {
        if (v instanceof Map<?, ?>) return "a mapping";
        if (v instanceof List<?>) return "a list";
        if (v instanceof String s) return "'" + s + "'";
        return String.valueOf(v);
    }

    // ---- typed reading ----------------------------------------------------------------------

    /** An interval of allowed numbers, printed as in mathematics: (0, 1]. */
    record Range(double lo, double hi, boolean loOpen, boolean hiOpen) {
        static Range open(double lo, double hi, boolean loOpen, boolean hiOpen) { return new Range(lo, hi, loOpen, hiOpen); }

        static Range closed(double lo, double hi) { return new Range(lo, hi, false, false); }

        boolean contains(double v) {
            return (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
        }

        @Override
        public String toString() {
            return (loOpen ? "(" : "[") + bound(lo) + ", " + bound(hi) + (hiOpen ? ")" : "]");
        }

        private static String bound(double v) {
            return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : plain(v);
        }
    }

    /** What one parse knows: the file label and every key path read so far. */
    private static final class Keys {
        final String label;
        final Set<String> known = new LinkedHashSet<>();

        Keys(String label) {
            this.label = label;
        }

        /** Runs a record constructor or parser whose message names no key, and prefixes the file and key. */
        <T> T wrap(String key, java.util.function.Supplier<T> f) {
            try {
                return f.get();
            } catch (BadInputException e) {
                if (e.getMessage().startsWith(label)) throw e;
                throw new BadInputException(label + ": " + key + ": " + e.getMessage(), e);
            }
        }

        <T> T wrap(java.util.function.Supplier<T> f) {
            try {
                return f.get();
            } catch (BadInputException e) {
                if (e.getMessage().startsWith(label)) throw e;
                throw new BadInputException(label + ": " + e.getMessage(), e);
            }
        }

        /** Every key given but never read is unknown; the first one found is reported with the nearest known key. */
        void rejectUnknown(Section s) {
            for (Map.Entry<String, Object> e : s.map.entrySet()) {
                String full = s.child(e.getKey());
                if (!known.contains(full)) throw new BadInputException(label + ": unknown key '" + full + "'" + suggestion(full, s));
                if (e.getValue() instanceof Map<?, ?> && s.children.containsKey(e.getKey())) rejectUnknown(s.children.get(e.getKey()));
            }
        }

        void rejectUnknownIn(Section s, String what) {
            for (String k : s.map.keySet()) {
                if (!known.contains(s.child(k))) throw new BadInputException(label + ": " + s.child(k) + ": '" + k + "' is not among the " + what);
            }
        }

        private String suggestion(String full, Section s) {
            String leaf = full.substring(full.lastIndexOf('.') + 1);
            String best = null;
            int bestD = Integer.MAX_VALUE;
            for (String k : known) {
                if (k.startsWith("attack.params.")) continue;
                int d = distance(full, k);
                // the right name under the wrong section is as good a guess as a one-letter typo
                if (k.endsWith("." + leaf) || k.equals(leaf)) d = Math.min(d, 1);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            if (best != null && bestD <= Math.max(2, full.length() / 3)) return " (did you mean '" + best + "'?)";
            List<String> here = new ArrayList<>();
            for (String k : known) {
                String parent = k.contains(".") ? k.substring(0, k.lastIndexOf('.')) : "";
                if (parent.equals(s.path)) here.add(k.substring(k.lastIndexOf('.') + 1));
            }
            return here.isEmpty() ? "" : "; known " + (s.path.isEmpty() ? "top-level keys" : "keys of " + s.path) + ": " + String.join(", ", here);
        }
    }

    /**
     * "'value' is not one of a, b, c", with the nearest name when it is near enough to be the
     * likely intent (the same closeness as key suggestions).
     */
    static String notOneOf(String value, List<String> names) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String n : names) {
            int d = distance(value, n);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        String hint = best != null && bestD <= Math.max(2, value.length() / 3) ? " (did you mean '" + best + "'?)" : "";
        return "'" + value + "' is not one of " + String.join(", ", names) + hint;
    }

    /**
     * Edit distance with insertions, deletions, substitutions and swaps of neighbours each costing 1
     * (optimal string alignment): a swapped pair is as common a typo as a wrong letter.
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** One mapping of the file: reads keys with their types and ranges, records them as known and their effective values as resolved. */
    private static final class Section {
        final Keys keys;
        final String path;
        final Map<String, Object> map;
        final Map<String, Object> resolved = new LinkedHashMap<>();
        final Map<String, Section> children = new LinkedHashMap<>();

        Section(Keys keys, String path, Map<String, Object> map) {
            this.keys = keys;
            this.path = path;
            this.map = map == null ? Map.of() : map;
        }

        String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        BadInputException bad(String key, String problem) {
            return new BadInputException(keys.label + ": " + child(key) + ": " + problem);
        }

        /**
         * A required key is absent: a given key one typo away is the likelier mistake, so that is
         * reported first.
         */
        BadInputException missing(String key, String expected) {
            for (String given : map.keySet()) {
                // only one edit away: the section's other keys are not all known yet, and "rate" is two from "name"
                if (!given.equals(key) && distance(given, key) <= 1 && !keys.known.contains(child(given))) {
                    return new BadInputException(keys.label + ": unknown key '" + child(given) + "' (did you mean '" + child(key) + "'?)");
                }
            }
            return bad(key, "is required (" + expected + ")");
        }

        boolean has(String key) {
            known(key);
            return map.get(key) != null;
        }

        void known(String key) {
            keys.known.add(child(key));
        }

        private Object raw(String key) {
            known(key);
            return map.get(key);
        }

        String text(String key, String def) {
            Object v = raw(key);
            if (v == null) {
                if (def != null) resolved.put(key, def);
                return def;
            }
            if (!(v instanceof String s)) throw bad(key, "expected text, got " + describe(v));
            resolved.put(key, s);
            return s;
        }

        String choice(String key, String def, List<String> allowed) {
            String v = text(key, def);
            if (v != null && !allowed.contains(v)) throw bad(key, "'" + v + "' is not one of " + String.join(", ", allowed));
            return v;
        }

        boolean bool(String key, boolean def) {
            Object v = raw(key);
            if (v == null) {
                resolved.put(key, def);
                return def;
            }
            if (!(v instanceof Boolean b)) throw bad(key, "expected true or false, got " + describe(v));
            resolved.put(key, b);
            return b;
        }

        long integer(String key, long def, long min, long max) {
            Object v = raw(key);
            long x = v == null ? def : integerValue(key, v);
            if (x < min || x > max) throw bad(key, x + " is outside [" + min + ", " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "inf)" : max + "]"));
            resolved.put(key, x);
            return x;
        }

        Long optionalInteger(String key) {
            Object v = raw(key);
            if (v == null) return null;
            long x = integerValue(key, v);
            resolved.put(key, x);
            return x;
        }

        private long integerValue(String key, Object v) {
            if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
            if (v instanceof BigInteger) throw bad(key, v + " is too large");
            throw bad(key, "expected a whole number, got " + describe(v));
        }

        double number(String key, double def, Range range) {
            Object v = raw(key);
            double x = v == null ? def : numberValue(key, v);
            if (!range.contains(x)) throw bad(key, plain(x) + " is outside " + range);
            resolved.put(key, x);
            return x;
        }

        Double optionalNumber(String key) {
            Object v = raw(key);
            if (v == null) return null;
            double x = numberValue(key, v);
            resolved.put(key, x);
            return x;
        }

        private double numberValue(String key, Object v) {
            if (v instanceof Number n) return n.doubleValue();
            // YAML 1.1 reads 5e-4 (no dot) as text; it is still a number to a reader
            if (v instanceof String s) {
                try {
                    double d = Double.parseDouble(s.strip());
                    if (!s.strip().isEmpty() && Character.isDigit(s.strip().charAt(s.strip().length() - 1))) return d;
                } catch (NumberFormatException ignored) {
                    // falls through to the type error
                }
            }
            throw bad(key, "expected a number, got " + describe(v));
        }

        private List<?> list(String key) {
            Object v = raw(key);
            if (v == null) return null;
            if (!(v instanceof List<?> l)) throw bad(key, "expected a list, got " + describe(v));
            return l;
        }

        List<Double> numbers(String key, List<Double> def, Range range) {
            List<?> l = list(key);
            if (l == null) {
                resolved.put(key, def);
                return def;
            }
            if (l.isEmpty()) throw bad(key, "is empty");
            List<Double> out = new ArrayList<>();
            for (Object o : l) {
                double x = numberValue(key, o);
                if (!range.contains(x)) throw bad(key, plain(x) + " is outside " + range);
                out.add(x);
            }
            resolved.put(key, out);
            return List.copyOf(out);
        }

        List<Long> integers(String key, List<Long> def, long min, long max) {
            List<?> l = list(key);
            if (l == null) {
                resolved.put(key, def);
                return def;
            }
            if (l.isEmpty()) throw bad(key, "is empty");
            List<Long> out = new ArrayList<>();
            for (Object o : l) {
                long x = integerValue(key, o);
                if (x < min || x > max) throw bad(key, x + " is outside [" + min + ", inf)");
                out.add(x);
            }
            resolved.put(key, out);
            return List.copyOf(out);
        }

        List<String> texts(String key, List<String> def) {
            List<?> l = list(key);
            if (l == null) {
                resolved.put(key, def);
                return def;
            }
            if (l.isEmpty()) throw bad(key, "is empty");
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) throw bad(key, "expected a list of names, got " + describe(o) + " in it");
                if (out.contains(s)) throw bad(key, "'" + s + "' is listed twice");
                out.add(s);
            }
            resolved.put(key, out);
            return List.copyOf(out);
        }

        /** A mapping of scalars, as text (attack parameters); its keys are the attack's to check. */
        Map<String, String> scalarMap(String key) {
            Object v = raw(key);
            Map<String, String> out = new LinkedHashMap<>();
            if (v == null) {
                resolved.put(key, out);
                return out;
            }
            if (!(v instanceof Map<?, ?> m)) throw bad(key, "expected a mapping, got " + describe(v));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                keys.known.add(child(key) + "." + e.getKey());
                Object x = e.getValue();
                if (x instanceof Map<?, ?> || x instanceof List<?> || x == null) {
                    throw bad(key + "." + e.getKey(), "expected a single value, got " + (x == null ? "nothing" : describe(x)));
                }
                out.put(String.valueOf(e.getKey()), x instanceof Double d ? plain(d) : String.valueOf(x));
            }
            resolved.put(key, new LinkedHashMap<>(out));
            return out;
        }

        /** A mapping taken as it is, for another parse to check (a grid's per-attack parameters, per-defense options). */
        Map<String, Object> mapping(String key) {
            Object v = raw(key);
            if (v == null) return null;
            if (!(v instanceof Map<?, ?> m)) throw bad(key, "expected a mapping, got " + describe(v));
            resolved.put(key, v);
            return castMap(m);
        }

        @SuppressWarnings("unchecked")
        Section section(String key) {
            Object v = raw(key);
            if (v != null && !(v instanceof Map<?, ?>)) throw bad(key, "expected a section (a mapping of keys), got " + describe(v));
            Section s = new Section(keys, child(key), (Map<String, Object>) v);
            children.put(key, s);
            resolved.put(key, s.resolved);
            return s;
        }
    }
}
