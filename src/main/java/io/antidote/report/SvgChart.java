package io.antidote.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A compact builder of inline SVG line and bar charts (axes, nice ticks, legend, stage markers),
 * written here because no well-kept Java chart library could be vendored offline through Maven.
 */
public final class SvgChart {
    /** Colour-blind-safe colours (Okabe-Ito), handed to series in the order they are added. */
    static final String[] PALETTE = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

    private record Line(String name, double[] x, double[] y, String color, boolean dashed) {}

    private record Bars(String name, double[] edges, double[] heights, String color) {}

    private record Marker(double x, String label) {}

    /** A linear or base-10 logarithmic axis over a closed range, with its tick positions. */
    record Axis(double min, double max, boolean log, double[] ticks) {
        double fraction(double v) {
            if (log) return (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            return (v - min) / (max - min);
        }
    }

    private final int width, height;
    private String title = "", xLabel = "", yLabel = "";
    private Double xMin, xMax, yMin, yMax;
    private boolean yLog, xIntegers;
    private DoubleFunction<String> xFormat = SvgChart::number, yFormat = SvgChart::number;
    private final List<Line> lines = new ArrayList<>();
    private final List<Bars> bars = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    public SvgChart(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public SvgChart title(String t) { title = t; return this; }

    public SvgChart xLabel(String l) { xLabel = l; return this; }

    public SvgChart yLabel(String l) { yLabel = l; return this; }

    /** Fixes the x range instead of fitting it to the data. */
    public SvgChart xRange(double min, double max) { xMin = min; xMax = max; return this; }

    public SvgChart yRange(double min, double max) { yMin = min; yMax = max; return this; }

    /** Logarithmic y axis; values at or below zero are drawn at the bottom edge. */
    public SvgChart yLog() { yLog = true; return this; }

    /** Ticks on whole numbers only (epochs, decades of a log-transformed value). */
    public SvgChart xIntegers() { xIntegers = true; return this; }

    public SvgChart xFormat(DoubleFunction<String> f) { xFormat = f; return this; }

    public SvgChart yFormat(DoubleFunction<String> f) { yFormat = f; return this; }

    /** A polyline; NaN values leave a gap rather than joining across missing epochs. */
    public SvgChart line(String name, double[] x, double[] y) { return line(name, x, y, false); }

    public SvgChart line(String name, double[] x, double[] y, boolean dashed) {
        if (x.length != y.length) throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
        lines.add(new Line(name, x.clone(), y.clone(), nextColor(), dashed));
        return this;
    }

    /** Histogram-style bars: bar i spans edges[i]..edges[i+1]; series share edges and are drawn translucent. */
    public SvgChart bars(String name, double[] edges, double[] heights) {
        if (edges.length != heights.length + 1) throw new IllegalArgumentException(name + ": need one more edge than heights");
        bars.add(new Bars(name, edges.clone(), heights.clone(), nextColor()));
        return this;
    }

    /** A labelled vertical line, e.g. where one training stage ends and the next begins. */
    public SvgChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    private String nextColor() {
        return PALETTE[(lines.size() + bars.size()) % PALETTE.length];
    }

    // Plot area inside the SVG: room on the left for y tick labels, above for title and legend.
    private static final int LEFT = 64, RIGHT = 20, TOP = 54, BOTTOM = 48;

    /** The chart as an {@code <svg>} element with the given id, ready to be placed in an HTML page. */
    public String render(String id) {
        Axis xa = xAxis(), ya = yAxis();
        double pw = width - LEFT - RIGHT, ph = height - TOP - BOTTOM;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"").append(Html.escape(id)).append("\" class=\"chart\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" width=\"").append(width).append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"")
                .append(Html.escape(title)).append("\">\n");
        s.append("<title>").append(Html.escape(title)).append("</title>\n");
        s.append(text(LEFT, 20, title, "start", "chart-title"));

