package io.antidote.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Run directories written by hand, in the shapes the train, defend abl and demo commands produce. */
final class SyntheticRuns {
    private SyntheticRuns() {}

    static final String SPEC = "badnets() rate=0.1 target=0 all2one pool=all rule=exact seed=1";

    static final String PROVENANCE = """
            {"antidote": "0.1.0", "engine": "pytorch 2.10.0-1.5.13", "java": "17.0.15", "device": "cpu", "threads": 2,
             "precision": "bf16-autocast+channels-last", "seed": 1, "train_data": "cifar10-train+badnets",
             "train_sha256": "5868510dd2da2409b9b074b288f38b176612b189f5cd2b2c1a70f79c32d1ca2b",
             "test_data": "cifar10-test", "test_sha256": "77859f73375e447ca3988a3c480a653ac012d1180a25a61f78f6e91b90c8b01f"}""";

    static final String ATTACK = """
            {"spec": "%s", "attack": "badnets(variant=grid)", "name": "badnets", "params": {}, "rate": 0.1, "target": 0,
             "label_mode": "all2one", "poisoned": 5000, "train_size": 50000}""".formatted(SPEC);

    /** An ABL run: isolation (3 epochs, with quality lines), fine-tuning (2), unlearning (2), final CA 0.8523 and ASR 0.0211. */
    static Path abl(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"command": "defend abl", "data": "cifar10", "model": "wrn-16-1", "abl": "Config[isolationEpochs=3]",
                 "attack": %s, "provenance": %s}""".formatted(ATTACK, PROVENANCE));
        StringBuilder m = new StringBuilder();
        for (int e = 1; e <= 3; e++) {
            m.append(String.format(Locale.ROOT, "{\"stage\":\"isolation-quality\",\"epoch\":%d,\"precision\":%.2f,\"recall\":%.3f}%n", e, 0.3 * e,
                    0.03 * e));
            m.append(epoch("isolation", e, 1.5 / e, 0.5 + 0.05 * e, 0.99, 1.2 / e, 0.01 / e));
        }
        for (int e = 1; e <= 2; e++) m.append(epoch("finetune", e, 0.7 / e, 0.8 + 0.02 * e, 0.9, 0.6, 0.05));
        for (int e = 1; e <= 2; e++) m.append(epoch("unlearning", e, 0.5, 0.85, 0.3 / (e * 7), 0.5, 12.0 * e));
        Files.writeString(dir.resolve("metrics.jsonl"), m);
        Files.writeString(dir.resolve("result.json"), """
                {"ca": 0.8523, "ca_non_target": 0.85, "asr": 0.0211, "clean_loss": 0.5, "poison_loss": 24.0,
                 "isolation_precision": 0.9, "isolation_recall": 0.09, "isolated": 500, "unlearning_stopped_early": false,
                 "wall_seconds": 1234.5, "attack": %s, "provenance": %s}""".formatted(ATTACK, PROVENANCE));
        StringBuilder losses = new StringBuilder("index,poisoned,label,loss\n");
        for (int i = 0; i < 200; i++) {
            boolean poisoned = i % 10 == 0;
            double loss = poisoned ? 1e-5 * (1 + i % 7) : 0.05 * (1 + i % 40);
            losses.append(i).append(',').append(poisoned ? 1 : 0).append(',').append(i % 10).append(',').append(i == 0 ? "-0.0" : loss).append('\n');
        }
        Files.writeString(dir.resolve("isolation_losses.csv"), losses);
        return dir;
    }

    /**
     * A quick-unlearning run (defend abl --from-model): the given backdoored model's scores (CA 0.83, ASR 1.0) in
     * "no_defense", the unlearned model's (CA 0.8, ASR 0.004) at the top, as AblCommand writes them.
     */
    static Path quickUnlearning(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"command": "defend abl", "data": "cifar10", "model": "wrn-16-1", "abl": "Config[unlearnEpochs=2]",
                 "attack": %s, "provenance": %s}""".formatted(ATTACK, PROVENANCE));
        Files.writeString(dir.resolve("metrics.jsonl"), epoch("backdoored", 0, 0.05, 0.83, 1.0, 0.6, 0.001)
                + epoch("unlearning", 1, 0.5, 0.81, 0.3, 0.6, 5.0) + epoch("unlearning", 2, 0.5, 0.8, 0.004, 0.62, 12.0));
        Files.writeString(dir.resolve("result.json"), """
                {"ca": 0.8, "asr": 0.004, "clean_loss": 0.62, "poison_loss": 12.0, "isolated": 500,
                 "no_defense": {"ca": 0.83, "asr": 1.0, "clean_loss": 0.6, "poison_loss": 0.001},
                 "der": 0.983, "unlearning_stopped_early": false, "wall_seconds": 99.5, "attack": %s, "provenance": %s}"""
                .formatted(ATTACK, PROVENANCE));
        return dir;
    }

    /** A train run on the same poisoned data without a defense: CA 0.90, ASR 0.99. */
    static Path undefended(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"command": "train", "data": "cifar10", "model": "wrn-16-1", "train": "epochs=2", "attack": %s, "provenance": %s}"""
                .formatted(ATTACK, PROVENANCE));
        Files.writeString(dir.resolve("metrics.jsonl"), epoch("train", 1, 1.2, 0.7, 0.95, 1.0, 0.1) + epoch("train", 2, 0.8, 0.9, 0.99, 0.4, 0.02));
        Files.writeString(dir.resolve("result.json"), """
                {"ca": 0.90, "asr": 0.99, "clean_loss": 0.4, "poison_loss": 0.02, "wall_seconds": 60.0, "epochs": 2,
                 "attack": %s, "provenance": %s}""".formatted(ATTACK, PROVENANCE));
        return dir;
    }

    /** The demo's shape: no config.json, the attack as a string, one result object per model. */
    static Path demo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("metrics.jsonl"), epoch("no-defense", 1, 2.0, 0.5, 0.9, 1.5, 0.3) + epoch("isolation", 1, 1.0, 0.6, 1.0, 1.0, 0.001)
                + "{\"stage\":\"isolation-quality\",\"epoch\":1,\"precision\":0.968,\"recall\":0.484}\n"
                + epoch("unlearning", 1, 0.4, 0.92, 0.0, 0.2, 9.6));
        Files.writeString(dir.resolve("result.json"), """
                {"attack": "%s",
                 "no_defense": {"ca": 0.895, "ca_non_target": 0.89, "asr": 0.9922222222222222, "clean_loss": 0.31, "poison_loss": 0.03},
                 "abl": {"ca": 0.924, "ca_non_target": 0.9455555555555556, "asr": 0.0, "clean_loss": 0.21, "poison_loss": 9.65,
                         "isolation_precision": 0.968, "isolation_recall": 0.484, "stopped_early": false,
                         "rejected_sets": ["unlearning erased label 5: <of its examples> 100.0%% then 0.0%%"]},
                 "wall_seconds": 73.08, "provenance": %s}""".formatted(SPEC, PROVENANCE.replace("cifar10-train", "synthetic-train")));
        return dir;
    }

    /**
     * An ASD run as AsdCommand writes it: each epoch's line, then its pools; split stages 1, 1, 2, 2, 3, 3 with
     * clean pools of 100, 100, 25,000, 25,000, 40,000, 40,000 holding 0, 0, 500, 250, 400, 200 poisons.
     */
    static Path asd(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"command": "defend asd", "data": "cifar10", "model": "wrn-16-1", "attack": %s, "provenance": %s}""".formatted(ATTACK, PROVENANCE));
        int[] stage = {1, 1, 2, 2, 3, 3}, labelled = {100, 100, 25000, 25000, 40000, 40000}, poisoned = {0, 0, 500, 250, 400, 200};
        StringBuilder m = new StringBuilder();
        for (int e = 1; e <= 6; e++) {
            m.append(epoch("asd", e, 1.0 / e, 0.3 + 0.08 * e, 0.05, 1.0, 3.0));
            m.append(String.format(Locale.ROOT, "{\"stage\":\"asd-split\",\"epoch\":%d,\"split_stage\":%d,\"labelled\":%d,\"unlabelled\":%d,"
                            + "\"poisoned_in_labelled\":%d,\"poisoned_fraction_of_labelled\":%s,\"poisoned_total\":2500,\"loss_x\":0.9,"
                            + "\"loss_u\":0.01,\"lambda_u\":0.5}%n", e, stage[e - 1], labelled[e - 1], 50000 - labelled[e - 1], poisoned[e - 1],
                    (double) poisoned[e - 1] / labelled[e - 1]));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), m);
        Files.writeString(dir.resolve("result.json"), """
                {"ca": 0.78, "asr": 0.05, "ca_target_class": 0.6, "wall_seconds": 99.0, "attack": %s, "provenance": %s}"""
                .formatted(ATTACK, PROVENANCE));
        return dir;
    }

    static String epoch(String stage, int epoch, double trainLoss, double ca, double asr, double cleanLoss, double poisonLoss) {
        return String.format(Locale.ROOT, "{\"stage\":\"%s\",\"epoch\":%d,\"lr\":0.1,\"train_loss\":%s,\"train_acc\":0.5,\"seconds\":2.5,"
                        + "\"images_per_second\":2000.0,\"ca\":%s,\"asr\":%s,\"clean_loss\":%s,\"poison_loss\":%s}%n", stage, epoch, trainLoss, ca, asr,
                cleanLoss, poisonLoss);
    }
}
