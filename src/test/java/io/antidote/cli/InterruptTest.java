package io.antidote.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM in the middle of a real training process: an orderly stop, then --resume completes the run. */
class InterruptTest {
    private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+)");

    private static List<Integer> epochs(Path metrics) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            Matcher m = EPOCH.matcher(line);
            if (m.find()) out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    @Test
    void sigtermMidEpochStopsBetweenStepsWithoutACrashAndTheRunResumes(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] train = {"train", "--data", "synthetic:1:768:128", "--model", "wrn-10-1", "--precision", "fp32",
                "--epochs", "3", "--batch-size", "32", "--out", run.toString()};
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(train));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        Path checkpoint = run.resolve("train.ckpt.safetensors");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(checkpoint) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Files.exists(checkpoint) && p.isAlive(), "the first epoch's checkpoint appears while the process still trains");
        p.destroy();  // SIGTERM
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the process stops");

        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(143, p.exitValue(), err);
        String[] errLines = err.strip().split("\n");
        assertEquals("antidote: interrupted by SIGTERM; checkpoints written so far are intact (--resume continues a run)",
                errLines[errLines.length - 1]);
        assertFalse((out + err).contains("fatal error"), out + err);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(), "no JVM crash report");
        }
        List<Integer> before = epochs(run.resolve("metrics.jsonl"));
        assertFalse(before.isEmpty(), "epoch 1 was recorded");
        assertTrue(before.size() < 3 && before.get(0) == 1, "stopped before the last epoch: " + before);

        String[] resume = new String[train.length + 1];
        System.arraycopy(train, 0, resume, 0, train.length);
        resume[train.length] = "--resume";
        assertEquals(0, Main.run(resume));
        assertEquals(List.of(1, 2, 3), epochs(run.resolve("metrics.jsonl")), "each epoch recorded once: none lost, none repeated");
        assertTrue(Files.exists(run.resolve("model.safetensors")));
    }
}