        s.append("<g class=\"grid\">\n");
        for (double t : ya.ticks()) {
            double py = TOP + ph * (1 - ya.fraction(t));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>%n", (double) LEFT, py,
                    LEFT + pw, py));
            s.append(text(LEFT - 6, py + 4, yFormat.apply(t), "end", "tick"));
        }
        for (double t : xa.ticks()) {
            double px = LEFT + pw * xa.fraction(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>%n", px, TOP + ph, px,
                    TOP + ph + 4));
            s.append(text(px, TOP + ph + 17, xFormat.apply(t), "middle", "tick"));
        }
        s.append("</g>\n");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>%n", LEFT, TOP,
                pw, ph));
        s.append(text(LEFT + pw / 2, height - 8, xLabel, "middle", "axis-label"));
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis-label\" transform=\"rotate(-90 14 %.1f)\">%s</text>%n",
                TOP + ph / 2, TOP + ph / 2, Html.escape(yLabel)));

        for (Bars b : bars) {
            s.append("<g class=\"bars\" data-series=\"").append(Html.escape(b.name())).append("\" fill=\"").append(b.color())
                    .append("\" fill-opacity=\"0.55\">\n");
            for (int i = 0; i < b.heights().length; i++) {
                if (!(b.heights()[i] > 0)) continue;
                double x0 = LEFT + pw * clamp(xa.fraction(b.edges()[i])), x1 = LEFT + pw * clamp(xa.fraction(b.edges()[i + 1]));
                double y0 = TOP + ph * (1 - clamp(yFraction(ya, b.heights()[i])));
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>%n", x0, y0, Math.max(0.5, x1 - x0),
                        TOP + ph - y0));
            }
            s.append("</g>\n");
        }
        for (Line l : lines) {
            s.append("<g class=\"line\" data-series=\"").append(Html.escape(l.name())).append("\">\n");
            List<String> segment = new ArrayList<>();
            for (int i = 0; i <= l.x().length; i++) {
                if (i < l.x().length && Double.isFinite(l.x()[i]) && Double.isFinite(l.y()[i])) {
                    double px = LEFT + pw * xa.fraction(l.x()[i]), py = TOP + ph * (1 - clamp(yFraction(ya, l.y()[i])));
                    segment.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                    continue;
                }
                if (segment.size() == 1) {
                    // a lone point has no segment to show
                    s.append(dot(segment.get(0), l.color()));
                } else if (segment.size() > 1) {
                    s.append("<polyline fill=\"none\" stroke=\"").append(l.color()).append("\" stroke-width=\"2\"")
                            .append(l.dashed() ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"").append(String.join(" ", segment))
                            .append("\"/>\n");
                    // with few points the reader should see where the measurements are
                    if (l.x().length <= DOTS_UP_TO) for (String pt : segment) s.append(dot(pt, l.color()));
                }
                segment.clear();
            }
            s.append("</g>\n");
        }
        for (Marker m : markers) {
            double px = LEFT + pw * xa.fraction(m.x());
            s.append("<g class=\"marker\">");
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" stroke-dasharray=\"3 3\"/>", px,
                    TOP, px, TOP + ph));
            // a white outline keeps the label legible where a line runs through it
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"start\" class=\"marker-label\" paint-order=\"stroke\" "
                    + "stroke=\"#fff\" stroke-width=\"3\">%s</text>", px + 3, TOP + 11, Html.escape(m.label())));
            s.append("</g>\n");
        }
        s.append(legend());
        s.append("</svg>\n");
        return s.toString();
    }

    private static final int DOTS_UP_TO = 12;

    private static String dot(String point, String color) {
        String[] xy = point.split(",");
        return "<circle cx=\"" + xy[0] + "\" cy=\"" + xy[1] + "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
    }

    private String legend() {
        StringBuilder s = new StringBuilder("<g class=\"legend\">\n");
        double x = LEFT;
        for (Line l : lines) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"36\" x2=\"%.1f\" y2=\"36\" stroke=\"%s\" stroke-width=\"2\"%s/>%n", x, x + 18,
                    l.color(), l.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            s.append(text(x + 23, 40, l.name(), "start", "legend-label"));
            x += 23 + textWidth(l.name()) + 16;
        }
        for (Bars b : bars) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"30\" width=\"14\" height=\"11\" fill=\"%s\" fill-opacity=\"0.55\"/>%n", x,
                    b.color()));
            s.append(text(x + 19, 40, b.name(), "start", "legend-label"));
            x += 19 + textWidth(b.name()) + 16;
        }
        return s.append("</g>\n").toString();
    }

    /** SVG cannot measure text before layout, so legend spacing uses an average glyph width. */
    private static double textWidth(String s) {
        return 6.6 * s.length();
    }

    private static String text(double x, double y, String content, String anchor, String cls) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">%s</text>%n", x, y, anchor, cls,
                Html.escape(content));
    }

    private static double clamp(double f) {
        return Math.max(0, Math.min(1, f));
    }

    private static double yFraction(Axis a, double v) {
        return a.log() && v <= 0 ? 0 : a.fraction(v);
    }

    Axis xAxis() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Line l : lines) for (double v : l.x()) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        for (Bars b : bars) for (double v : b.edges()) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        for (Marker m : markers) { lo = Math.min(lo, m.x()); hi = Math.max(hi, m.x()); }
        // the right end stays at the last value: widening 33 epochs to 40 would only leave a blank strip
        return linear(xMin != null ? xMin : lo, xMax != null ? xMax : hi, xMin == null, false, xIntegers);
    }

    Axis yAxis() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Line l : lines) {
            for (double v : l.y()) {
                if (!Double.isFinite(v) || (yLog && v <= 0)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (Bars b : bars) {
            for (double v : b.heights()) if (Double.isFinite(v)) hi = Math.max(hi, v);
            // bars grow from zero, so zero belongs in the range
            if (!yLog) lo = Math.min(lo, 0);
        }
        if (yLog) return logarithmic(yMin != null ? yMin : lo, yMax != null ? yMax : hi);
        return linear(yMin != null ? yMin : lo, yMax != null ? yMax : hi, yMin == null, yMax == null, false);
    }

    /**
     * A linear axis whose free ends are widened to round tick values, so the frame starts and ends on
     * a labelled tick; fixed ends stay where the caller put them.
     */
    static Axis linear(double lo, double hi, boolean widenLo, boolean widenHi, boolean integers) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12) {
            // a flat series still needs a span to be drawn across
            double pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
            lo -= pad;
            hi += pad;
        }
        double step = niceStep((hi - lo) / 5);
        if (integers) step = Math.max(1, Math.round(step));
        if (widenLo) lo = Math.floor(lo / step + 1e-9) * step;
        if (widenHi) hi = Math.ceil(hi / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        return new Axis(lo, hi, false, ticks.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A log axis spanning whole decades, ticked at each power of ten (thinned to at most eight labels). */
    static Axis logarithmic(double lo, double hi) {
        if (!(lo > 0) || !Double.isFinite(hi) || hi < lo) { lo = 0.1; hi = 10; }
        int a = (int) Math.floor(Math.log10(lo) + 1e-9), b = (int) Math.ceil(Math.log10(hi) - 1e-9);
        if (a == b) b = a + 1;
        int every = Math.max(1, (b - a + 7) / 8);
        List<Double> ticks = new ArrayList<>();
        for (int e = a; e <= b; e += every) ticks.add(Math.pow(10, e));
        return new Axis(Math.pow(10, a), Math.pow(10, b), true, ticks.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The 1, 2, 2.5 or 5 times a power of ten nearest above a rough step. */
    static double niceStep(double rough) {
        if (!(rough > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / p;
        double m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return m * p;
    }

    /** Shortest plain rendering of a tick value: 0.2, 15, 1e-4 for tiny or huge values. */
    static String number(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-3) return String.format(Locale.ROOT, "%.0e", v).replaceFirst("e([-+])0*(\\d)", "e$1$2").replace("e+", "e");
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
