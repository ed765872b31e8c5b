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
import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.report.RunDirectory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a post-training defense finds its backdoored model and the data it was poisoned with:
 * a run directory of `antidote train --attack`, or weights plus the options that rebuild the data.
 */
final class BackdooredInput {
    @Option(names = "--from-run", paramLabel = "DIR", description = "A run directory of `antidote train --attack ...`: its model.safetensors, data and attack.")
    Path fromRun;

    @Option(names = "--model-weights", paramLabel = "FILE", description = "Backdoored weights (.safetensors, or a torch.save file); give --data and the attack options too.")
    Path weights;

    @Option(names = "--model", description = "Architecture of --model-weights (default: wrn-16-1; with --from-run, the run's).")
    String model;

    @Option(names = "--data", description = "Data of --model-weights, as for antidote train (default: synthetic; with --from-run, the run's).")
    String data;

    @Mixin
    AttackOptions attack;

    /** The backdoored model's weights and architecture, the data rebuilt as it was trained on, and how it was found. */
    record Source(Path weights, String model, String data, DataSource.Split split, ImageSet train, DataSource.Poisoning poisoning,
                  float[] mean, float[] std, Map<String, Object> summary) {}

    Source resolve(long seed) {
        if (fromRun != null) return fromRun();
        attack.check();
        if (weights == null) throw new BadInputException("give --from-run DIR or --model-weights FILE (the backdoored model)");
        if (!Files.isRegularFile(weights)) throw new BadInputException(weights + ": no such weights file (--model-weights)");
        String arch = model != null ? model : "wrn-16-1";
        String spec = data != null ? data : "synthetic";
        DataSource.Split d = DataSource.resolve(spec);
        ImageSet train = d.train();
        DataSource.Poisoning poisoning = d.poisoning();
        if (attack.enabled()) {
            if (poisoning != null) throw new BadInputException("--attack: --data " + spec + " is poisoned already; drop --attack");
            AttackOptions.Poisoned p = attack.poison(d, seed);
            train = p.poisonedTrain();
            poisoning = p.poisoning();
        }
        if (poisoning == null) throw new BadInputException("--attack is required with --model-weights unless --data is a poisoned set (poisoned:DIR)");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model_weights", weights.toString());
        s.put("model", arch);
        s.put("data", spec);
        return new Source(weights, arch, spec, d, train, poisoning, null, null, s);
    }

    /** Rebuilds the run's poisoned data from its config.json and checks it against the run's checksum. */
    private Source fromRun() {
        List<String> clash = new ArrayList<>();
        if (weights != null) clash.add("--model-weights");
        if (model != null) clash.add("--model");
        if (data != null) clash.add("--data");
        if (attack.enabled()) clash.add("--attack");
        if (!clash.isEmpty()) throw new BadInputException(String.join(", ", clash) + ": --from-run " + fromRun + " already says which model and data");
        attack.check();
        Path cfgFile = fromRun.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) throw new BadInputException("--from-run " + fromRun + ": no config.json; is it a run directory of antidote train?");
        Path w = fromRun.resolve("model.safetensors");
        if (!Files.isRegularFile(w)) throw new BadInputException("--from-run " + fromRun + ": no model.safetensors; did the training run finish?");
        Map<?, ?> cfg = RunDirectory.readJson(cfgFile);
        String arch = text(cfg, "model", cfgFile);
        String spec = text(cfg, "data", cfgFile);
        DataSource.Split d = DataSource.resolve(spec);
        ImageSet train = d.train();
        DataSource.Poisoning poisoning = d.poisoning();
        if (poisoning == null) {
            if (!(cfg.get("attack") instanceof Map<?, ?> a)) {
                throw new BadInputException("--from-run " + fromRun + ": the run was not trained with --attack, so there is no backdoor to remove");
            }
            PoisonSpec ps = specOf(a, cfgFile);
            Attack atk = AttackRegistry.create(ps, new AttackContext(d.train(), ps.target()));
            AttackOptions.Poisoned p = new AttackOptions.Poisoned(Poisoner.poisonTrain(d.train(), ps, atk), Poisoner.poisonTest(d.test(), ps, atk), atk, ps);
            train = p.poisonedTrain();
            poisoning = p.poisoning();
        }
        if (cfg.get("provenance") instanceof Map<?, ?> prov && prov.get("train_sha256") instanceof String sha && !sha.equals(train.sha256())) {
            throw new BadInputException("--from-run " + fromRun + ": the rebuilt training set differs from the run's (sha256 " + sha.substring(0, 12)
                    + "... vs " + train.sha256().substring(0, 12) + "...); has --data " + spec + " changed?");
        }
        float[] mean = null, std = null;
        // The weights file does not record input normalisation; only the asd augmentation preset implies one.
        Augmentation asd = Augmentation.asd();
        String asdAug = String.format(java.util.Locale.ROOT, "aug=%d/%s/%s/%d ", asd.cropPadding(), asd.padMode(), asd.horizontalFlip(), asd.cutoutLength());
        if (cfg.get("train") instanceof String fp && fp.contains(asdAug)) {
            mean = asd.mean();
            std = asd.std();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("from_run", fromRun.toString());
        s.put("model_weights", w.toString());
        s.put("model", arch);
        s.put("data", spec);
        if (mean != null) s.put("normalization", "cifar10 mean/std (the run used --augment asd)");
        return new Source(w, arch, spec, d, train, poisoning, mean, std, s);
    }

    private static String text(Map<?, ?> m, String key, Path file) {
        if (!(m.get(key) instanceof String s)) throw new BadInputException(file + ": lacks the text field '" + key + "'");
        return s;
    }

    private static Object field(Map<?, ?> m, String key, Path file) {
        Object v = m.get(key);
        if (v == null) throw new BadInputException(file + ": the attack record lacks '" + key + "'");
        return v;
    }

    /** The spec `antidote train` recorded field by field (AttackOptions.Poisoned.summary). */
    static PoisonSpec specOf(Map<?, ?> a, Path file) {
        Map<String, String> params = new LinkedHashMap<>();
        if (a.get("params") instanceof Map<?, ?> p) p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        try {
            return new PoisonSpec(String.valueOf(field(a, "name", file)), params, ((Number) field(a, "rate", file)).doubleValue(),
                    ((Number) field(a, "target", file)).intValue(), LabelMode.parse(String.valueOf(field(a, "label_mode", file))),
                    Pool.parse(String.valueOf(field(a, "pool", file))), RateRule.parse(String.valueOf(field(a, "rate_rule", file))),
                    ((Number) field(a, "seed", file)).longValue());
        } catch (ClassCastException e) {
            throw new BadInputException(file + ": the attack record has a non-numeric rate, target or seed");
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage(), e);
        }
    }
}
