package io.antidote.report;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LeaderboardTest {
    @Test
    void derOnHandComputedNumbers() {
        // ΔASR = 0.99 - 0.03 = 0.96, ΔCA = 0.90 - 0.86 = 0.04: (0.96 - 0.04 + 1) / 2
        assertEquals(0.96, Leaderboard.der(0.99, 0.90, 0.03, 0.86), 1e-12);
        // a defense that raises CA is not rewarded for it, and one that raises ASR is not penalised beyond 0.5
        assertEquals(0.75, Leaderboard.der(0.60, 0.80, 0.10, 0.85), 1e-12);
        assertEquals(0.45, Leaderboard.der(0.50, 0.90, 0.70, 0.80), 1e-12);
        assertEquals(1.0, Leaderboard.der(1.0, 0.9, 0.0, 0.9), 1e-12);
    }

    @Test
    void rowsPairDefendedRunsWithTheUndefendedRunOfTheSamePoisonedData(@TempDir Path tmp) throws IOException {
        Path base = SyntheticRuns.undefended(tmp.resolve("train-badnets"));
        Path abl = SyntheticRuns.abl(tmp.resolve("abl-badnets"));
        Path demo = SyntheticRuns.demo(tmp.resolve("demo"));
        List<Leaderboard.Row> rows = Leaderboard.rows(List.of(abl, base, demo));
        assertEquals(4, rows.size());

        Leaderboard.Row a = rows.get(0);
        assertEquals("ABL", a.defense());
        assertEquals("badnets", a.attack());
        assertEquals("wrn-16-1", a.model());
        assertEquals("cifar10", a.data());
        assertEquals(0.0211, a.asr());
        assertEquals(0.8523, a.ca());
        // against train-badnets (ASR 0.99, CA 0.90): ((0.99 - 0.0211) - (0.90 - 0.8523) + 1) / 2
        assertEquals(0.9606, a.der(), 1e-12);

        assertEquals(RunData.NO_DEFENSE, rows.get(1).defense());
        assertTrue(Double.isNaN(rows.get(1).der()), "an undefended model has no DER");

        // the demo measured its own baseline: ASR 0.99222..., CA 0.895; ABL ASR 0, CA 0.924 (a CA gain counts as 0)
        assertEquals(RunData.NO_DEFENSE, rows.get(2).defense());
        assertEquals("ABL", rows.get(3).defense());
        assertEquals((0.9922222222222222 + 1) / 2, rows.get(3).der(), 1e-12);
        assertEquals("synthetic-train", rows.get(3).data());
        assertNull(rows.get(3).model(), "the demo's result.json does not record its model");
    }

    @Test
    void quickUnlearningListsTheGivenModelAndTheUnlearnedOneAgainstIt(@TempDir Path tmp) throws IOException {
        Path base = SyntheticRuns.undefended(tmp.resolve("train-badnets"));
        Path quick = SyntheticRuns.quickUnlearning(tmp.resolve("quick"));
        List<Leaderboard.Row> rows = Leaderboard.rows(List.of(base, quick));
        assertEquals(List.of(RunData.NO_DEFENSE, RunData.NO_DEFENSE, "ABL"), rows.stream().map(Leaderboard.Row::defense).toList());
        assertEquals(1.0, rows.get(1).asr());
        assertEquals(0.83, rows.get(1).ca());
        assertEquals(0.004, rows.get(2).asr());
        assertEquals(0.8, rows.get(2).ca());
        // against its own given model (ASR 1.0, CA 0.83), not the separate train run: ((1.0 - 0.004) - (0.83 - 0.8) + 1) / 2
        assertEquals(0.983, rows.get(2).der(), 1e-12);
    }

    @Test
    void derIsBlankWithoutABaseline(@TempDir Path tmp) throws IOException {
        List<Leaderboard.Row> rows = Leaderboard.rows(List.of(SyntheticRuns.abl(tmp.resolve("abl"))));
        assertEquals(1, rows.size());
        assertTrue(Double.isNaN(rows.get(0).der()));
    }

    @Test
    void writesMarkdownCsvAndHtml(@TempDir Path tmp) throws IOException {
        Path base = SyntheticRuns.undefended(tmp.resolve("runs/train-badnets"));
        Path abl = SyntheticRuns.abl(tmp.resolve("runs/abl-badnets"));
        Path prefix = tmp.resolve("out/board");
        Leaderboard.write(List.of(base, abl), prefix);

        List<String> md = Files.readAllLines(tmp.resolve("out/board.md"));
        assertEquals("| # | Defense | Attack | Model | Data | ASR (%) | CA (%) | CA w/o target (%) | DER | Run |", md.get(0));
        assertEquals("| 1 | No defense | badnets | wrn-16-1 | cifar10 | 99.00 | 90.00 |  |  | " + base + " |", md.get(2));
        assertEquals("| 2 | ABL | badnets | wrn-16-1 | cifar10 | 2.11 | 85.23 | 85.00 | 0.9606 | " + abl + " |", md.get(3));

        List<String> csv = Files.readAllLines(tmp.resolve("out/board.csv"));
        assertEquals("index,defense,attack,model,data,asr,ca,ca_non_target,der,run", csv.get(0));
        assertEquals("1,No defense,badnets,wrn-16-1,cifar10,0.99,0.9,,," + base, csv.get(1));
        String[] f = csv.get(2).split(",");
        assertEquals(0.9606, Double.parseDouble(f[8]), 1e-12);

        String html = Files.readString(tmp.resolve("out/board.html"));
        assertEquals(0.0211, HtmlReportTest.dataValue(html, "asr-2"));
        assertEquals(0.8523, HtmlReportTest.dataValue(html, "ca-2"));
        assertEquals(0.85, HtmlReportTest.dataValue(html, "ca-non-target-2"));
        assertFalse(html.contains("http://") || html.contains("https://"));
        assertTrue(html.contains("id=\"der-1\" class=\"num missing\""));
    }

    @Test
    void aParentDirectoryStandsForItsFinishedRuns(@TempDir Path tmp) throws IOException {
        Path b = SyntheticRuns.undefended(tmp.resolve("runs/b"));
        Path a = SyntheticRuns.abl(tmp.resolve("runs/a"));
        Files.createDirectories(tmp.resolve("runs/unfinished"));
        assertEquals(List.of(a, b), Leaderboard.findRuns(List.of(tmp.resolve("runs"))));
        assertEquals(List.of(b), Leaderboard.findRuns(List.of(b)));

        BadInputException e = assertThrows(BadInputException.class, () -> Leaderboard.findRuns(List.of(tmp.resolve("runs/unfinished"))));
        assertEquals(tmp.resolve("runs/unfinished") + ": no result.json in it or in its sub-directories", e.getMessage());
        e = assertThrows(BadInputException.class, () -> Leaderboard.findRuns(List.of(tmp.resolve("absent"))));
        assertEquals(tmp.resolve("absent") + ": no such directory", e.getMessage());
    }
}
