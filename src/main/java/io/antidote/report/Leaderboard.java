package io.antidote.report;

import io.antidote.BadInputException;
import io.antidote.report.RunData.Outcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Tables of many runs in the shape of the ABL README leaderboard (defense, attack, model, ASR, CA),
 * plus each defense's DER against the undefended model of the same poisoned data, as Markdown, CSV
 * and a self-contained HTML page.
 */
public final class Leaderboard {
    /**
     * One model's final scores; der is NaN when the undefended scores are unknown or the row is itself
     * undefended. caNonTarget leaves out the target class's test images, as the ABL and NAD reference
     * code counts CA, so it is the number to hold against their papers.
     */
    public record Row(int index, String defense, String attack, String model, String data, double asr, double ca, double caNonTarget,
                      double der, Path run) {}

    private Leaderboard() {}

    /**
     * Defense effectiveness rating: (max(0, ΔASR) − max(0, ΔCA) + 1) / 2 with Δ = undefended − defended,
     * rates as fractions. 1 removes the backdoor at no cost in clean accuracy; 0.5 changes nothing.
     */
    public static double der(double undefendedAsr, double undefendedCa, double asr, double ca) {
        return (Math.max(0, undefendedAsr - asr) - Math.max(0, undefendedCa - ca) + 1) / 2;
    }

    /** Writes PREFIX.md, PREFIX.csv and PREFIX.html and returns the rows they hold. */
    public static List<Row> write(List<Path> runDirs, Path outPrefix) {
        List<Row> rows = rows(runDirs);
        Path parent = outPrefix.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
            RunDirectory.writeAtomically(sibling(outPrefix, ".md"), markdown(rows).getBytes(StandardCharsets.UTF_8));
            RunDirectory.writeAtomically(sibling(outPrefix, ".csv"), csv(rows).getBytes(StandardCharsets.UTF_8));
            RunDirectory.writeAtomically(sibling(outPrefix, ".html"), html(rows).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(outPrefix + ": cannot write the leaderboard there (" + e.getMessage() + ")");
        }
        return rows;
    }

    static Path sibling(Path prefix, String ext) {
        return prefix.resolveSibling(prefix.getFileName() + ext);
    }

    /**
     * Run directories among the given paths: a path holding result.json is a run; any other directory
     * stands for its sub-directories that hold one (unfinished runs there are left out).
     */
    public static List<Path> findRuns(List<Path> paths) {
        List<Path> runs = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isRegularFile(p.resolve("result.json"))) {
                runs.add(p);
                continue;
            }
            if (!Files.isDirectory(p)) throw new BadInputException(p + ": no such directory");
            try (Stream<Path> children = Files.list(p)) {
                List<Path> found = children.filter(c -> Files.isRegularFile(c.resolve("result.json"))).sorted().toList();
                if (found.isEmpty()) throw new BadInputException(p + ": no result.json in it or in its sub-directories");
                runs.addAll(found);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return runs;
    }

    /** Poisoned data is the same when the attack spec, training set and model agree; then the undefended run is a baseline. */
    private record Setting(String attackSpec, Object trainData, String model) {
        static Setting of(RunData r) {
            return new Setting(r.attackSpec(), r.provenance().get("train_data"), r.model());
        }
    }

    static List<Row> rows(List<Path> runDirs) {
        List<RunData> runs = runDirs.stream().map(RunData::load).toList();
        // Baselines from separate undefended runs, for defended runs that did not train one themselves.
        Map<Setting, Outcome> baselines = new LinkedHashMap<>();
        for (RunData r : runs) {
            Outcome u = r.undefended();
            if (u != null && r.attackSpec() != null) baselines.putIfAbsent(Setting.of(r), u);
        }
        List<Row> rows = new ArrayList<>();
        for (RunData r : runs) {
            Outcome own = r.undefended();
            Outcome base = own != null ? own : baselines.get(Setting.of(r));
            for (Outcome o : r.outcomes()) {
                boolean measurable = !o.undefended() && base != null && !Double.isNaN(base.asr()) && !Double.isNaN(o.asr());
                double der = measurable ? der(base.asr(), base.ca(), o.asr(), o.ca()) : Double.NaN;
                rows.add(new Row(rows.size() + 1, o.defense(), Objects.requireNonNullElse(r.attackName(), "none"), r.model(), r.data(),
                        o.asr(), o.ca(), o.caNonTarget(), der, r.dir()));
            }
        }
        return rows;
    }

