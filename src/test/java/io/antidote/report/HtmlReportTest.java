package io.antidote.report;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class HtmlReportTest {
    @Test
    void ablRunGetsEveryChartAndTheFinalNumbersOfResultJson(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.abl(tmp.resolve("abl-badnets"));
        Path out = HtmlReport.write(run);
        assertEquals(run.resolve("report.html"), out);
        String html = Files.readString(out);

        assertTrue(html.startsWith("<!DOCTYPE html>"));
        for (String id : new String[] {"chart-accuracy", "chart-loss", "chart-isolation-quality", "chart-isolation-losses"}) {
            assertTrue(html.contains("<svg id=\"" + id + "\""), id);
        }
        assertEquals(4, count(html, "<svg "));
        assertEquals(4, count(html, "</svg>"));

        Map<?, ?> result = RunDirectory.readJson(run.resolve("result.json"));
        assertEquals(((Number) result.get("ca")).doubleValue(), dataValue(html, "final-ca"));
        assertEquals(((Number) result.get("asr")).doubleValue(), dataValue(html, "final-asr"));
        assertTrue(html.contains(">85.23%</td>"));
        // ABL against BadNets on WRN-16-1 is the README's leaderboard row
        assertEquals(0.8611, dataValue(html, "paper-ca"));
        // the paper's CA sits in the row of our CA counted as the reference counts it, without the target class
        assertEquals(((Number) result.get("ca_non_target")).doubleValue(), dataValue(html, "final-ca-non-target"));
        assertTrue(html.indexOf("id=\"final-ca-non-target\"") < html.indexOf("id=\"paper-ca\""));
        assertTrue(html.indexOf("id=\"paper-ca\"") < html.indexOf("Attack success rate"));
        assertEquals(0.0304, dataValue(html, "paper-asr"));
        assertFalse(html.contains("reference point"), "same data and model as the paper: no caveat");
        assertEquals(0.9, dataValue(html, "isolation-precision-abl"));
        assertTrue(html.contains("data-key=\"train_sha256\""));
        assertTrue(html.contains(">isolation</text>") && html.contains(">unlearning</text>"), "stage boundaries are marked");
    }

    @Test
    void aTargetClassTheModelGaveUpIsShownAndFlagged(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.abl(tmp.resolve("r"));
        String plain = Files.readString(HtmlReport.write(run));
        assertFalse(plain.contains("final-ca-target-class"), "no row without the figure in result.json");
        Path result = run.resolve("result.json");
        String json = Files.readString(result);
        Files.writeString(result, json.replace("\"asr\": 0.0211", "\"asr\": 0.0211, \"ca_target_class\": 0.02"));
        String gaveUp = Files.readString(HtmlReport.write(run));
        assertEquals(0.02, dataValue(gaveUp, "final-ca-target-class"));
        assertTrue(gaveUp.contains("id=\"target-class-warning\"") && gaveUp.contains("2.00% against 85.23%"), gaveUp);
        Files.writeString(result, json.replace("\"asr\": 0.0211", "\"asr\": 0.0211, \"ca_target_class\": 0.43"));
        String kept = Files.readString(HtmlReport.write(run));
        assertEquals(0.43, dataValue(kept, "final-ca-target-class"));
        assertFalse(kept.contains("target-class-warning"), "at half the overall CA or more there is no warning");
    }

    @Test
    void pageFetchesNothing(@TempDir Path tmp) throws IOException {
        String html = Files.readString(HtmlReport.write(SyntheticRuns.abl(tmp.resolve("r"))));
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//", Pattern.CASE_INSENSITIVE).matcher(html).find());
        assertFalse(html.contains("http://") || html.contains("https://"), "no absolute URL anywhere, not even an xmlns");
        assertFalse(html.contains("<script"), "charts are plain SVG");
        assertFalse(html.contains("<link") || html.contains("@import") || html.contains("url("));
    }

    @Test
    void epochsContinueAcrossStages(@TempDir Path tmp) throws IOException {
        RunData run = RunData.load(SyntheticRuns.abl(tmp.resolve("r")));
        assertEquals(3, run.stages().size(), "isolation-quality lines are not a training stage");
        assertEquals(java.util.List.of(0, 3, 5), run.stages().stream().map(RunData.Stage::offset).toList());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7}, HtmlReport.globalEpochs(run.stages()));
        assertEquals(3, run.isolation().size());
        assertEquals(20, run.losses().poisoned().length);
        assertEquals(180, run.losses().clean().length);
    }

    @Test
    void asdPoolsAreChartedAndTabulatedPerSplitStageAndAreNotATrainingStage(@TempDir Path tmp) throws IOException {
        Path dir = SyntheticRuns.asd(tmp.resolve("asd"));
        RunData run = RunData.load(dir);
        assertEquals(java.util.List.of("asd"), run.stages().stream().map(RunData.Stage::name).toList(), "pool lines are not a stage");
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, HtmlReport.globalEpochs(run.stages()));
        assertEquals(6, run.pools().size());
        assertEquals(0.02, run.pools().get(2).poisonedFraction(), 1e-12);

        String html = Files.readString(HtmlReport.write(dir));
        for (String id : new String[] {"chart-accuracy", "chart-loss", "chart-asd-pools", "chart-asd-poison"}) {
            assertTrue(html.contains("<svg id=\"" + id + "\""), id);
        }
        assertEquals(4, count(html, "<svg "));
        assertTrue(html.contains(">split stage 2</text>") && html.contains(">split stage 3</text>"), "split-stage boundaries are marked");
        assertFalse(html.contains(">split stage 1</text>"), "the first stage has no boundary before it");
        assertEquals(100, dataValue(html, "asd-stage-1-labelled"));
        assertEquals(0, dataValue(html, "asd-stage-1-poisoned"));
        assertEquals(25000, dataValue(html, "asd-stage-2-labelled"));
        assertEquals(250, dataValue(html, "asd-stage-2-poisoned"), "the pool at the stage's last epoch");
        assertEquals(0.02, dataValue(html, "asd-stage-2-worst"), 1e-12, "the stage's largest share, from its first epoch");
        assertEquals(200, dataValue(html, "asd-stage-3-poisoned"));
        assertEquals(0.01, dataValue(html, "asd-stage-3-worst"), 1e-12);
        assertTrue(html.contains("<td>3\u20134</td>") && html.contains(">250 (1.00%)</td>"), html);
    }

    @Test
    void aPoolLineWithoutItsSizeIsNamed(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.asd(tmp.resolve("asd"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"stage\":\"asd-split\",\"epoch\":1,\"split_stage\":1,\"unlabelled\":5}\n");
        assertMessage(run.resolve("metrics.jsonl") + ":1: field 'labelled' is missing", () -> HtmlReport.write(run));
    }

    @Test
    void histogramSharesAddUpToOnePerGroup() {
        double[] h = HtmlReport.shares(new double[] {-0.0, 1e-9, 0.01, 0.5, 5, 1e6}, -3, 1, 8);
        assertEquals(1.0, java.util.Arrays.stream(h).sum(), 1e-12);
        assertEquals(2.0 / 6, h[0], 1e-12, "zero and sub-floor losses land in the first bin");
        assertEquals(2.0 / 6, h[7], 1e-12, "5 and an over-range loss land in the last bin");
    }

    @Test
    void demoShapeReportsTheDefendedModelAsFinalAndKeepsTheBaseline(@TempDir Path tmp) throws IOException {
        String html = Files.readString(HtmlReport.write(SyntheticRuns.demo(tmp.resolve("demo"))));
        assertEquals(0.924, dataValue(html, "final-ca"));
        assertEquals(0.0, dataValue(html, "final-asr"));
        assertEquals(0.9922222222222222, dataValue(html, "asr-no-defense"));
        assertEquals(0.895, dataValue(html, "ca-no-defense"));
        assertTrue(html.contains("reference point"), "synthetic data is not the paper's setting; the page says so");
        assertEquals(3, count(html, "<svg "), "no isolation_losses.csv, so no histogram");
        assertTrue(html.contains("id=\"rejected-sets\">Isolated sets rejected and replaced by another epoch's: unlearning erased label 5:"
                + " &lt;of its examples&gt; 100.0% then 0.0%.</p>"), "the rejected set is named, escaped");
        assertFalse(html.contains("id=\"label-erased\""), "the set finally unlearned erased nothing");
    }

    @Test
    void quickUnlearningReportsTheUnlearnedModelAsFinalBesideTheGivenOne(@TempDir Path tmp) throws IOException {
        String html = Files.readString(HtmlReport.write(SyntheticRuns.quickUnlearning(tmp.resolve("quick"))));
        assertEquals(0.8, dataValue(html, "final-ca"));
        assertEquals(0.004, dataValue(html, "final-asr"));
        assertEquals(1.0, dataValue(html, "asr-no-defense"));
        assertEquals(0.83, dataValue(html, "ca-no-defense"));
    }

    @Test
    void cleanRunWithoutMetricsHasNoChartsAndNoPaperColumn(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("clean"));
        Files.writeString(run.resolve("result.json"), "{\"ca\": 0.858, \"clean_loss\": 0.43}");
        String html = Files.readString(HtmlReport.write(run));
        assertEquals(0.858, dataValue(html, "final-ca"));
        assertTrue(html.contains("id=\"final-asr\" class=\"num missing\""));
        assertFalse(html.contains("<svg"));
        assertFalse(html.contains("paper-ca"));
        assertTrue(html.contains("no attack"));
    }

    @Test
    void missingResultJsonIsOneLineNamingTheFile(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("unfinished"));
        Files.writeString(run.resolve("metrics.jsonl"), SyntheticRuns.epoch("train", 1, 1, 0.5, 0.5, 1, 1));
        BadInputException e = assertThrows(BadInputException.class, () -> HtmlReport.write(run));
        assertTrue(e.getMessage().startsWith(run.resolve("result.json") + ": no such file"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(run.resolve("report.html")));
    }

    @Test
    void badFilesAreNamedWithTheFieldOrLine(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.abl(tmp.resolve("r"));
        Files.writeString(run.resolve("metrics.jsonl"), SyntheticRuns.epoch("train", 1, 1, 0.5, 0.5, 1, 1) + "{\"stage\": \"train\"}\n");
        assertMessage(run.resolve("metrics.jsonl") + ":2: field 'epoch' is missing or not a whole number", () -> HtmlReport.write(run));

        Files.writeString(run.resolve("metrics.jsonl"), "not json\n");
        assertMessage(run.resolve("metrics.jsonl") + ":1: not a JSON object", () -> HtmlReport.write(run));

        Files.writeString(run.resolve("metrics.jsonl"), "");
        Files.writeString(run.resolve("result.json"), "{\"ca\": \"high\"}");
        assertMessage(run.resolve("result.json") + ": field 'ca' is not a number", () -> HtmlReport.write(run));

        Files.writeString(run.resolve("result.json"), "{\"no_defense\": {\"ca\": 0.9}, \"abl\": {\"ca\": null}}");
        assertMessage(run.resolve("result.json") + ": field 'abl.ca' is missing", () -> HtmlReport.write(run));

        Files.writeString(run.resolve("result.json"), "{\"ca\": 0.9");
        assertMessage(run.resolve("result.json") + ": not readable JSON", () -> HtmlReport.write(run));

        Files.writeString(run.resolve("result.json"), "{\"ca\": 0.9}");
        Files.writeString(run.resolve("isolation_losses.csv"), "index,poisoned,label,loss\n0,2,1,0.5\n");
        assertMessage(run.resolve("isolation_losses.csv") + ":2: field 'poisoned' is '2', not 0 or 1", () -> HtmlReport.write(run));
    }

    @Test
    void triggerSectionShowsThePreviewAndWhereEachModelSendsTriggeredImages(@TempDir Path tmp) throws IOException {
        Path run = SyntheticRuns.abl(tmp.resolve("r"));
        assertFalse(Files.readString(HtmlReport.write(run)).contains("<h2>Trigger</h2>"), "nothing to show, no section");

        // a 2x1 PNG, and a 10-class matrix: class 0 is the target and has no triggered images; class 1
        // keeps 7 of 10 and sends 3 to the target, every other class sends all 10 to class 2
        byte[] png = java.util.Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==");
        Files.write(run.resolve(HtmlReport.TRIGGER_PREVIEW), png);
        StringBuilder rows = new StringBuilder("[[0,0,0,0,0,0,0,0,0,0],[3,7,0,0,0,0,0,0,0,0]");
        for (int y = 2; y < 10; y++) rows.append(",[0,0,10,0,0,0,0,0,0,0]");
        rows.append(']');
        Path result = run.resolve("result.json");
        Files.writeString(result, Files.readString(result).replace("\"asr\": 0.0211", "\"asr\": 0.0211, \"triggered_confusion\": " + rows));
        String html = Files.readString(HtmlReport.write(run));

        assertTrue(html.contains("<h2>Trigger</h2>"));
        assertTrue(html.contains("id=\"trigger-preview\"") && html.contains("src=\"data:image/png;base64,"
                + java.util.Base64.getEncoder().encodeToString(png) + "\""), "the PNG is inlined, not linked");
        String table = html.substring(html.indexOf("<table class=\"confusion\" id=\"confusion-abl\">"));
        table = table.substring(0, table.indexOf("</table>"));
        assertEquals(9, count(table, "<td class=\"num\">"), "a row (and its total) per class with triggered images, the empty target row left out");
        assertTrue(table.contains("<td class=\"num\">10</td></tr>"));
        assertTrue(table.contains("<th class=\"target\">0 airplane</th>"), "CIFAR-10 names, the target column marked");
        assertTrue(table.contains("<tr><th>1 automobile</th><td class=\"num\" data-count=\"3\" style=\"background: rgba(31, 119, 180, 0.26)\">3</td>"
                + "<td class=\"num\" data-count=\"7\" style=\"background: rgba(31, 119, 180, 0.60); color: #fff\">7</td>"
                + "<td class=\"num\" data-count=\"0\">0</td>"), table);
        assertEquals(8, count(table, "data-count=\"10\""));
        assertEquals(90, count(table, "data-count="), "9 rows of 10 classes");

        Files.writeString(result, Files.readString(result).replace(rows.toString(), "[[1,2],[3]]"));
        assertMessage(result + ": field 'triggered_confusion' is not a square matrix of counts", () -> HtmlReport.write(run));
        Files.writeString(result, Files.readString(result).replace("[[1,2],[3]]", "[[0]]"));
        Files.writeString(run.resolve(HtmlReport.TRIGGER_PREVIEW), "GIF89a");
        assertMessage(run.resolve(HtmlReport.TRIGGER_PREVIEW) + ": not a PNG file", () -> HtmlReport.write(run));
    }

    @Test
    void nonFiniteNumbersAsJacksonWritesThemAreAccepted(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("diverged"));
        Files.writeString(run.resolve("result.json"), "{\"ca\": 0.1, \"clean_loss\": \"NaN\"}");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"stage\":\"train\",\"epoch\":1,\"train_loss\":\"NaN\",\"ca\":0.1,\"clean_loss\":\"Infinity\"}\n");
        assertTrue(Files.readString(HtmlReport.write(run)).contains("<svg id=\"chart-loss\""));
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
        BadInputException e = assertThrows(BadInputException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), () -> "expected '" + prefix + "...' but got: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    static double dataValue(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*data-value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "no element with id " + id + " and a data-value");
        return Double.parseDouble(m.group(1));
    }

    static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }
}
