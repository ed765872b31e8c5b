package io.antidote.cli;

import io.antidote.nn.Model;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.TensorData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AverageCommandTest {
    @Test
    void aCheckpointEvaluatesAsItsModelAndAveragesWithOtherWeights(@TempDir Path dir) throws Exception {
        String data = "synthetic:2:300:100";
        Path run = dir.resolve("run"), early = dir.resolve("early");
        for (Path p : new Path[]{run, early}) {
            Cli t = Cli.run("train", "--data", data, "--model", "wrn-10-1", "--epochs", p == run ? "2" : "1", "--precision", "fp32", "--out", p.toString());
            assertEquals(0, t.code, t.err);
        }
        Path ckpt = run.resolve("train.ckpt.safetensors"), model = run.resolve("model.safetensors");
        assertTrue(Files.isRegularFile(ckpt), "train keeps its checkpoint");
        // after the last epoch the checkpoint's model part is the saved model, so both score alike
        String fromModel = Cli.stdout("eval", "--weights", model.toString(), "--model", "wrn-10-1", "--data", data);
        String fromCkpt = Cli.stdout("eval", "--weights", ckpt.toString(), "--model", "wrn-10-1", "--data", data);
        assertEquals(fromModel.substring(fromModel.indexOf(": CA")), fromCkpt.substring(fromCkpt.indexOf(": CA")));

        Path avg = dir.resolve("avg.safetensors");
        String said = Cli.stdout("average", ckpt.toString(), early.resolve("model.safetensors").toString(), "--out", avg.toString());
        assertTrue(said.startsWith("averaged 2 weights files"), said);
        Map<String, TensorData> a = Model.readWeights(model).tensors(), b = Model.readWeights(early.resolve("model.safetensors")).tensors();
        Map<String, TensorData> m = SafeTensors.read(avg).tensors();
        assertEquals(a.keySet(), m.keySet());
        float[] x = a.get("fc.weight").floats(), y = b.get("fc.weight").floats(), z = m.get("fc.weight").floats();
        for (int i = 0; i < z.length; i++) assertEquals((float) (((double) x[i] + y[i]) / 2), z[i], "fc.weight[" + i + "]");
        String scored = Cli.stdout("eval", "--weights", avg.toString(), "--model", "wrn-10-1", "--data", data, "--refresh-bn", "200");
        assertTrue(scored.contains(": CA "), scored);

        Cli missing = Cli.run("average", ckpt.toString(), dir.resolve("nope.safetensors").toString(), "--out", avg.toString());
        assertEquals(2, missing.code);
        assertEquals("antidote: " + dir.resolve("nope.safetensors") + ": no such weights file", missing.err.strip());
    }
}
