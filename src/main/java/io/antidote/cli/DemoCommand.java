package io.antidote.cli;

import io.antidote.attack.Attack;
import io.antidote.attack.AttackContext;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.PoisonSpec;
import io.antidote.attack.Poisoner;
import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.defense.Abl;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import io.antidote.report.RunDirectory;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `antidote demo`: the whole story on built-in synthetic data, no files needed: poison it with
 * BadNets, train without a defense (the backdoor works), train with ABL (it does not).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Poison the built-in synthetic set (BadNets 10%%), train WRN-10-1 without and with ABL, print CA and ASR.")
final class DemoCommand implements Callable<Integer> {
    /**
     * WRN-10-1, one block per group where the CIFAR runs' WRN-16-1 has two: about half the arithmetic,
     * so the demo fits in 5 minutes on a 2-core CPU without bf16 (docs/demo.md "The demo").
     */
    static final String MODEL = "wrn-10-1";

    /**
     * Batch of undefended training, fine-tuning and unlearning; isolation keeps 128. At 128 the undefended
     * WRN-10-1 stopped at a training loss of 0.26 (CA 84-88%, ASR 89.6-94.8%); 64 gives twice the steps in
     * the same time on a 2-core CPU, which is no faster per image at 128. Isolating at 64 as well made
     * sets of 56-60% poison on two seeds of eight, and ABL failed on both (docs/demo.md "The demo").
     */
    static final int BATCH = 64;

    @Option(names = "--epochs", defaultValue = "20", description = "Epochs of the undefended training (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the poisoning, the models and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--precision", defaultValue = "auto", description = OptionText.PRECISION)
    String precision;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Directory of the two runs and the report (default: ${DEFAULT-VALUE}).")
    Path out;

    /**
     * BadNets' own trigger, a white 3x3 square in the corner. The ABL repository's 3x3 grid is a
     * tiny checkerboard, which the synthetic set's checkerboard class also is: the backdoor then
     * formed only after 4-7 isolation epochs, as late as the easiest clean classes (stripes),
     * and the lowest-loss 5% held 0-13% poison on three of four seeds. The square is learned by
     * epoch 3-4, before those classes reach the same loss (docs/demo.md "The demo").
     */
    static PoisonSpec demoAttack(long seed) {
        return PoisonSpec.of("badnets", 0.1, 0).withParams(Map.of("variant", "square")).withSeed(seed);
    }

    /**
     * ABL sized for 5,000 synthetic images (40 isolation steps an epoch at batch 128, 79 at 64 after):
     * shorter stages than the CIFAR preset, same mechanics. Eight isolation epochs, because the epoch
     * whose set is the poisons came anywhere from the 5th to the 8th on the seeds measured. Ten
     * fine-tuning epochs for WRN-10-1, which learns this set more slowly per epoch than WRN-16-1. Five
     * epochs of unlearning as the balanced preset does it (4 clean partners per isolated example, ascent
     * capped at ln 10) at 0.001: pure ascent cost WRN-10-1 4-5 points of CA per epoch; balanced, the
     * backdoor gave way after 2 to 4 epochs on seven seeds, and on one of them CA fell 7 points in the
     * 6th and 7th. On three seeds of 30 it gave way only in the 6th, and on one in the 10th, so
     * unlearning goes on, up to 12 epochs, while less than half the isolated set is unlearned
     * (docs/demo.md "The demo").
     */
    static Abl.Config ablConfig(long seed) {
        Abl.Config r = Abl.Config.reference(seed).withEpochs(8, 10, 8, 5);
        // 5% of 5,000 isolates 250 examples, about the reference's 500 of 50,000 in count. The
        // lowest-loss set swings between a clean class and the poisons from epoch to epoch (and
        // with the CPU's arithmetic). Both make sets of one label, so the epoch is taken whose set
        // is one label and also lies furthest below the rest of that label (docs/demo.md "The demo"). A
        // clean class can still win; unlearning its images then erases that label, and up to two
        // other epochs' sets of other labels are tried from the fine-tuned model. Only the set's
        // most common label is unlearned: on seed 26 a set of 46% poison held the backdoor through
        // 14 unlearning epochs, while its poisons alone gave way in 11.
        return r.toBuilder().isolationRatio(0.05).batchSize(BATCH).isolationBatchSize(128).unlearnLr(0.001).unlearnClean(4).targetAnchors(0.1).isolationPick(Abl.IsolationPick.SEPARATED)
                .isolationRetries(2).unlearnMaxEpochs(12).majorityLabelOnly(true).seed(seed).build();
    }

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        clear(out);
        RunDirectory run = new RunDirectory(out);
        DataSource.Split data = DataSource.resolve("synthetic");
        PoisonSpec spec = demoAttack(seed);
        Attack attack = AttackRegistry.create(spec, new AttackContext(data.train(), spec.target()));
        ImageSet train = Poisoner.poisonTrain(data.train(), spec, attack);
        ImageSet poisonedTest = Poisoner.poisonTest(data.test(), spec, attack);
        Runs.writeTriggerPreview(run, data.test(), poisonedTest, data.train(), train);
        Precision p = Precision.parse(precision);
        System.out.printf("demo: %s poisoned with %s (%d of %d images), %s, %s%n", data.train().name(), spec.describe(),
                train.poisonedCount(), train.size(), MODEL.toUpperCase(Locale.ROOT), p.label());

