package io.antidote.report;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class SvgChartTest {
    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.2, SvgChart.niceStep(0.17), 1e-12);
        assertEquals(2.5, SvgChart.niceStep(2.3), 1e-12);
        assertEquals(5, SvgChart.niceStep(3.1), 1e-12);
        assertEquals(10, SvgChart.niceStep(7), 1e-12);
        assertEquals(1, SvgChart.niceStep(0), 1e-12);
    }

    @Test
    void freeAxisEndsWidenToRoundTicks() {
        SvgChart.Axis a = SvgChart.linear(0.13, 0.92, true, true, false);
        assertEquals(0.0, a.min(), 1e-12);
        assertEquals(1.0, a.max(), 1e-12);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, a.ticks(), 1e-9);
        // a fixed end stays put even when it is not a round number
        SvgChart.Axis fixed = SvgChart.linear(0, 0.93, false, false, false);
        assertEquals(0.93, fixed.max(), 1e-12);
        assertEquals(0.8, fixed.ticks()[fixed.ticks().length - 1], 1e-9);
    }

    @Test
    void integerAxesNeverTickBetweenEpochs() {
        SvgChart.Axis a = SvgChart.linear(1, 3, true, true, true);
        for (double t : a.ticks()) assertEquals(Math.rint(t), t, 1e-12, "tick " + t);
    }

    @Test
    void flatDataStillGetsARange() {
        SvgChart.Axis a = SvgChart.linear(5, 5, true, true, false);
        assertTrue(a.max() > a.min());
        assertTrue(a.fraction(5) > 0 && a.fraction(5) < 1);
    }

    @Test
    void logAxisSpansWholeDecades() {
        SvgChart.Axis a = SvgChart.logarithmic(0.003, 24);
        assertEquals(1e-3, a.min(), 1e-15);
        assertEquals(100, a.max(), 1e-9);
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1, 10, 100}, a.ticks(), 1e-12);
        assertEquals(0.6, a.fraction(1), 1e-12);
    }

    @Test
    void pointsMapIntoThePlotAreaWithYUpwards() {
        String svg = new SvgChart(400, 300).xRange(0, 10).yRange(0, 1).line("a", new double[] {0, 10}, new double[] {0, 1}).render("c");
        // plot area: x 64..380, y 54..252 (bottom margin 48)
        assertTrue(svg.contains("points=\"64.0,252.0 380.0,54.0\""), svg);
    }

    @Test
    void missingValuesBreakTheLineAndLonePointsBecomeDots() {
        double nan = Double.NaN;
        double[] x = new double[20], y = new double[20];
        for (int i = 0; i < 20; i++) { x[i] = i; y[i] = i == 2 || i >= 4 && i != 9 ? nan : 0.1 * i; }
        // points 0-1 form a line, 3 and 9 stand alone
        String svg = new SvgChart(400, 300).line("s", x, y).render("c");
        assertEquals(1, count(svg, "<polyline"), svg);
        assertEquals(2, count(svg, "<circle"), svg);
    }

    @Test
    void shortSeriesShowTheirPoints() {
        String svg = new SvgChart(400, 300).line("s", new double[] {1, 2, 3}, new double[] {0.1, 0.2, 0.3}).render("c");
        assertEquals(3, count(svg, "<circle"), svg);
    }

    @Test
    void xAxisEndsAtTheLastValue() {
        SvgChart c = new SvgChart(400, 300).line("s", new double[] {1, 33}, new double[] {0, 1});
        assertEquals(0, c.xAxis().min(), 1e-12);
        assertEquals(33, c.xAxis().max(), 1e-12);
    }

    @Test
    void logAxisPutsNonPositiveValuesOnTheBottomEdge() {
        String svg = new SvgChart(400, 300).yLog().xRange(0, 1).line("l", new double[] {0, 1}, new double[] {0, 10}).render("c");
        Matcher m = Pattern.compile("points=\"[0-9.]+,([0-9.]+) ").matcher(svg);
        assertTrue(m.find(), svg);
        assertEquals(252.0, Double.parseDouble(m.group(1)), 1e-9);
    }

    @Test
    void legendMarkersBarsAndEscaping() {
        String svg = new SvgChart(500, 300).title("A <b> & \"c\"").xLabel("x").yLabel("y")
                .bars("clean", new double[] {0, 1, 2}, new double[] {0.5, 0.25})
                .bars("poisoned", new double[] {0, 1, 2}, new double[] {0, 1})
                .line("<script>", new double[] {0, 2}, new double[] {0, 1})
                .marker(1, "finetune").render("chart-x");
        assertTrue(svg.startsWith("<svg id=\"chart-x\""), svg);
        assertTrue(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"));
        assertFalse(svg.contains("<script>"));
        assertTrue(svg.contains(">finetune</text>"));
        assertTrue(svg.contains(">clean</text>") && svg.contains(">poisoned</text>") && svg.contains(">&lt;script&gt;</text>"));
        // zero-height bars are left out: the frame, 2 clean bars, 1 poisoned bar, 2 legend swatches
        assertEquals(6, count(svg, "<rect x="), svg);
        assertTrue(svg.trim().endsWith("</svg>"));
    }

    @Test
    void mismatchedSeriesAreRefused() {
        SvgChart c = new SvgChart(100, 100);
        assertThrows(IllegalArgumentException.class, () -> c.line("a", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> c.bars("b", new double[] {1, 2}, new double[] {1, 2}));
    }

    @Test
    void tickNumbersAreShort() {
        assertEquals("0.2", SvgChart.number(0.2));
        assertEquals("15", SvgChart.number(15));
        assertEquals("0", SvgChart.number(0));
        assertEquals("1e-4", SvgChart.number(1e-4));
        assertEquals("2e6", SvgChart.number(2e6));
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }
}
