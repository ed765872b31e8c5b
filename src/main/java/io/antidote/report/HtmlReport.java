package io.antidote.report;

import io.antidote.report.RunData.Epoch;
import io.antidote.report.RunData.Outcome;
import io.antidote.report.RunData.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Writes a run directory's report.html: one self-contained page (inline styles and SVG, no scripts,
 * nothing fetched) with provenance, final CA/ASR beside the paper's and per-epoch charts.
 */
public final class HtmlReport {
    static final String FILE = "report.html";
    /** The PNG a run writes for its report: triggered test images beside their clean originals and the difference. */
    public static final String TRIGGER_PREVIEW = "trigger_preview.png";
    private static final int W = 860, H = 320;

    private HtmlReport() {}

    /** Reads the run's files and writes report.html into the same directory; returns its path. */
    public static Path write(Path runDir) {
        String html = render(RunData.load(runDir));
        Path out = runDir.resolve(FILE);
        try {
            RunDirectory.writeAtomically(out, html.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static String render(RunData run) {
        Path abs = run.dir().toAbsolutePath().normalize();
        String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Antidote run: ").append(Html.escape(name)).append("</h1>\n");
        b.append("<p class=\"sub\">").append(Html.escape(subtitle(run))).append("</p>\n");
        finalResults(b, run);
        trigger(b, run);
        stageTable(b, run);
        charts(b, run);
        curve(b, run);
        isolation(b, run);
        asdPools(b, run);
        provenance(b, run);
        List<String> read = new ArrayList<>(List.of("result.json"));
        if (!run.config().isEmpty()) read.add("config.json");
        if (!run.stages().isEmpty() || !run.isolation().isEmpty() || !run.curve().isEmpty() || !run.pools().isEmpty()) read.add("metrics.jsonl");
        if (run.losses() != null) read.add("isolation_losses.csv");
        if (run.triggerPreview() != null) read.add(TRIGGER_PREVIEW);
        b.append("<p class=\"note\">Written by antidote from ").append(String.join(", ", read)).append(" in ")
                .append(Html.escape(run.dir().toString())).append(".</p>\n");
        return Html.page("Antidote run " + name, b.toString());
    }

    private static String subtitle(RunData run) {
        List<String> parts = new ArrayList<>();
        if (run.command() != null) parts.add(run.command());
        parts.add(run.attackSpec() == null ? "no attack" : "attack " + run.attackSpec());
        if (run.model() != null) parts.add("model " + run.model());
        if (run.data() != null) parts.add("data " + run.data());
        return String.join(" \u00b7 ", parts);
    }

    private static void finalResults(StringBuilder b, RunData run) {
        Outcome last = run.last();
        Optional<PaperNumbers.Row> paper = PaperNumbers.find(last.defense(), run.attackName());
        b.append("<h2>Final results</h2>\n<table id=\"final\" data-defense=\"").append(Html.escape(last.defense())).append("\">\n");
        b.append("<tr><th></th><th>This run (").append(Html.escape(last.defense())).append(")</th>");
        paper.ifPresent(p -> b.append("<th>Paper (").append(Html.escape(p.source())).append(")</th>"));
        b.append("</tr>\n");
        // The papers' CA comes from reference code that leaves the target class's test images out, so it
        // sits beside our CA counted the same way when we have it.
        boolean nonTarget = paper.isPresent() && !Double.isNaN(last.caNonTarget());
        b.append("<tr><th>Clean accuracy (CA)</th>").append(Html.valueCell("final-ca", last.ca(), Html.percent(last.ca())));
        if (nonTarget) {
            b.append("<td></td></tr>\n<tr><th>CA without the target class (the papers' count)</th>")
                    .append(Html.valueCell("final-ca-non-target", last.caNonTarget(), Html.percent(last.caNonTarget())));
        }
        paper.ifPresent(p -> b.append(Html.valueCell("paper-ca", p.ca(), Html.percent(p.ca()))));
        b.append("</tr>\n<tr><th>Attack success rate (ASR)</th>").append(Html.valueCell("final-asr", last.asr(), Html.percent(last.asr())));
        paper.ifPresent(p -> b.append(Html.valueCell("paper-asr", p.asr(), Html.percent(p.asr()))));
        if (!Double.isNaN(last.caTargetClass())) {
            b.append("</tr>\n<tr><th>CA on the target class's clean images</th>")
                    .append(Html.valueCell("final-ca-target-class", last.caTargetClass(), Html.percent(last.caTargetClass())));
        }
        b.append("</tr>\n</table>\n");
        // a model that never predicts the target class has no ASR to show, whatever the trigger does
        if (last.caTargetClass() < last.ca() / 2) {
            b.append("<p class=\"note\" id=\"target-class-warning\">The target class's clean images are recognised far less often than the others (")
                    .append(Html.percent(last.caTargetClass())).append(" against ").append(Html.percent(last.ca()))
                    .append(" overall): part of the low ASR may come from giving the class up rather than from removing the trigger.</p>\n");
        }
        paper.ifPresent(p -> {
            b.append("<p class=\"note\">Paper setting: ").append(Html.escape(p.attack() + " on " + p.data() + ", " + p.model())).append('.');
            if (!sameName(p.model(), run.model()) || !sameName(p.data(), run.data())) {
                b.append(" This run: data ").append(Html.escape(orUnknown(run.data()))).append(", model ").append(Html.escape(orUnknown(run.model())))
                        .append("; so the paper's numbers are a reference point, not a reproduction target.");
            }
            b.append("</p>\n");
        });

        if (run.outcomes().size() > 1 || !Double.isNaN(last.isolationPrecision()) || !Double.isNaN(last.caNonTarget())) {
            b.append("<table id=\"outcomes\">\n<tr><th>Model</th><th>CA</th><th>ASR</th><th>CA without target class</th><th>Clean loss</th>")
                    .append("<th>Poison loss</th><th>Isolation precision</th><th>Isolation recall</th></tr>\n");
            for (Outcome o : run.outcomes()) {
                String k = o.key();
                b.append("<tr data-defense=\"").append(Html.escape(o.defense())).append("\"><th>").append(Html.escape(o.defense())).append("</th>")
                        .append(Html.valueCell("ca-" + k, o.ca(), Html.percent(o.ca())))
                        .append(Html.valueCell("asr-" + k, o.asr(), Html.percent(o.asr())))
                        .append(Html.valueCell("ca-non-target-" + k, o.caNonTarget(), Html.percent(o.caNonTarget())))
                        .append(Html.valueCell("clean-loss-" + k, o.cleanLoss(), decimal(o.cleanLoss())))
                        .append(Html.valueCell("poison-loss-" + k, o.poisonLoss(), decimal(o.poisonLoss())))
                        .append(Html.valueCell("isolation-precision-" + k, o.isolationPrecision(), Html.percent(o.isolationPrecision())))
                        .append(Html.valueCell("isolation-recall-" + k, o.isolationRecall(), Html.percent(o.isolationRecall())))
                        .append("</tr>\n");
            }
            b.append("</table>\n");
        }
        if (run.result().get("stop_reason") instanceof String why) {
            b.append("<p class=\"note\" id=\"stop-reason\">Unlearning stopped early: ").append(Html.escape(why)).append("</p>\n");
        }
        // defend abl writes these at the top, the demo under "abl"
        Map<?, ?> abl = run.result().get("abl") instanceof Map<?, ?> m ? m : run.result();
        if (abl.get("rejected_sets") instanceof List<?> rejected && !rejected.isEmpty()) {
            b.append("<p class=\"note\" id=\"rejected-sets\">Isolated sets rejected and replaced by another epoch's: ");
            b.append(String.join("; ", rejected.stream().map(o -> Html.escape(String.valueOf(o))).toList())).append(".</p>\n");
        }
        if (abl.get("label_erased") instanceof String erased) {
            b.append("<p class=\"note\" id=\"label-erased\">").append(Html.escape(erased)).append(".</p>\n");
        }
    }

    /**
     * What the trigger does to test images, and where each model sends the triggered ones: the
     * column of the target class is the ASR, the diagonal the images still recognised.
     */
    private static void trigger(StringBuilder b, RunData run) {
        List<Outcome> withMatrix = run.outcomes().stream().filter(o -> o.triggeredConfusion() != null).toList();
        if (run.triggerPreview() == null && withMatrix.isEmpty()) return;
        b.append("<h2>Trigger</h2>\n");
        if (run.triggerPreview() != null) {
            b.append("<p><img id=\"trigger-preview\" alt=\"test and training images: clean, poisoned, difference\" style=\"image-rendering: pixelated; max-width: 100%\" src=\"data:image/png;base64,")
                    .append(java.util.Base64.getEncoder().encodeToString(run.triggerPreview())).append("\"></p>\n")
                    .append("<p class=\"note\">Images in threes: clean, poisoned, and their absolute difference stretched so that ")
                    .append("its largest value is white. The first row is test images with the trigger as the ASR is measured; ")
                    .append("the second, when present, poisoned training images, which for clean-label attacks carry more than the trigger.</p>\n");
        }
        int target = run.target();
        List<String> names = classNames(run);
        for (Outcome o : withMatrix) {
            int[][] m = o.triggeredConfusion();
            b.append("<table class=\"confusion\" id=\"confusion-").append(Html.escape(o.key())).append("\">\n<caption>")
                    .append(Html.escape(o.defense())).append(": triggered test images by true class (rows) and prediction (columns)</caption>\n<tr><th></th>");
            for (int k = 0; k < m.length; k++) {
                b.append("<th").append(k == target ? " class=\"target\"" : "").append(">").append(Html.escape(name(names, k))).append("</th>");
            }
            b.append("<th>images</th></tr>\n");
            for (int y = 0; y < m.length; y++) {
                int total = Arrays.stream(m[y]).sum();
                if (total == 0) continue;
                b.append("<tr><th>").append(Html.escape(name(names, y))).append("</th>");
                for (int k = 0; k < m.length; k++) {
                    // shade by the row's share, so every class reads on the same scale whatever its size
                    double share = (double) m[y][k] / total;
                    b.append("<td class=\"num\" data-count=\"").append(m[y][k]).append('"');
                    if (m[y][k] > 0) {
                        b.append(" style=\"background: rgba(31, 119, 180, ").append(String.format(Locale.ROOT, "%.2f", 0.85 * share)).append(")")
                                .append(share > 0.55 ? "; color: #fff" : "").append('"');
                    }
                    b.append('>').append(m[y][k]).append("</td>");
                }
                b.append("<td class=\"num\">").append(total).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
    }

    private static String name(List<String> names, int k) {
        return k < names.size() ? k + " " + names.get(k) : Integer.toString(k);
    }

    private static List<String> classNames(RunData run) {
        String data = run.data();
        if (data != null && data.matches("cifar10(\\b.*|)")) return io.antidote.data.CifarReader.CIFAR10_CLASSES;
        return List.of();
    }

    private static void stageTable(StringBuilder b, RunData run) {
        if (run.stages().isEmpty()) {
            b.append("<p class=\"note\">No metrics.jsonl in the run directory, so there are no per-epoch charts.</p>\n");
            return;
        }
        b.append("<h2>Training stages</h2>\n<table id=\"stages\">\n<tr><th>Stage</th><th>Epochs</th><th>CA at the end</th><th>ASR at the end</th>")
                .append("<th>Seconds</th></tr>\n");
        for (Stage s : run.stages()) {
            Epoch e = s.epochs().get(s.epochs().size() - 1);
            double secs = s.epochs().stream().mapToDouble(Epoch::seconds).filter(Double::isFinite).sum();
            b.append("<tr data-stage=\"").append(Html.escape(s.name())).append("\"><th>").append(Html.escape(s.name())).append("</th>")
                    .append(Html.valueCell(null, s.epochs().size(), String.valueOf(s.epochs().size())))
                    .append(Html.valueCell("stage-" + s.name() + "-ca", e.ca(), Html.percent(e.ca())))
                    .append(Html.valueCell("stage-" + s.name() + "-asr", e.asr(), Html.percent(e.asr())))
                    .append(Html.valueCell(null, secs, String.format(Locale.ROOT, "%.0f", secs))).append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void charts(StringBuilder b, RunData run) {
        if (run.stages().isEmpty()) return;
        List<Epoch> all = run.stages().stream().flatMap(s -> s.epochs().stream()).toList();
        double[] x = globalEpochs(run.stages());
        String xLabel = run.stages().size() > 1 ? "epoch (all stages in order)" : "epoch";

        SvgChart acc = new SvgChart(W, H).title("Clean accuracy and attack success rate per epoch").xLabel(xLabel).yLabel("rate")
                .yRange(0, 1).yFormat(v -> String.format(Locale.ROOT, "%.0f%%", 100 * v)).xIntegers();
        acc.line("CA", x, column(all, Epoch::ca));
        double[] asr = column(all, Epoch::asr);
        if (anyFinite(asr)) acc.line("ASR", x, asr);
        stageMarkers(acc, run.stages());
        b.append("<h2>Accuracy per epoch</h2>\n").append(acc.render("chart-accuracy"));

        double[] train = column(all, Epoch::trainLoss), clean = column(all, Epoch::cleanLoss), poison = column(all, Epoch::poisonLoss);
        SvgChart loss = new SvgChart(W, H).title("Loss per epoch").xLabel(xLabel).yLabel("cross-entropy").xIntegers();
        loss.line("training loss", x, train, true).line("clean test loss", x, clean);
        if (anyFinite(poison)) loss.line("poisoned test loss", x, poison);
        // unlearning drives the poisoned loss orders of magnitude above the clean one
        if (spread(train, clean, poison) > 100) loss.yLog().yLabel("cross-entropy (log scale)");
        stageMarkers(loss, run.stages());
        b.append("<h2>Loss per epoch</h2>\n").append(loss.render("chart-loss"));
    }

    /** Epoch numbers continued across stages, so stage k's epoch 1 follows the last epoch of stage k-1. */
    static double[] globalEpochs(List<Stage> stages) {
        List<Double> xs = new ArrayList<>();
        for (Stage s : stages) for (Epoch e : s.epochs()) xs.add((double) (s.offset() + e.epoch()));
        return xs.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void stageMarkers(SvgChart c, List<Stage> stages) {
        if (stages.size() < 2) return;
        for (Stage s : stages) c.marker(s.offset() + 0.5, s.name());
    }

    /** MCR's scored curve: CA, ASR and held-out clean accuracy against t, the chosen t marked. */
    private static void curve(StringBuilder b, RunData run) {
        if (run.curve().isEmpty()) return;
        List<RunData.CurvePoint> pts = run.curve();
        double[] t = pts.stream().mapToDouble(RunData.CurvePoint::t).toArray();
        SvgChart c = new SvgChart(W, H).title("Along the curve from the backdoored model (t = 0) to the fine-tuned one (t = 1)").xLabel("t")
                .yLabel("rate").xRange(0, 1).yRange(0, 1).yFormat(v -> String.format(Locale.ROOT, "%.0f%%", 100 * v));
        c.line("CA", t, pts.stream().mapToDouble(RunData.CurvePoint::ca).toArray());
        double[] asr = pts.stream().mapToDouble(RunData.CurvePoint::asr).toArray();
        if (anyFinite(asr)) c.line("ASR", t, asr);
        c.line("held-out clean accuracy (chooses t)", t, pts.stream().mapToDouble(RunData.CurvePoint::heldOutAccuracy).toArray(), true);
        if (run.result().get("t") instanceof Number chosen) c.marker(chosen.doubleValue(), String.format(Locale.ROOT, "chosen t = %.2f", chosen.doubleValue()));
        b.append("<h2>Mode connectivity curve</h2>\n").append(c.render("chart-mcr-curve"));
        b.append("<p class=\"note\">Each point with batch-norm statistics recomputed on the clean budget's training part; ")
                .append("t is chosen from the held-out clean accuracy only.</p>\n");
    }

    private static void isolation(StringBuilder b, RunData run) {
        if (run.isolation().isEmpty() && run.losses() == null) return;
        b.append("<h2>ABL isolation</h2>\n");
        if (!run.isolation().isEmpty()) {
            double[] x = run.isolation().stream().mapToDouble(RunData.IsolationQuality::epoch).toArray();
            SvgChart q = new SvgChart(W, H).title("Isolated set against the ground truth after each isolation epoch").xLabel("isolation epoch")
                    .yLabel("rate").yRange(0, 1).yFormat(v -> String.format(Locale.ROOT, "%.0f%%", 100 * v)).xIntegers()
                    .line("precision", x, run.isolation().stream().mapToDouble(RunData.IsolationQuality::precision).toArray())
                    .line("recall", x, run.isolation().stream().mapToDouble(RunData.IsolationQuality::recall).toArray());
            b.append(q.render("chart-isolation-quality"));
        }
        if (run.losses() != null) {
            b.append(histogram(run.losses()));
            b.append("<p class=\"note\">Losses under the isolation model after its last epoch (isolation_losses.csv); ")
                    .append("each group's bars add up to 100%, so a small poisoned share stays visible; ")
                    .append("the leftmost bar also holds losses of exactly 0.</p>\n");
        }
    }

    /** ASD's pools per epoch: their sizes, the poison that got into the clean pool, and a row per split stage. */
    private static void asdPools(StringBuilder b, RunData run) {
        List<RunData.Pools> pools = run.pools();
        if (pools.isEmpty()) return;
        double[] x = pools.stream().mapToDouble(RunData.Pools::epoch).toArray();
        SvgChart sizes = new SvgChart(W, H).title("Pools each epoch trained on").xLabel("epoch").yLabel("samples").xIntegers()
                .line("clean pool (labelled)", x, pools.stream().mapToDouble(RunData.Pools::labelled).toArray())
                .line("polluted pool (unlabelled)", x, pools.stream().mapToDouble(RunData.Pools::unlabelled).toArray(), true);
        SvgChart poison = new SvgChart(W, H).title("Poisoned samples in the clean pool").xLabel("epoch").yLabel("share of the clean pool")
                .xIntegers().yFormat(v -> String.format(Locale.ROOT, "%.1f%%", 100 * v))
                .line("poisoned share", x, pools.stream().mapToDouble(RunData.Pools::poisonedFraction).toArray());
        // index of each split stage's first epoch, then the end of the list
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 1; i < pools.size(); i++) if (pools.get(i).splitStage() != pools.get(i - 1).splitStage()) starts.add(i);
        starts.add(pools.size());
        for (int k = 1; k < starts.size() - 1; k++) {
            RunData.Pools first = pools.get(starts.get(k));
            String label = "split stage " + first.splitStage();
            sizes.marker(first.epoch() - 0.5, label);
            poison.marker(first.epoch() - 0.5, label);
        }
        b.append("<h2>ASD pools</h2>\n").append(sizes.render("chart-asd-pools")).append(poison.render("chart-asd-poison"));
        b.append("<table id=\"asd-pools\">\n<tr><th>Split stage</th><th>Epochs</th><th>Clean pool at the end</th>")
                .append("<th>Poisoned in it at the end</th><th>Largest poisoned share</th></tr>\n");
        for (int k = 0; k < starts.size() - 1; k++) {
            int from = starts.get(k), to = starts.get(k + 1);
            RunData.Pools first = pools.get(from), last = pools.get(to - 1);
            double worst = pools.subList(from, to).stream().mapToDouble(RunData.Pools::poisonedFraction).max().orElse(0);
            String id = "asd-stage-" + first.splitStage() + "-";
            b.append("<tr><th>").append(first.splitStage()).append("</th><td>").append(first.epoch())
                    .append(first.epoch() == last.epoch() ? "" : "\u2013" + last.epoch()).append("</td>")
                    .append(Html.valueCell(id + "labelled", last.labelled(), String.valueOf(last.labelled())))
                    .append(Html.valueCell(id + "poisoned", last.poisonedInLabelled(),
                            last.poisonedInLabelled() + " (" + Html.percent(last.poisonedFraction()) + ")"))
                    .append(Html.valueCell(id + "worst", worst, Html.percent(worst))).append("</tr>\n");
        }
        b.append("</table>\n");
    }

    /**
     * Poisoned losses sit decades below clean ones, so the bins are spaced in log10(loss); losses at or
     * below the floor (including exact zeros) land in the first bin.
     */
    static String histogram(RunData.IsolationLosses l) {
        double floor = Double.POSITIVE_INFINITY, max = 0;
        for (double[] group : List.of(l.clean(), l.poisoned())) {
            for (double v : group) {
                if (v > 0) floor = Math.min(floor, v);
                max = Math.max(max, v);
            }
        }
        double lo = Math.floor(Math.log10(Math.max(1e-8, Math.min(floor, 1)))), hi = Math.ceil(Math.log10(Math.max(max, 10 * Math.pow(10, lo))));
        int bins = (int) Math.min(60, Math.max(10, 8 * (hi - lo)));
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = lo + (hi - lo) * i / bins;
        SvgChart c = new SvgChart(W, H).title("Per-example training loss, clean vs poisoned").xLabel("loss (log scale)")
                .yLabel("share of the group").xRange(lo, hi).xIntegers().xFormat(v -> "1e" + Math.round(v))
                .yFormat(v -> String.format(Locale.ROOT, "%.0f%%", 100 * v));
        c.bars("clean (" + l.clean().length + ")", edges, shares(l.clean(), lo, hi, bins));
        c.bars("poisoned (" + l.poisoned().length + ")", edges, shares(l.poisoned(), lo, hi, bins));
        return c.render("chart-isolation-losses");
    }

    static double[] shares(double[] losses, double lo, double hi, int bins) {
        double[] h = new double[bins];
        for (double v : losses) {
            double p = v > 0 ? (Math.log10(v) - lo) / (hi - lo) : 0;
            h[(int) Math.max(0, Math.min(bins - 1, Math.floor(p * bins)))]++;
        }
        if (losses.length > 0) for (int i = 0; i < bins; i++) h[i] /= losses.length;
        return h;
    }

    private static void provenance(StringBuilder b, RunData run) {
        b.append("<h2>Provenance</h2>\n<table id=\"provenance\">\n");
        for (Map.Entry<?, ?> e : run.provenance().entrySet()) row(b, String.valueOf(e.getKey()), e.getValue());
        if (run.result().get("wall_seconds") instanceof Number n) {
            row(b, "wall_seconds", String.format(Locale.ROOT, "%.0f", n.doubleValue()));
        }
        b.append("</table>\n");
        List<Map.Entry<String, Object>> settings = run.config().entrySet().stream()
                .filter(e -> !e.getKey().equals("provenance")).toList();
        if (settings.isEmpty()) return;
        b.append("<h2>Configuration</h2>\n<table id=\"config\">\n");
        for (Map.Entry<String, Object> e : settings) {
            if (e.getValue() instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> inner : m.entrySet()) row(b, e.getKey() + "." + inner.getKey(), inner.getValue());
            } else {
                row(b, e.getKey(), e.getValue());
            }
        }
        b.append("</table>\n");
    }

    private static void row(StringBuilder b, String key, Object value) {
        String v = String.valueOf(value);
        // checksums and long fingerprints wrap anywhere instead of widening the page
        String cls = v.length() > 40 && !v.contains(" ") ? " class=\"mono\"" : "";
        b.append("<tr><th>").append(Html.escape(key)).append("</th><td data-key=\"").append(Html.escape(key)).append('"').append(cls).append('>')
                .append(Html.escape(v)).append("</td></tr>\n");
    }

    private static double[] column(List<Epoch> epochs, ToDoubleFunction<Epoch> f) {
        return epochs.stream().mapToDouble(f).toArray();
    }

    private static boolean anyFinite(double[] v) {
        return Arrays.stream(v).anyMatch(Double::isFinite);
    }

    /** Ratio of the largest to the smallest positive value over the series. */
    private static double spread(double[]... series) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double[] s : series) for (double v : s) if (v > 0 && Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        return hi > 0 ? hi / lo : 1;
    }

    private static String decimal(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String orUnknown(String s) {
        return s == null ? "not recorded" : s;
    }

    /** Names compared on letters and digits only, so "CIFAR-10" matches "cifar10" and "WRN-16-1" matches "wrn-16-1". */
    static boolean sameName(String a, String b) {
        if (a == null || b == null) return false;
        return a.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "").equals(b.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", ""));
    }
}