        // the backdoored baseline trains as NAD's train_badnet.py does: no augmentation
        TrainConfig cfg = TrainConfig.standard(epochs, seed).withLr(0.05, new Schedule.Cosine()).withAugmentation(Augmentation.none()).withBatchSize(BATCH);
        Metrics.Scores plain;
        Map<String, Object> prov;
        try (Model model = Model.create(MODEL, train.numClasses(), seed, p)) {
            prov = Runs.provenance(seed, train, data.test(), model);
            System.out.println("-- no defense --");
            plain = Runs.trainStage("no-defense", run, model, Trainer.optimizer(model, cfg, n -> true), train, cfg,
                    new Trainer.Hooks() {}, data.test(), poisonedTest, spec.target(), System.out);
        }

        System.out.println("-- ABL: isolate, fine-tune, unlearn --");
        Runs.EpochRecorder rec = new Runs.EpochRecorder(run, data.test(), poisonedTest, spec.target(), 0, System.out);
        Metrics.Scores defended;
        Abl.Result abl;
        Abl.Config ablCfg = ablConfig(seed);
        try (Model model = Model.create(MODEL, train.numClasses(), seed, p)) {
            abl = Abl.run(model, train, ablCfg, run.path(), Runs.ablListener(run, rec, train, new java.util.ArrayList<>()),
                    new Progress(System.err, false));
            defended = Metrics.score(model, data.test(), poisonedTest, spec.target(), 256);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", MODEL);
        result.put("attack", spec.describe());
        result.put("no_defense", Runs.scores(plain));
        Map<String, Object> a = new LinkedHashMap<>(Runs.scores(defended));
        a.put("isolation_precision", abl.isolation().precision());
        a.put("isolation_recall", abl.isolation().recall());
        a.put("stopped_early", abl.stoppedEarly());
        a.put("unlearn_epochs_run", abl.unlearnEpochsRun());
        if (abl.labelErased() != null) a.put("label_erased", abl.labelErased());
        a.put("rejected_sets", abl.rejected());
        result.put("abl", a);
        result.put("wall_seconds", secs);
        // the settings themselves, so a run can be repeated from its result alone
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("no_defense", cfg.toString());
        settings.put("abl", ablCfg.toString());
        result.put("config", settings);
        result.put("provenance", prov);
        run.writeJson("result.json", result);
        Runs.report(run);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-12s %8s %8s%n", "", "CA", "ASR");
        System.out.printf(Locale.ROOT, "%-12s %7.2f%% %7.2f%%%n", "no defense", 100 * plain.cleanAccuracy(), 100 * plain.attackSuccessRate());
        System.out.printf(Locale.ROOT, "%-12s %7.2f%% %7.2f%%%n", "ABL", 100 * defended.cleanAccuracy(), 100 * defended.attackSuccessRate());
        System.out.printf(Locale.ROOT, "ABL isolated %d examples at precision %.1f%%; demo took %.0f s; results in %s%n",
                abl.isolation().positions().length, 100 * abl.isolation().precision(), secs, out.resolve("result.json"));
        return 0;
    }

    /** A demo always starts fresh: its old checkpoints would turn it into a resume. */
    private static void clear(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String n = f.getFileName().toString();
                if (n.endsWith(".safetensors") || n.equals("metrics.jsonl") || n.equals("result.json")) Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