    private static final String[] HEADER = {"#", "Defense", "Attack", "Model", "Data", "ASR (%)", "CA (%)", "CA w/o target (%)", "DER", "Run"};

    private static String[] cells(Row r) {
        return new String[] {String.valueOf(r.index()), r.defense(), r.attack(), Objects.requireNonNullElse(r.model(), ""),
                Objects.requireNonNullElse(r.data(), ""), pct(r.asr()), pct(r.ca()), pct(r.caNonTarget()), Double.isNaN(r.der()) ? "" : String.format(Locale.ROOT, "%.4f", r.der()),
                r.run().toString()};
    }

    static String markdown(List<Row> rows) {
        StringBuilder b = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
        for (String h : HEADER) b.append(h.contains("(%)") || h.equals("DER") || h.equals("#") ? " ---: |" : " --- |");
        b.append('\n');
        for (Row r : rows) {
            String[] c = cells(r);
            // a pipe inside a cell would split the Markdown row
            for (int i = 0; i < c.length; i++) c[i] = c[i].replace("|", "\\|");
            b.append("| ").append(String.join(" | ", c)).append(" |\n");
        }
        return b.toString();
    }

    /** Rates as unrounded fractions, for programs; blank cells where a value is unknown. */
    static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder("index,defense,attack,model,data,asr,ca,ca_non_target,der,run\n");
        for (Row r : rows) {
            b.append(r.index()).append(',').append(csvField(r.defense())).append(',').append(csvField(r.attack())).append(',')
                    .append(csvField(r.model())).append(',').append(csvField(r.data())).append(',').append(raw(r.asr())).append(',')
                    .append(raw(r.ca())).append(',').append(raw(r.caNonTarget())).append(',').append(raw(r.der())).append(',').append(csvField(r.run().toString())).append('\n');
        }
        return b.toString();
    }

    static String html(List<Row> rows) {
        StringBuilder b = new StringBuilder("<h1>Antidote leaderboard</h1>\n");
        b.append("<p class=\"sub\">Final ASR and CA per model; DER = (max(0, &Delta;ASR) &minus; max(0, &Delta;CA) + 1) / 2 against the ")
                .append("undefended model of the same poisoned data, blank when that is unknown. CA w/o target leaves out the ")
                .append("target class's test images, as the ABL and NAD reference code counts CA.</p>\n");
        b.append("<table id=\"leaderboard\">\n<tr>");
        for (String h : HEADER) b.append("<th>").append(Html.escape(h)).append("</th>");
        b.append("</tr>\n");
        for (Row r : rows) {
            String[] c = cells(r);
            b.append("<tr data-index=\"").append(r.index()).append("\">");
            for (int i = 0; i < 5; i++) b.append("<td>").append(Html.escape(c[i])).append("</td>");
            b.append(Html.valueCell("asr-" + r.index(), r.asr(), c[5])).append(Html.valueCell("ca-" + r.index(), r.ca(), c[6]))
                    .append(Html.valueCell("ca-non-target-" + r.index(), r.caNonTarget(), c[7]))
                    .append(Html.valueCell("der-" + r.index(), r.der(), c[8])).append("<td>").append(Html.escape(c[9])).append("</td></tr>\n");
        }
        b.append("</table>\n");
        return Html.page("Antidote leaderboard", b.toString());
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    private static String raw(double v) {
        return Double.isNaN(v) ? "" : String.valueOf(v);
    }

    private static String csvField(String s) {
        if (s == null) return "";
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
