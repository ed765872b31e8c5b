package io.antidote.cli;

import io.antidote.report.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainAttackTest {
    // The smallest WRN and one step per epoch: these tests check run records, not learning.
    private static final String[] TINY_TRAINING = {"--model", "wrn-10-1", "--epochs", "1", "--batch-size", "40", "--precision", "fp32"};

    private static String[] args(String... more) {
        String[] a = new String[more.length + TINY_TRAINING.length];
        System.arraycopy(more, 0, a, 0, more.length);
        System.arraycopy(TINY_TRAINING, 0, a, more.length, TINY_TRAINING.length);
        return a;
    }

    @Test
    void attackPutsAsrIntoMetricsAndResult(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        int code = Main.run(args("train", "--data", "synthetic:1:40:20", "--attack", "badnets", "--rate", "0.1", "--target", "1",
                "--out", run.toString()));
        assertEquals(0, code);

        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(1, metrics.size());
        assertTrue(metrics.get(0).contains("\"asr\":"), metrics.get(0));
        assertTrue(metrics.get(0).contains("\"ca_non_target\":"), metrics.get(0));

        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertTrue(result.get("asr") instanceof Number, result.toString());
        Map<?, ?> attack = (Map<?, ?>) result.get("attack");
        assertEquals(4, attack.get("poisoned"), "floor(40 x 0.1)");
        assertEquals(18, attack.get("poisoned_test_size"), "the 20 test images minus the 2 of the target class");
        assertTrue(((String) attack.get("spec")).startsWith("badnets() rate=0.1 target=1 all2one"), attack.toString());
    }

    @Test
    void trainingOnAPoisonedDirectoryMeasuresItsAsr(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        assertEquals(0, Cli.run("poison", "--data", "synthetic:1:40:20", "--attack", "blend", "--target", "2", "--out", data.toString()).code);
        Path run = dir.resolve("run");
        assertEquals(0, Main.run(args("train", "--data", "poisoned:" + data, "--out", run.toString())));
        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertTrue(result.get("asr") instanceof Number, result.toString());
        assertEquals(4, ((Map<?, ?>) result.get("attack")).get("poisoned"));

        Cli twice = Cli.run(args("train", "--data", "poisoned:" + data, "--attack", "badnets", "--out", dir.resolve("r2").toString()));
        assertEquals(2, twice.code);
        assertTrue(twice.err.contains("is poisoned already"), twice.err);
    }

    @Test
    void withoutAttackTheResultHasNoAsr(@TempDir Path dir) {
        Path run = dir.resolve("run");
        assertEquals(0, Main.run(args("train", "--data", "synthetic:1:40:10", "--out", run.toString())));
        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertNull(result.get("asr"));
        assertNull(result.get("attack"));
    }
}
