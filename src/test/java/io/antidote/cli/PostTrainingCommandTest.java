package io.antidote.cli;

import io.antidote.report.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PostTrainingCommandTest {
    // The smallest WRN, one epoch everywhere: these tests check wiring and records, not learning.
    private static final String DATA = "synthetic:1:200:60";

    @TempDir
    static Path dir;

    static Path trained;

    @BeforeAll
    static void trainABackdooredRun() {
        trained = dir.resolve("train");
        assertEquals(0, Main.run("train", "--data", DATA, "--attack", "badnets", "--rate", "0.1", "--model", "wrn-10-1", "--epochs", "1",
                "--batch-size", "50", "--precision", "fp32", "--out", trained.toString()));
    }

    private static List<Map<?, ?>> metrics(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .<Map<?, ?>>map(l -> {
                    try {
                        return (Map<?, ?>) new com.fasterxml.jackson.databind.ObjectMapper().readValue(l, Map.class);
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                }).toList();
    }

    @Test
    void nadFromARunRecordsEveryStage() throws Exception {
        Path out = dir.resolve("nad");
        String[] args = {"defend", "nad", "--from-run", trained.toString(), "--teacher-epochs", "1", "--epochs", "2", "--clean-fraction", "0.2",
                "--batch-size", "20", "--precision", "fp32", "--poison-at", "--out", out.toString()};
        Cli c = Cli.run(args);
        assertEquals(0, c.code, c.err);
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        assertTrue(result.get("asr") instanceof Number && result.get("ca") instanceof Number, result.toString());
        assertTrue(((Map<?, ?>) result.get("before")).get("asr") instanceof Number);
        assertTrue(((Map<?, ?>) result.get("teacher")).get("ca") instanceof Number);
        Map<?, ?> budget = (Map<?, ?>) result.get("clean_budget");
        assertEquals(40, budget.get("size"), "floor(0.2 x 200)");
        assertEquals(0, budget.get("poisoned_inside"));
        assertEquals(List.of(500.0, 1000.0, 1000.0), result.get("betas"));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("teacher.safetensors")));
        List<String> stages = metrics(out).stream().map(m -> m.get("stage") + "/" + m.get("epoch")).toList();
        assertEquals(List.of("backdoored/0", "teacher/1", "nad-attention/0", "nad/1", "nad-attention/1", "nad/2", "nad-attention/2"), stages);
        Map<?, ?> at = metrics(out).get(4);
        assertTrue(at.get("train_at_block1") instanceof Number && at.get("poison_at_weighted") instanceof Number, at.toString());
        // a second call finds both checkpoints complete: nothing is trained again and no metrics line is doubled
        assertEquals(0, Cli.run(args).code);
        assertEquals(stages, metrics(out).stream().map(m -> m.get("stage") + "/" + m.get("epoch")).toList());
        Map<?, ?> config = RunDirectory.readJson(out.resolve("config.json"));
        assertEquals(trained.toString(), ((Map<?, ?>) config.get("source")).get("from_run"));
    }

    @Test
    void headFineTuningFromWeightsRebuildsTheSameData() throws Exception {
        Path out = dir.resolve("ft");
        Cli c = Cli.run("defend", "ft", "--model-weights", trained.resolve("model.safetensors").toString(), "--model", "wrn-10-1", "--data", DATA,
                "--attack", "badnets", "--rate", "0.1", "--scope", "head", "--epochs", "1", "--clean-count", "30", "--precision", "fp32",
                "--out", out.toString());
        assertEquals(0, c.code, c.err);
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        assertEquals(List.of("fc.weight", "fc.bias"), result.get("trained_parameters"));
        assertEquals(30, ((Map<?, ?>) result.get("clean_budget")).get("size"));
        Map<?, ?> trainedResult = RunDirectory.readJson(trained.resolve("result.json"));
        Map<?, ?> before = (Map<?, ?>) result.get("before");
        assertEquals(trainedResult.get("ca"), before.get("ca"), "the backdoored model scores as it did at the end of training");
        assertEquals(trainedResult.get("asr"), before.get("asr"));
    }

    @Test
    void finePruningRecordsItsMaskAndKeepsItThroughFineTuning() throws Exception {
        Path out = dir.resolve("fp");
        Cli c = Cli.run("defend", "fp", "--from-run", trained.toString(), "--margin", "1", "--max-prune", "0.25", "--epochs", "1",
                "--clean-count", "40", "--precision", "fp32", "--out", out.toString());
        assertEquals(0, c.code, c.err);
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        assertEquals(16, result.get("pruned"), "a margin of 1 prunes up to the cap, floor(0.25 x 64)");
        List<?> cut = (List<?>) result.get("pruned_channels");
        assertEquals(16, cut.size());
        Map<String, io.antidote.nn.TensorData> w = io.antidote.nn.SafeTensors.read(out.resolve("model.safetensors")).tensors();
        float[] fc = w.get("fc.weight").floats();
        for (Object ch : cut) for (int k = 0; k < 10; k++) assertEquals(0f, fc[k * 64 + ((Number) ch).intValue()], "saved weights lost the mask");
    }

    @Test
    void mcrFromARunScoresTheWholeCurveAndChartsIt() throws Exception {
        Path out = dir.resolve("mcr");
        String[] args = {"defend", "mcr", "--from-run", trained.toString(), "--endpoint-epochs", "1", "--epochs", "1", "--points", "3",
                "--clean-count", "40", "--batch-size", "20", "--precision", "fp32", "--out", out.toString()};
        Cli c = Cli.run(args);
        assertEquals(0, c.code, c.err);
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        List<?> curve = (List<?>) result.get("curve");
        assertEquals(3, curve.size());
        for (int i = 0; i < 3; i++) {
            Map<?, ?> p = (Map<?, ?>) curve.get(i);
            assertEquals(i * 0.5, ((Number) p.get("t")).doubleValue(), 1e-12);
            for (String k : List.of("ca", "asr", "heldout_accuracy")) {
                double v = ((Number) p.get(k)).doubleValue();
                assertTrue(v >= 0 && v <= 1, k + " " + v);
            }
        }
        assertTrue(List.of(0.5, 1.0).contains(((Number) result.get("t")).doubleValue()), "t is 0.5 or the fine-tuned end: " + result.get("t"));
        assertEquals(8, result.get("heldout_images"), "20% of 40");
        assertEquals(32, result.get("curve_training_images"));
        assertTrue(((Map<?, ?>) result.get("endpoint")).get("ca") instanceof Number);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")) && Files.isRegularFile(out.resolve("endpoint.safetensors")));
        List<String> stages = metrics(out).stream().map(m -> m.get("stage") + "/" + m.get("epoch")).toList();
        assertEquals(List.of("backdoored/0", "endpoint/1", "curve/1", "mcr-curve/0", "mcr-curve/1", "mcr-curve/2"), stages);
        // a second call resumes both finished stages and scores the curve again without doubling its lines
        assertEquals(0, Cli.run(args).code);
        assertEquals(stages, metrics(out).stream().map(m -> m.get("stage") + "/" + m.get("epoch")).toList());
        assertEquals(0, Cli.run("report", out.toString()).code);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("id=\"chart-mcr-curve\"") && html.contains("chosen t ="), "no curve chart in the report");
    }

    @Test
    void mcrRefusesABadOptionValueInOneLine() {
        Path out = dir.resolve("mcr-never");
        Cli c = Cli.run("defend", "mcr", "--from-run", trained.toString(), "--points", "2", "--out", out.toString());
        assertEquals(2, c.code);
        assertEquals(1, c.err.strip().lines().count(), c.err);
        assertTrue(c.err.contains("--points 2"), c.err);
        assertFalse(Files.exists(out));
        Cli h = Cli.run("defend", "mcr", "--from-run", trained.toString(), "--holdout", "1");
        assertEquals(2, h.code);
        assertTrue(h.err.contains("--holdout 1.0"), h.err);
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        Cli both = Cli.run("defend", "nad", "--from-run", trained.toString(), "--attack", "blend");
        assertEquals(2, both.code);
        assertTrue(both.err.contains("--attack: --from-run"), both.err);
        Cli none = Cli.run("defend", "ft");
        assertEquals(2, none.code);
        assertTrue(none.err.contains("--from-run DIR or --model-weights FILE"), none.err);
        Path out = dir.resolve("never");
        Cli betas = Cli.run("defend", "nad", "--from-run", trained.toString(), "--betas", "1,2", "--out", out.toString());
        assertEquals(2, betas.code);
        assertTrue(betas.err.contains("has 3 attention taps"), betas.err);
        assertFalse(Files.exists(out), "a refused run left a directory behind");
        Cli frac = Cli.run("defend", "ft", "--from-run", trained.toString(), "--clean-fraction", "1.5");
        assertEquals(2, frac.code);
        assertTrue(frac.err.contains("--clean-fraction"), frac.err);
        Cli scope = Cli.run("defend", "ft", "--from-run", trained.toString(), "--scope", "conv");
        assertEquals(2, scope.code);
        assertTrue(scope.err.contains("--scope"), scope.err);
        Cli margin = Cli.run("defend", "fp", "--from-run", trained.toString(), "--margin", "2");
        assertEquals(2, margin.code);
        assertTrue(margin.err.contains("--margin 2.0"), margin.err);
        Cli loss = Cli.run("defend", "nad", "--from-run", trained.toString(), "--attention-loss", "kl");
        assertEquals(2, loss.code);
        assertTrue(loss.err.contains("--attention-loss"), loss.err);
        Cli noRun = Cli.run("defend", "nad", "--from-run", dir.resolve("nope").toString());
        assertEquals(2, noRun.code);
        assertTrue(noRun.err.contains("no config.json"), noRun.err);
    }
}
