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
    }
}
