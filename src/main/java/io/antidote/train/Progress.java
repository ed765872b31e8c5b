package io.antidote.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with ETA, loss and accuracy, redrawn in place on a terminal and printed
 * once per loop otherwise (so CI logs stay readable).
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final boolean quiet;
    private String label;
    private int total;
    private long start, lastDraw;

    public Progress(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
        this.terminal = System.console() != null;
    }

    public static Progress silent() {
        return new Progress(System.err, true);
    }

    public void begin(String label, int total) {
        this.label = label;
        this.total = total;
        this.start = System.nanoTime();
        this.lastDraw = 0;
    }

    public void update(int done, double loss, double acc) {
        if (quiet || !terminal) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 250_000_000L) return;
        lastDraw = now;
        out.print("\r" + line(done, loss, acc));
        out.flush();
    }

    public void end(double loss, double acc, String extra) {
        if (quiet) return;
        String l = line(total, loss, acc) + (extra == null || extra.isEmpty() ? "" : "  " + extra);
        out.print(terminal ? "\r" + l + "\n" : l + "\n");
        out.flush();
    }

    private String line(int done, double loss, double acc) {
        double secs = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 ? secs / done * (total - done) : 0;
        int width = 24, filled = total > 0 ? (int) ((long) width * done / total) : width;
        return String.format(Locale.ROOT, "%-18s [%s%s] %d/%d  %4.0fs eta %4.0fs  loss %.4f  acc %.2f%%",
                label, "#".repeat(filled), ".".repeat(width - filled), done, total, secs, eta, loss, 100 * acc);
    }
}
