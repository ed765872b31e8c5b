package io.antidote.cli;

import io.antidote.nn.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/** `antidote bench throughput`: training img/s per precision on synthetic input, and RSS per epoch. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (run one at a time; they use every core).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "wrn-16-1")
    String model;

    @Option(names = "--batch-size", defaultValue = "128")
    int batch;

    @Option(names = "--steps", defaultValue = "40", description = "Steps per measured epoch.")
    int steps;

    @Option(names = "--epochs", defaultValue = "3")
    int epochs;

    @Override
    public Integer call() {
        Precision def = Precision.detect();
        System.out.printf(Locale.ROOT, "WRN training throughput: model %s, batch %d, %d epochs x %d steps, synthetic input; default mode here: %s%n",
                model, batch, epochs, steps, def.label());
        Throughput.Result fp32 = Throughput.measure(model, Precision.FP32, batch, steps, epochs, 5);
        print(fp32);
        Throughput.Result dflt = def == Precision.FP32 ? fp32 : Throughput.measure(model, def, batch, steps, epochs, 5);
        if (def != Precision.FP32) print(dflt);
        System.out.printf(Locale.ROOT, "ratio default/fp32: %.2fx%n", dflt.imagesPerSecond() / fp32.imagesPerSecond());
        return 0;
    }

    private static void print(Throughput.Result r) {
        var rss = r.rssPerEpochKb();
        double drift = 100.0 * (rss.get(rss.size() - 1) - rss.get(0)) / rss.get(0);
        System.out.printf(Locale.ROOT, "%-28s %8.1f img/s   RSS after epoch 1: %d MiB, epoch %d: %d MiB (%+.1f%%)%n",
                r.precision().label(), r.imagesPerSecond(), rss.get(0) / 1024, rss.size(), rss.get(rss.size() - 1) / 1024, drift);
    }
}
