package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.Abl;
import io.antidote.defense.Asd;
import io.antidote.nn.Precision;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Experiment files: every mistake is one line naming the file and key, with exit code 2; every preset parses. */
class ExperimentConfigTest {
    @TempDir
    Path dir;

    private Path file(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    /** Runs `antidote run FILE --out DIR` and checks the refusal: code 2, one line, the expected text, no run directory. */
    private void refused(String expected, Path file, String... more) {
        Path out = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("run", file.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(2, r.code, () -> "exit code; stderr: " + r.err);
        String line = r.err.strip();
        assertFalse(line.contains("\n"), () -> "more than one line: " + r.err);
        assertEquals("antidote: " + expected, line);
        assertFalse(Files.exists(out), "bad input must leave no run directory");
    }

    @Test
    void unknownKey() throws Exception {
        Path f = file("experiment.yaml", "data: synthetic\ncolour: red\n");
        refused("experiment.yaml: unknown key 'colour'; known top-level keys: name, seed, precision, data, model, attack, train, defense", f);
    }

    @Test
    void typoGetsTheNearestKey() throws Exception {
        Path f = file("experiment.yaml", "attack: {name: badnets}\ndefense:\n  name: abl\n  isolaton_ratio: 0.02\n");
        refused("experiment.yaml: unknown key 'defense.isolaton_ratio' (did you mean 'defense.isolation_ratio'?)", f);
        Path g = file("other.yaml", "train:\n  epochs: 3\n  batchsize: 64\n");
        refused("other.yaml: unknown key 'train.batchsize' (did you mean 'train.batch_size'?)", g);
        // a typo in a required key is reported as the typo, not as the key missing
        refused("third.yaml: unknown key 'attack.nmae' (did you mean 'attack.name'?)", file("third.yaml", "attack: {nmae: badnets}\n"));
        refused("fourth.yaml: attack.name: is required (one of badnets, blend, cl, refool, sig, trojan, wanet)", file("fourth.yaml", "attack: {rate: 0.1}\n"));
    }

    @Test
    void asdStagesOutOfOrderOrPastTheEndAreRefused() throws Exception {
        refused("experiment.yaml: defense.stages: [25, 10] must satisfy S2 <= S3 <= epochs (42)",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: asd, stages: [25, 10]}\n"));
        refused("experiment.yaml: defense.stages: [10, 43] must satisfy S2 <= S3 <= epochs (42)",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: asd, stages: [10, 43]}\n"));
        refused("experiment.yaml: defense.stages: needs two epochs [S2, S3], got 1",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: asd, stages: [10]}\n"));
    }

    @Test
    void aKeyOfAnotherDefenseIsUnknown() throws Exception {
        Path f = file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: ft, teacher_epochs: 3}\n");
        refused("experiment.yaml: unknown key 'defense.teacher_epochs'; known keys of defense: name, scope, epochs, batch_size, lr, "
                + "clean_fraction, clean_count, clean_data", f);
    }

    @Test
    void everyPrecisionTheCliTakesParsesAndOthersAreRefused() throws Exception {
        for (String p : List.of("auto", "fp32", "fp32-cl", "bf16")) {
            assertEquals(p, ConfigFile.experiment(Path.of("configs/demo.yaml"), List.of("precision=" + p)).precision());
        }
        refused("experiment.yaml: precision: 'fp16' is not one of auto, fp32, fp32-cl, bf16",
                file("experiment.yaml", "precision: fp16\n"));
        assertEquals("precision 'fp16' is not one of auto, fp32, fp32-cl, bf16",
                assertThrows(BadInputException.class, () -> Precision.parse("fp16")).getMessage(), "the --precision option's refusal");
    }

    @Test
    void wrongType() throws Exception {
        refused("experiment.yaml: train.epochs: expected a whole number, got 'ten'", file("experiment.yaml", "train: {epochs: ten}\n"));
        refused("experiment.yaml: attack.rate: expected a number, got 'a lot'", file("experiment.yaml", "attack: {name: badnets, rate: a lot}\n"));
        refused("experiment.yaml: train: expected a section (a mapping of keys), got 'fast'", file("experiment.yaml", "train: fast\n"));
        refused("experiment.yaml: train.nesterov: expected true or false, got 'maybe'", file("experiment.yaml", "train: {nesterov: maybe}\n"));
    }

    @Test
    void impossibleValues() throws Exception {
        refused("experiment.yaml: attack.rate: 1.5 is outside (0, 1]", file("experiment.yaml", "attack: {name: badnets, rate: 1.5}\n"));
        refused("experiment.yaml: attack.name: 'badnet' is not one of badnets, blend, cl, refool, sig, trojan, wanet",
                file("experiment.yaml", "attack: {name: badnet}\n"));
        refused("experiment.yaml: defense.name: 'mcr' is not one of none, abl, nad, ft, fp, asd", file("experiment.yaml", "defense: {name: mcr}\n"));
        refused("experiment.yaml: defense.isolation_ratio: 1 is outside (0, 1)",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: abl, isolation_ratio: 1}\n"));
        refused("experiment.yaml: train.epochs: -1 is outside [0, 100000]", file("experiment.yaml", "train: {epochs: -1}\n"));
        refused("experiment.yaml: attack.target: 12 is outside [0, 10) for a data set of 10 classes",
                file("experiment.yaml", "data: synthetic:1:20:10\nattack: {name: badnets, target: 12}\n"));
        refused("experiment.yaml: defense.name: abl needs poisoned data: give an attack section, or data: poisoned:DIR",
                file("experiment.yaml", "data: synthetic:1:20:10\ndefense: {name: abl}\n"));
        refused("experiment.yaml: defense.unlearn_by: 'pixel-nosie' is not one of ascent, pixel-noise, gradient-noise, label-shuffle, "
                        + "label-uniform, label-smoothing, self-learning, finetune-all, finetune-last, retrain (did you mean 'pixel-noise'?)",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: abl, unlearn_by: pixel-nosie}\n"));
        refused("experiment.yaml: defense.unlearn_by: 'label-uniform' replaces the separate unlearning epochs, which the joint stage 2 "
                        + "(unlearning 'joint') does not have; use unlearning 'reference' or 'ascent-only'",
                file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: abl, preset: paper, unlearn_by: label-uniform}\n"));
    }

    @Test
    void missingDataPath() throws Exception {
        String missing = dir.resolve("absent").toString();
        refused("experiment.yaml: data: " + missing + ": no such file or directory (--data cifar100)",
                file("experiment.yaml", "data: cifar100:" + missing + "\n"));
        refused("experiment.yaml: data: " + missing + ": CIFAR-10 not found; see README.md (Data) for how to get it, or pass --data cifar10:DIR",
                file("experiment.yaml", "data: cifar10:" + missing + "\n"));
        refused(dir.resolve("nope.yaml") + ": no such file", dir.resolve("nope.yaml"));
    }

    @Test
    void overridesAreCheckedLikeTheFile() throws Exception {
        Path f = file("experiment.yaml", "attack: {name: badnets}\n");
        refused("experiment.yaml: attack.rate: 2 is outside (0, 1]", f, "--set", "attack.rate=2");
        refused("experiment.yaml: unknown key 'train.epoch' (did you mean 'train.epochs'?)", f, "--set", "train.epoch=2");
        refused("--set train: expected key.path=value", f, "--set", "train");
        refused("--set attack.name.x=1: attack.name is not a section", f, "--set", "attack.name.x=1");
    }

    @Test
    void notYaml() throws Exception {
        Path f = file("experiment.yaml", "train: {epochs: 3\n");
        Cli r = Cli.run("run", f.toString(), "--out", dir.resolve("run").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.strip().startsWith("antidote: experiment.yaml: not valid YAML at line"), r.err);
        assertFalse(r.err.strip().contains("\n"), r.err);
    }

    @Test
    void overridesKeepTheirYamlType() throws Exception {
        Path f = file("experiment.yaml", "attack: {name: badnets}\ndefense: {name: nad}\n");
        Experiment e = ConfigFile.experiment(f, List.of("train.epochs=2", "defense.betas=[1, 2, 3]", "attack.params.variant=square",
                "train.nesterov=false"));
        assertEquals(2, e.train().epochs());
        assertFalse(e.train().nesterov());
        assertEquals(List.of(1.0, 2.0, 3.0), ((Experiment.NadDefense) e.defense()).config().betas());
        assertEquals(Map.of("variant", "square"), e.attack().params());
    }

    private static List<Path> presets() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("configs"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /** Every preset parses, and its resolved form (the run's config.yaml) parses back to the same resolved form. */
    @Test
    void everyPresetParses() throws Exception {
        List<Path> files = presets();
        assertTrue(files.size() >= 9, "presets: " + files);
        for (Path p : files) {
            if (p.getFileName().toString().startsWith("grid-")) {
                ConfigFile.Grid g = ConfigFile.grid(p);
                assertFalse(g.cells().isEmpty(), p.toString());
                continue;
            }
            Experiment e = ConfigFile.experiment(p, List.of());
            Path again = dir.resolve(p.getFileName());
            Files.writeString(again, ConfigFile.dump(e.resolved()));
            assertEquals(e.resolved(), ConfigFile.experiment(again, List.of()).resolved(), p.toString());
        }
    }

    @Test
    void presetsSayWhatThePapersDid() throws Exception {
        Experiment abl = ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"), List.of());
        assertEquals("wrn-16-1", abl.model());
        assertEquals(0.1, abl.attack().rate());
        assertEquals(0, abl.attack().target());
        assertEquals(Map.of("variant", "grid"), abl.attack().params());
        assertInstanceOf(Experiment.AblDefense.class, abl.defense());
        assertEquals(40, ((Experiment.AblDefense) abl.defense()).config().finetuneDecayEpoch(), "the reference's rate drop");
        Experiment shorter = ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.finetune_epochs=30", "defense.finetune_decay_epoch=20"));
        assertEquals(List.of(30, 20), List.of(((Experiment.AblDefense) shorter.defense()).config().finetuneEpochs(),
                ((Experiment.AblDefense) shorter.defense()).config().finetuneDecayEpoch()));
        Abl.Config iso = ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.isolation_lr=0.05", "defense.isolation_augment=true", "defense.batch_size=64")).defense()).config();
        assertEquals(List.of(0.05, true, 64, 64), List.of(iso.isolationLr(), iso.isolationAugment(), iso.batchSize(), iso.isolationBatchSize()),
                "batch_size alone is every stage's batch");
        Abl.Config split = ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.batch_size=64", "defense.isolation_batch_size=256")).defense()).config();
        assertEquals(List.of(64, 256), List.of(split.batchSize(), split.isolationBatchSize()));
        Abl.Config demo = ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/demo.yaml"), List.of()).defense()).config();
        assertEquals(List.of(64, 128), List.of(demo.batchSize(), demo.isolationBatchSize()), "the demo isolates at 128, the rest at 64");
        BadInputException badBatch = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.isolation_batch_size=0")));
        assertTrue(badBatch.getMessage().contains("defense.isolation_batch_size"), badBatch.getMessage());
        assertEquals(2, demo.isolationRetries(), "the demo retries two other epochs' sets");
        assertEquals(1, ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.isolation_retries=1")).defense()).config().isolationRetries());
        BadInputException badRetries = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.isolation_retries=-1")));
        assertTrue(badRetries.getMessage().contains("defense.isolation_retries"), badRetries.getMessage());
        BadInputException jointRetries = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.isolation_retries=1", "defense.unlearning=joint")));
        assertTrue(jointRetries.getMessage().contains("isolation retries 1 need a separate unlearning stage"), jointRetries.getMessage());
        assertEquals(List.of(5, 12), List.of(demo.unlearnEpochs(), demo.unlearnMaxEpochs()), "the demo unlearns 5 epochs, and on to 12 until the set is unlearned");
        assertEquals(6, ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.unlearn_max_epochs=6")).defense()).config().unlearnMaxEpochs());
        BadInputException shortMax = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.unlearn_epochs=4", "defense.unlearn_max_epochs=3")));
        assertTrue(shortMax.getMessage().contains("unlearning max epochs 3 is below the 4 unlearning epochs: set it to 0 (exactly the unlearning epochs) or to at least 4"), shortMax.getMessage());
        Abl.Config ref = ((Experiment.AblDefense) abl.defense()).config();
        assertEquals(0, ref.unlearnMaxEpochs(), "the reference unlearns a fixed number of epochs");
        assertEquals(List.of(true, false), List.of(demo.majorityLabelOnly(), ref.majorityLabelOnly()),
                "the demo unlearns only its set's most common label; the reference the whole set");
        assertTrue(((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.majority_label_only=true")).defense()).config().majorityLabelOnly());
        BadInputException badMajority = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.majority_label_only=sometimes")));
        assertTrue(badMajority.getMessage().contains("defense.majority_label_only"), badMajority.getMessage());
        assertEquals(List.of(0.1, false, 128, 128, 0), List.of(ref.isolationLr(), ref.isolationAugment(), ref.batchSize(), ref.isolationBatchSize(),
                ref.isolationRetries()), "the reference's isolation, with no retries");
        assertEquals(List.of(Abl.FinetuneSchedule.STEP, 1e-4), List.of(ref.finetuneSchedule(), ref.finetuneWeightDecay()), "the reference's fine-tuning");
        Abl.Config cos = ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.finetune_schedule=cosine", "defense.finetune_weight_decay=5e-4")).defense()).config();
        assertEquals(List.of(Abl.FinetuneSchedule.COSINE, 5e-4), List.of(cos.finetuneSchedule(), cos.finetuneWeightDecay()));
        BadInputException badSchedule = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.finetune_schedule=linear")));
        assertTrue(badSchedule.getMessage().contains("defense.finetune_schedule"), badSchedule.getMessage());
        assertEquals(Abl.LgaScope.BATCH, ref.lgaScope(), "the reference takes the sign of the batch mean");
        Abl.Config perExample = ((Experiment.AblDefense) ConfigFile.experiment(Path.of("configs/abl-cifar10-badnets.yaml"),
                List.of("defense.lga_scope=example")).defense()).config();
        assertEquals(Abl.LgaScope.EXAMPLE, perExample.lgaScope());
        BadInputException badScope = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/abl-cifar10-badnets.yaml"), List.of("defense.lga_scope=sample")));
        assertTrue(badScope.getMessage().contains("defense.lga_scope") && badScope.getMessage().contains("sample"), badScope.getMessage());

        Experiment nad = ConfigFile.experiment(Path.of("configs/nad-cifar10-badnets.yaml"), List.of());
        assertEquals(5, nad.attack().target());
        assertEquals(0.05, ((Experiment.NadDefense) nad.defense()).budget().fraction());
        assertEquals(19, nad.train().epochs());
        assertFalse(nad.train().shuffle());

        Experiment asd = ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"), List.of());
        assertEquals(3, asd.attack().target());
        assertEquals(0.05, asd.attack().rate());
        assertEquals(Map.of("variant", "asd"), asd.attack().params());
        assertEquals(40, ((Experiment.AsdDefense) asd.defense()).config().epochs());
        assertEquals(Asd.Balance.OVERALL, ((Experiment.AsdDefense) asd.defense()).config().balance(), "the quick preset's balance");
        // the measured long configuration is the cpu preset itself, key for key
        Asd.Config cpu = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets-cpu.yaml"), List.of())
                .defense()).config();
        assertEquals(Asd.Config.cpu(1), cpu);
        Asd.Config measured = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets-capped-1024.yaml"),
                List.of("defense.epochs=42", "defense.stages=[3, 25]", "defense.grow=[30, 1]",
                        "defense.split_fraction=0.9", "defense.mix_alpha=0.2")).defense()).config();
        assertEquals(cpu, measured, "the preset is the quick preset as changed for the run measured on 2026-12-06");
        Experiment perClass = ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.split_balance=per-class"));
        assertEquals(Asd.Balance.PER_CLASS, ((Experiment.AsdDefense) perClass.defense()).config().balance());
        Asd.Config preset = ((Experiment.AsdDefense) asd.defense()).config();
        assertEquals(List.of(10, 25), List.of(preset.stage2Start(), preset.stage3Start()), "the quick preset's stages");
        // a changed length rescales the stages; explicit stages win over the rescaled ones
        Asd.Config longer = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.epochs=80")).defense()).config();
        assertEquals(List.of(20, 50), List.of(longer.stage2Start(), longer.stage3Start()));
        Asd.Config early = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.epochs=80", "defense.stages=[30, 60]")).defense()).config();
        assertEquals(List.of(30, 60, 80), List.of(early.stage2Start(), early.stage3Start(), early.epochs()));
        // a changed length rescales the growth interval; an explicit growth is taken as written
        assertEquals(List.of(12, 4, 0.002), List.of(longer.growBy(), longer.growEvery(), longer.lr()));
        Asd.Config grown = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.epochs=80", "defense.grow=[100, 1]", "defense.lr=0.005")).defense()).config();
        assertEquals(List.of(100, 1, 0.005), List.of(grown.growBy(), grown.growEvery(), grown.lr()));
        assertEquals(900, grown.choiceNum(9));
        assertEquals(80.0, grown.rampupEpochs(), "a changed length rescales the ramp-up");
        Asd.Config weighted = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.lambda_u=75", "defense.rampup=10")).defense()).config();
        assertEquals(75 * 0.5, weighted.lambdaU(5, 0), 1e-12);
        assertEquals(75, weighted.lambdaU(12, 0), 1e-12);
        assertEquals(0.5, weighted.cleanFraction(), "the reference's half by default");
        Asd.Config wider = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.split_fraction=0.8")).defense()).config();
        assertEquals(0.8, wider.cleanFraction());
        BadInputException whole = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.split_fraction=1")));
        assertTrue(whole.getMessage().contains("defense.split_fraction"), whole.getMessage());
        assertEquals(0.0, wider.weightDecay(), "no weight decay, as the reference");
        Asd.Config decayed = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.weight_decay=0.05")).defense()).config();
        assertEquals(0.05, decayed.weightDecay());
        BadInputException negative = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.weight_decay=-1")));
        assertTrue(negative.getMessage().contains("defense.weight_decay"), negative.getMessage());
        assertEquals(Asd.Optim.ADAM, decayed.optimizer(), "the reference's Adam by default");
        assertEquals(0.75, decayed.mixAlpha(), "MixMatch's mixup by default");
        assertEquals(0.5, decayed.temperature());
        Asd.Config mixed = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.mix_alpha=0.2", "defense.temperature=0.4")).defense()).config();
        assertEquals(0.2, mixed.mixAlpha());
        assertEquals(0.4, mixed.temperature());
        BadInputException unmixed = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.mix_alpha=0")));
        assertTrue(unmixed.getMessage().contains("defense.mix_alpha"), unmixed.getMessage());
        assertEquals(0, mixed.averageLast(), "the last epoch's weights by default, as the reference");
        Asd.Config swa = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.average_last=5")).defense()).config();
        assertEquals(5, swa.averageLast());
        BadInputException tooLong = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.average_last=41")));
        assertTrue(tooLong.getMessage().contains("defense.average_last"), tooLong.getMessage());
        Asd.Config sgd = ((Experiment.AsdDefense) ConfigFile.experiment(Path.of("configs/asd-cifar10-badnets.yaml"),
                List.of("defense.optimizer=sgd", "defense.lr=0.05")).defense()).config();
        assertEquals(Asd.Optim.SGD, sgd.optimizer());
        assertEquals(0.05, sgd.lr());
        BadInputException rmsprop = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.optimizer=rmsprop")));
        assertTrue(rmsprop.getMessage().contains("defense.optimizer") && rmsprop.getMessage().contains("rmsprop"), rmsprop.getMessage());
        BadInputException noInterval = assertThrows(BadInputException.class, () -> ConfigFile.experiment(
                Path.of("configs/asd-cifar10-badnets.yaml"), List.of("defense.grow=[100, 0]")));
        assertTrue(noInterval.getMessage().contains("defense.grow"), noInterval.getMessage());

        Experiment clean = ConfigFile.experiment(Path.of("configs/clean-cifar10-wrn16-1.yaml"), List.of());
        assertNull(clean.attack());
        assertEquals(30, clean.train().epochs());
        assertEquals(0.1, clean.train().lr());
        assertTrue(clean.train().fingerprint().contains("schedule=Cosine"), clean.train().fingerprint());
    }

    /** docs/config.md documents every key an experiment resolves, for every defense. */
    @Test
    void theSchemaDocumentNamesEveryKey() throws Exception {
        String doc = Files.readString(Path.of("docs/config.md"));
        for (String d : List.of("none", "abl", "nad", "ft", "fp", "asd")) {
            Path f = file(d + ".yaml", "attack: {name: badnets}\ndefense: {name: " + d + "}\n");
            List<String> missing = new ArrayList<>();
            undocumented("", ConfigFile.experiment(f, List.of()).resolved(), doc, missing);
            assertEquals(List.of(), missing, "keys of defense " + d + " missing from docs/config.md");
        }
    }

    private static void undocumented(String prefix, Map<?, ?> tree, String doc, List<String> missing) {
        for (Map.Entry<?, ?> e : tree.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!doc.contains("`" + key + "`")) missing.add(prefix + key);
            if (e.getValue() instanceof Map<?, ?> m && !key.equals("params")) undocumented(prefix + key + ".", m, doc, missing);
        }
    }

    @Test
    void editDistance() {
        assertEquals(0, ConfigFile.distance("rate", "rate"));
        assertEquals(1, ConfigFile.distance("isolaton_ratio", "isolation_ratio"));
        assertEquals(3, ConfigFile.distance("kitten", "sitting"));
        assertEquals(1, ConfigFile.distance("nmae", "name"), "a swap of neighbours is one edit");
        assertEquals(2, ConfigFile.distance("rate", "name"));
    }
}
