package io.antidote.cli;

import io.antidote.nn.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** `antidote bench throughput`: training img/s per precision on synthetic input, and RSS per epoch. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (run one at a time; they use every core).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "wrn-16-1", description = OptionText.MODEL)
    String model;

    @Option(names = "--batch-size", defaultValue = "128", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "40", description = "Steps per measured epoch.")
    int steps;

    @Option(names = "--epochs", defaultValue = "3", description = "Measured epochs; the modes take turns epoch by epoch.")
    int epochs;

    @Override
    public Integer call() {
        Precision def = Precision.detect();
        System.out.printf(Locale.ROOT, "WRN training throughput: model %s, batch %d, %d epochs x %d steps, synthetic input; default mode here: %s%n",
                model, batch, epochs, steps, def.label());
        // every mode on every machine, so the figures show what the automatic choice gains or avoids here
        List<Precision> modes = List.of(Precision.values());
        List<Throughput.Result> rs = Throughput.measure(model, modes, batch, steps, epochs, 5);
        rs.forEach(BenchCommand::print);
        Throughput.Result fp32 = rs.get(0);
        for (Throughput.Result r : rs.subList(1, rs.size())) {
            double[] ratios = new double[epochs];
            for (int e = 0; e < epochs; e++) ratios[e] = r.perEpoch()[e] / fp32.perEpoch()[e];
            System.out.printf(Locale.ROOT, "ratio %s/fp32: %.2fx (per epoch: %s)%n",
                    r.precision().label(), r.imagesPerSecond() / fp32.imagesPerSecond(), join(ratios));
        }
        return 0;
    }

    private static void print(Throughput.Result r) {
        var rss = r.rssPerEpochKb();
        double drift = 100.0 * (rss.get(rss.size() - 1) - rss.get(0)) / rss.get(0);
        System.out.printf(Locale.ROOT, "%-28s %8.1f img/s (per epoch: %s)   RSS after epoch 1: %d MiB, epoch %d: %d MiB (%+.1f%%)%n",
                r.precision().label(), r.imagesPerSecond(), join(r.perEpoch()), rss.get(0) / 1024, rss.size(), rss.get(rss.size() - 1) / 1024, drift);
    }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, d < 10 ? "%.2f" : "%.0f", d));
        return b.toString();
    }
}
