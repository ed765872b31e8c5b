package io.antidote.cli;

import io.antidote.report.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** `antidote run` on the demo preset shrunk to seconds: the run directory, result.json, refusal and resume. */
class RunCommandTest {
    // The smallest WRN and one epoch per stage: these tests check wiring and records, not learning.
    private static final String[] TINY = {"--set", "data=synthetic:1:200:60", "--set", "model=wrn-10-1", "--set", "precision=fp32",
            "--set", "train.epochs=1", "--set", "defense.isolation_epochs=1", "--set", "defense.finetune_epochs=1",
            "--set", "defense.unlearn_epochs=1"};

    @TempDir
    Path dir;

    private static String[] args(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("run", "configs/demo.yaml", "--out", out.toString()));
        a.addAll(List.of(TINY));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static long metricsLines(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> !l.isBlank()).count();
    }

    @Test
    void demoPresetWritesARunDirectory() throws Exception {
        Path out = dir.resolve("demo");
        Cli c = Cli.run(args(out));
        assertEquals(0, c.code, c.err);
        for (String f : List.of("config.yaml", "config.json", "metrics.jsonl", "result.json", "report.html", "model.safetensors",
                "baseline.safetensors", "isolation_losses.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        assertTrue(result.get("ca") instanceof Number ca && ca.doubleValue() >= 0 && ca.doubleValue() <= 1, result.toString());
        assertTrue(result.get("asr") instanceof Number, result.toString());
        assertTrue(((Map<?, ?>) result.get("no_defense")).get("asr") instanceof Number);
        Map<?, ?> abl = (Map<?, ?>) result.get("abl");
        assertEquals(result.get("asr"), abl.get("asr"), "the top-level scores are the defended model's");
        assertTrue(abl.get("isolation_precision") instanceof Number);
        assertTrue(result.get("der") instanceof Number);
        assertTrue(((Map<?, ?>) result.get("stage_seconds")).keySet().containsAll(List.of("train", "abl")));
        assertTrue(((Map<?, ?>) result.get("provenance")).get("train_sha256") instanceof String);
        assertEquals("demo", result.get("experiment"));
        // the resolved config spells out the overrides and the defaults and runs again as it is
        Experiment resolved = ConfigFile.experiment(out.resolve("config.yaml"), List.of());
        assertEquals("synthetic:1:200:60", resolved.data());
        assertEquals(0.05, ((Experiment.AblDefense) resolved.defense()).config().isolationRatio());
        assertTrue(Files.readString(out.resolve("report.html")).contains("ABL"));
        // config.json, and so the report, carries the defense's resolved keys, overrides included
        Map<?, ?> defense = (Map<?, ?>) RunDirectory.readJson(out.resolve("config.json")).get("defense");
        assertEquals("abl", defense.get("name"));
        assertEquals("demo", defense.get("preset"));
        assertEquals(1, ((Number) defense.get("unlearn_epochs")).intValue());
        assertTrue(Files.readString(out.resolve("report.html")).contains("defense.unlearn_epochs"));
        // where the triggered test images go: the target column is the ASR, the rows are the images' true classes
        List<?> confusion = (List<?>) abl.get("triggered_confusion");
        int hits = 0, all = 0;
        for (int y = 0; y < confusion.size(); y++) {
            List<?> row = (List<?>) confusion.get(y);
            for (int k = 0; k < row.size(); k++) {
                int n = ((Number) row.get(k)).intValue();
                all += n;
                if (k == 0) hits += n;
                if (y == 0) assertEquals(0, n, "all2one leaves the target class's own images out");
            }
        }
        assertEquals(((Number) abl.get("asr")).doubleValue(), (double) hits / all, 1e-9);
        assertTrue(((Map<?, ?>) result.get("no_defense")).containsKey("triggered_confusion"));
        assertFalse(Files.readString(out.resolve("metrics.jsonl")).contains("triggered_confusion"), "not repeated on every epoch");
        assertTrue(Files.size(out.resolve("trigger_preview.png")) > 0);
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("id=\"confusion-no-defense\"") && report.contains("id=\"confusion-abl\"") && report.contains("id=\"trigger-preview\""));

        // a second run into the same directory is refused; --resume leaves a finished run as it is
        Cli again = Cli.run(args(out));
        assertEquals(2, again.code);
        assertTrue(again.err.strip().endsWith("holds a previous run; pass --resume to continue it or choose another --out"), again.err);
        long lines = metricsLines(out);
        assertEquals(0, Cli.run(args(out, "--resume")).code);
        assertEquals(lines, metricsLines(out));

        // an interrupted run (no result.json yet) resumes from its checkpoints without training or recording an epoch twice
        Files.delete(out.resolve("result.json"));
        assertEquals(0, Cli.run(args(out, "--resume")).code);
        assertTrue(Files.isRegularFile(out.resolve("result.json")));
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"stage\":\"train\"")).count());

        // a resumed run must keep its config
        Cli changed = Cli.run(args(out, "--resume", "--set", "attack.rate=0.2"));
        assertEquals(2, changed.code);
        assertTrue(changed.err.contains("config.yaml differs"), changed.err);
    }

    @Test
    void postTrainingDefenseStartsFromTheTrainedModel() throws Exception {
        Path out = dir.resolve("nad");
        Cli c = Cli.run("run", "configs/nad-cifar10-badnets.yaml", "--out", out.toString(), "--set", "data=synthetic:1:200:60",
                "--set", "model=wrn-10-1", "--set", "precision=fp32", "--set", "train.epochs=1", "--set", "defense.teacher_epochs=1",
                "--set", "defense.epochs=1", "--set", "defense.clean_fraction=0.2");
        assertEquals(0, c.code, c.err);
        Map<?, ?> result = RunDirectory.readJson(out.resolve("result.json"));
        Map<?, ?> nad = (Map<?, ?>) result.get("nad");
        assertEquals(((Map<?, ?>) result.get("no_defense")).get("asr"), ((Map<?, ?>) nad.get("before")).get("asr"),
                "NAD starts from the model the train stage saved");
        assertEquals(40, ((Map<?, ?>) nad.get("clean_budget")).get("size"));
        assertTrue(Files.isRegularFile(out.resolve("backdoored.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("teacher.safetensors")));
    }
}
