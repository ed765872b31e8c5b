package io.antidote.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ReportCommandTest {
    private static Path run(Path dir, String result) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("result.json"), result);
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"stage\":\"train\",\"epoch\":1,\"train_loss\":1.0,\"ca\":0.5,\"clean_loss\":1.1}\n"
                + "{\"stage\":\"train\",\"epoch\":2,\"train_loss\":0.7,\"ca\":0.6,\"clean_loss\":0.9}\n");
        return dir;
    }

    @Test
    void reportsEachRunAndNamesTheOneThatCannotBeReported(@TempDir Path tmp) throws IOException {
        Path a = run(tmp.resolve("a"), "{\"ca\": 0.6}");
        Path unfinished = Files.createDirectories(tmp.resolve("unfinished"));
        Cli r = Cli.run("report", a.toString(), unfinished.toString());
        assertEquals(2, r.code);
        assertEquals(a.resolve("report.html").toString(), r.out.strip());
        assertEquals("antidote: " + unfinished.resolve("result.json") + ": no such file (the run has not finished, or this is not a run directory)",
                r.err.strip());
        assertTrue(Files.readString(a.resolve("report.html")).contains("id=\"final-ca\" class=\"num\" data-value=\"0.6\""));
    }

    @Test
    void leaderboardWritesThreeFiles(@TempDir Path tmp) throws IOException {
        String attack = "\"attack\": {\"spec\": \"badnets() rate=0.1\", \"name\": \"badnets\"}";
        run(tmp.resolve("runs/train"), "{\"ca\": 0.9, \"asr\": 0.99, " + attack + "}");
        run(tmp.resolve("runs/abl"), "{\"ca\": 0.86, \"asr\": 0.03, \"isolation_precision\": 1.0, " + attack + "}");
        Path prefix = tmp.resolve("board");
        Cli r = Cli.run("leaderboard", tmp.resolve("runs").toString(), "--out", prefix.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.startsWith("2 rows from 2 runs"), r.out);
        for (String ext : new String[] {".md", ".csv", ".html"}) assertTrue(Files.exists(tmp.resolve("board" + ext)), ext);
        // runs are listed in name order: abl (DER 0.96 against train), then train
        assertTrue(Files.readString(tmp.resolve("board.md")).contains("| 1 | ABL | badnets |  |  | 3.00 | 86.00 |  | 0.9600 |"));
    }

    @Test
    void leaderboardNeedsOut(@TempDir Path tmp) {
        Cli r = Cli.run("leaderboard", tmp.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.strip().startsWith("antidote: Missing required option: '--out=PREFIX'"), r.err);
    }
}
