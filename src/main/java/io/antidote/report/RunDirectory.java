package io.antidote.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run's folder: resolved config, metrics.jsonl (one JSON object per epoch or stage), result.json
 * and checkpoints. Whole files are written atomically; metrics lines are appended.
 */
public final class RunDirectory {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();
    private final Path dir;

    public RunDirectory(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new io.antidote.BadInputException(dir + ": cannot create run directory (" + e.getMessage() + ")");
        }
    }

    public Path path() { return dir; }

    public Path resolve(String name) { return dir.resolve(name); }

    /** Writes a JSON document atomically (temp file + rename). */
    public void writeJson(String name, Object value) {
        try {
            writeAtomically(dir.resolve(name), JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        io.antidote.data.AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** Appends one metrics record as a JSON line. */
    public void appendMetrics(Map<String, Object> record) {
        try {
            Files.writeString(dir.resolve("metrics.jsonl"), LINE.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Drops metrics lines of a stage beyond the epochs a checkpoint holds, so a resumed run does not
     * list an epoch twice.
     */
    public void truncateMetrics(String stage, int epochsDone) {
        Path f = dir.resolve("metrics.jsonl");
        if (!Files.exists(f)) return;
        try {
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                Map<?, ?> m = LINE.readValue(line, Map.class);
                Object e = m.get("epoch");
                if (stage.equals(m.get("stage")) && e instanceof Number n && n.intValue() > epochsDone) continue;
                keep.add(line);
            }
            writeAtomically(f, (String.join("\n", keep) + (keep.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<?, ?> readJson(Path file) {
        try {
            return LINE.readValue(file.toFile(), Map.class);
        } catch (IOException e) {
            throw new io.antidote.BadInputException(file + ": not a readable JSON file (" + e.getMessage().split("\n")[0] + ")");
        }
    }
}
