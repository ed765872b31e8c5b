package io.antidote.report;

import java.util.Locale;

/** Escaping, number formatting and the self-contained page shell shared by the report and the leaderboard. */
final class Html {
    private Html() {}

    static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A fraction as a percentage with two decimals, as the papers print them; blank when unknown. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /**
     * A table cell showing a value for people and carrying the exact number for programs: data-value
     * is Java's shortest round-trip form, so it equals the number in the JSON it came from.
     */
    static String valueCell(String id, double value, String shown) {
        String idAttr = id == null ? "" : " id=\"" + escape(id) + "\"";
        if (Double.isNaN(value)) return "<td" + idAttr + " class=\"num missing\">&ndash;</td>";
        return "<td" + idAttr + " class=\"num\" data-value=\"" + value + "\">" + escape(shown) + "</td>";
    }

    // Styles are inline so the page needs nothing beyond itself, offline included.
    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; padding: 0 1rem; }
            h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
            .sub { color: #555; margin-top: 0; } .note { color: #666; font-size: .9rem; }
            table { border-collapse: collapse; margin: .5rem 0; font-size: .92rem; }
            th, td { border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }
            th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; } td.missing { color: #aaa; }
            td.mono { font-family: ui-monospace, monospace; font-size: .82rem; word-break: break-all; }
            svg.chart { display: block; margin: .8rem 0; max-width: 100%; height: auto; font-size: 11px; }
            svg .chart-title { font-size: 13px; font-weight: 600; } svg .tick { fill: #555; } svg .axis-label { fill: #333; }
            svg .marker-label { fill: #555; font-size: 10px; }
            table.confusion caption { caption-side: top; text-align: left; color: #444; padding: .3rem 0; }
            table.confusion th.target { background: #fbd5cf; } img { display: block; }
            """;

    static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + escape(title) + "</title>\n<style>\n" + CSS
                + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }
}
