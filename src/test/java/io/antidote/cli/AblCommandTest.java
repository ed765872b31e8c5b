package io.antidote.cli;

import io.antidote.report.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AblCommandTest {
    @Test
    void quickUnlearningRunsAnAblationTreatmentAndRecordsIt(@TempDir Path dir) throws Exception {
        String data = "synthetic:1:300:50";
        Path bd = dir.resolve("bd");
        Cli t = Cli.run("train", "--data", data, "--attack", "badnets", "--model", "wrn-10-1", "--epochs", "1", "--precision", "fp32",
                "--out", bd.toString());
        assertEquals(0, t.code, t.err);
        Path run = dir.resolve("abl");
        Cli r = Cli.run("defend", "abl", "--data", data, "--attack", "badnets", "--model", "wrn-10-1", "--precision", "fp32", "--preset", "demo",
                "--from-model", bd.resolve("model.safetensors").toString(), "--unlearn-by", "label-shuffle", "--unlearn-epochs", "2",
                "--out", run.toString());
        assertEquals(0, r.code, r.err);
        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertEquals("label-shuffle", result.get("unlearn_by"));
        assertTrue(result.get("asr") instanceof Number, result.toString());
        // the given model is scored once, as the run's undefended baseline and as epoch 0 of its metrics
        Map<?, ?> given = (Map<?, ?>) result.get("no_defense");
        assertTrue(given.get("asr") instanceof Number, result.toString());
        Map<?, ?> epoch0 = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                java.nio.file.Files.readAllLines(run.resolve("metrics.jsonl")).get(0), Map.class);
        assertEquals("backdoored", epoch0.get("stage"));
        assertEquals(given.get("ca"), epoch0.get("ca"));
        assertTrue(result.get("der") instanceof Number, result.toString());
    }

    @Test
    void isolationRateAugmentationAndBatchReachTheConfigAndBadValuesAreRefused(@TempDir Path dir) throws Exception {
        String[] common = {"defend", "abl", "--data", "synthetic:1:300:50", "--attack", "badnets", "--model", "wrn-10-1", "--precision", "fp32",
                "--preset", "demo", "--isolation-epochs", "1", "--finetune-epochs", "0", "--unlearn-epochs", "0"};
        Path run = dir.resolve("run");
        Cli r = Cli.run(concat(common, "--isolation-lr", "0.05", "--isolation-augment", "--batch-size", "64", "--out", run.toString()));
        assertEquals(0, r.code, r.err);
        String abl = (String) RunDirectory.readJson(run.resolve("config.json")).get("abl");
        for (String want : new String[]{"isolationLr=0.05", "isolationAugment=true", "batchSize=64", "majorityLabelOnly=true"}) {
            assertTrue(abl.contains(want), abl);
        }
        Path whole = dir.resolve("whole");
        Cli w = Cli.run(concat(common, "--no-majority-label-only", "--out", whole.toString()));
        assertEquals(0, w.code, w.err);
        String wholeAbl = (String) RunDirectory.readJson(whole.resolve("config.json")).get("abl");
        assertTrue(wholeAbl.contains("majorityLabelOnly=false"), wholeAbl);
        Cli zero = Cli.run(concat(common, "--isolation-lr", "0", "--out", dir.resolve("zero").toString()));
        assertEquals(2, zero.code, zero.err);
        assertEquals("antidote: isolation learning rate 0.0 must be > 0", zero.err.strip());
        Cli batch = Cli.run(concat(common, "--batch-size", "0", "--out", dir.resolve("batch").toString()));
        assertEquals(2, batch.code, batch.err);
        assertEquals("antidote: batch size 0 must be >= 1", batch.err.strip());
    }

    @Test
    void quickUnlearningTakesTargetAnchorsFromTheIsolationLossesBesideTheIsolatedSet(@TempDir Path dir) throws Exception {
        String data = "synthetic:1:300:50";
        String[] common = {"--data", data, "--attack", "badnets", "--model", "wrn-10-1", "--precision", "fp32", "--preset", "demo"};
        Path full = dir.resolve("full");
        Cli f = Cli.run(concat(new String[]{"defend", "abl"}, common, "--isolation-epochs", "1", "--finetune-epochs", "1", "--unlearn-epochs", "0",
                "--out", full.toString()));
        assertEquals(0, f.code, f.err);
        assertTrue(java.nio.file.Files.isRegularFile(full.resolve("isolation_losses.csv")));
        String[] quick = concat(new String[]{"defend", "abl"}, common, "--from-model", full.resolve("model.safetensors").toString(),
                "--unlearn-clean", "2", "--target-anchors", "0.2", "--unlearn-epochs", "1");
        Path q = dir.resolve("quick");
        Cli r = Cli.run(concat(quick, "--isolated", full.resolve("isolated.npz").toString(), "--out", q.toString()));
        assertEquals(0, r.code, r.err);
        Map<?, ?> result = RunDirectory.readJson(q.resolve("result.json"));
        assertEquals(0.2, ((Number) result.get("target_anchors")).doubleValue());
        assertEquals(2.0, ((Number) result.get("unlearn_clean")).doubleValue());

        // the same set as the two .npy files the ABL repository's demo keeps (images, labels), losses beside them: the same run
        Path npy = dir.resolve("npy");
        java.nio.file.Files.createDirectories(npy);
        Map<String, io.antidote.data.NpyIO.Array> xy = io.antidote.data.NpyIO.readNpz(full.resolve("isolated.npz"));
        io.antidote.data.NpyIO.write(xy.get("x"), npy.resolve("images.npy"));
        io.antidote.data.NpyIO.write(xy.get("y"), npy.resolve("labels.npy"));
        java.nio.file.Files.copy(full.resolve("isolation_losses.csv"), npy.resolve("isolation_losses.csv"));
        Path q2 = dir.resolve("quick-npy");
        Cli r2 = Cli.run(concat(quick, "--isolated", npy.resolve("images.npy") + "," + npy.resolve("labels.npy"), "--out", q2.toString()));
        assertEquals(0, r2.code, r2.err);
        Map<?, ?> result2 = RunDirectory.readJson(q2.resolve("result.json"));
        assertEquals(result.get("ca"), result2.get("ca"));
        assertEquals(result.get("asr"), result2.get("asr"));
        Cli one = Cli.run(concat(quick, "--isolated", npy.resolve("images.npy").toString(), "--out", dir.resolve("one").toString()));
        assertEquals(2, one.code, one.err);
        assertEquals("antidote: " + npy.resolve("images.npy") + ": holds a |u1 array (15, 32, 32, 3), not (image, label) pairs;"
                + " give IMAGES.npy,LABELS.npy", one.err.strip());

        // the isolated set alone, without the losses it was ranked by: refused, not run without anchors
        Path alone = dir.resolve("alone");
        java.nio.file.Files.createDirectories(alone);
        java.nio.file.Files.copy(full.resolve("isolated.npz"), alone.resolve("isolated.npz"));
        Cli missing = Cli.run(concat(quick, "--isolated", alone.resolve("isolated.npz").toString(), "--out", dir.resolve("m").toString()));
        assertEquals(2, missing.code, missing.err);
        assertTrue(missing.err.contains("need the losses the isolated set was ranked by"), missing.err);
        // pure ascent draws no partners, so no anchors and no losses are needed (the README's --unlearn-clean 0 rows)
        Path pure = dir.resolve("pure");
        Cli p = Cli.run(concat(new String[]{"defend", "abl"}, common, "--from-model", full.resolve("model.safetensors").toString(),
                "--unlearn-clean", "0", "--target-anchors", "0.2", "--unlearn-epochs", "1", "--isolated", alone.resolve("isolated.npz").toString(),
                "--out", pure.toString()));
        assertEquals(0, p.code, p.err);
        assertEquals(0.0, ((Number) RunDirectory.readJson(pure.resolve("result.json")).get("target_anchors")).doubleValue());

        // losses of another poisoning: a label that disagrees is refused with its file and line
        java.util.List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(full.resolve("isolation_losses.csv")));
        String[] row = lines.get(3).split(",");
        row[2] = String.valueOf((Integer.parseInt(row[2]) + 1) % 10);
        lines.set(3, String.join(",", row));
        Path bad = dir.resolve("bad.csv");
        java.nio.file.Files.write(bad, lines);
        Cli wrong = Cli.run(concat(quick, "--isolated", full.resolve("isolated.npz").toString(), "--isolation-losses", bad.toString(),
                "--out", dir.resolve("w").toString()));
        assertEquals(2, wrong.code, wrong.err);
        assertTrue(wrong.err.strip().startsWith("antidote: " + bad + ": line 4: label " + row[2]), wrong.err);
    }

    private static String[] concat(String[] a, String[] b, String... more) {
        return java.util.stream.Stream.of(a, b, more).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private static String[] concat(String[] a, String... more) {
        return concat(a, new String[0], more);
    }
}
