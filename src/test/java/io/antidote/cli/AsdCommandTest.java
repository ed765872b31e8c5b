package io.antidote.cli;

import io.antidote.report.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AsdCommandTest {
    @Test
    void aTinyRunRecordsEveryEpochAndItsSplit(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        // 4 epochs of the quick preset scaled down, with stages at 1 and 3: stage 1 for epoch 1, stage 2 for 2-3, stage 3 for 4
        Cli r = Cli.run("defend", "asd", "--data", "synthetic:1:400:50", "--attack", "badnets", "--rate", "0.1", "--preset", "quick",
                "--model", "wrn-10-1", "--epochs", "4", "--stages", "1,3", "--split-balance", "per-class", "--iterations", "2", "--batch-size", "8", "--precision", "fp32",
                "--out", run.toString());
        assertEquals(0, r.code, r.err);
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(8, metrics.size(), String.join("\n", metrics));
        assertTrue(metrics.get(0).contains("\"stage\":\"asd\"") && metrics.get(0).contains("\"asr\":"), metrics.get(0));
        assertTrue(metrics.get(1).contains("\"split_stage\":1") && metrics.get(1).contains("\"labelled\":100"), metrics.get(1));
        assertTrue(metrics.get(3).contains("\"split_stage\":2"), metrics.get(3));
        assertTrue(metrics.get(5).contains("\"split_stage\":2"), metrics.get(5));
        // per-class takes half of every class, each rounded down: 198 of 400, where half overall would be 200
        assertTrue(metrics.get(7).contains("\"split_stage\":3") && metrics.get(7).contains("\"labelled\":198"), metrics.get(7));

        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertTrue(result.get("asr") instanceof Number && result.get("ca") instanceof Number, result.toString());
        assertEquals(100, result.get("seeds"));
        assertEquals(4, ((List<?>) result.get("splits")).size());
        Map<?, ?> attack = (Map<?, ?>) result.get("attack");
        assertEquals(30, attack.get("poisoned"), "10% of the 300 images left after holding out 100 trusted ones");
        assertTrue(Files.isRegularFile(run.resolve("model.safetensors")));
    }

    @Test
    void badOptionsAreRefusedWithOneLine(@TempDir Path dir) {
        Path run = dir.resolve("run");
        Cli p = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--preset", "gpu", "--out", run.toString());
        assertEquals(2, p.code);
        assertTrue(p.err.contains("--preset 'gpu' is not one of paper, cpu"), p.err);
        Cli s = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--clean-seeds", "oracle", "--out", run.toString());
        assertEquals(2, s.code);
        assertTrue(s.err.contains("--clean-seeds 'oracle'"), s.err);
        Cli b = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--split-balance", "even", "--out", run.toString());
        assertEquals(2, b.code);
        assertTrue(b.err.contains("--split-balance 'even' is not one of overall, per-class"), b.err);
        Cli f = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--split-fraction", "1", "--out", run.toString());
        assertEquals(2, f.code);
        assertTrue(f.err.contains("--split-fraction 1.0 must be in (0, 1)"), f.err);
        Cli st = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--stages", "30,20", "--out", run.toString());
        assertEquals(2, st.code);
        assertTrue(st.err.contains("--stages 30,20 must satisfy 0 <= S2 <= S3 <= epochs (120)"), st.err);
        Cli mix = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--mix-alpha", "-0.5", "--out", run.toString());
        assertEquals(2, mix.code);
        assertTrue(mix.err.contains("--mix-alpha -0.5 must be > 0"), mix.err);
        // 40 images hold 4 per class: too few to set 10 per class aside
        Cli h = Cli.run("defend", "asd", "--data", "synthetic:1:40:10", "--attack", "badnets", "--out", run.toString());
        assertEquals(2, h.code);
        assertTrue(h.err.contains("--clean-seeds held-out: class 0 has 4 eligible samples, ASD needs 10"), h.err);
        assertFalse(Files.exists(run), "bad input must leave no run directory");
    }
}
