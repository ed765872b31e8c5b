package io.antidote.cli;

import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Precision;
import io.antidote.nn.Sgd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Measures training throughput of a model on synthetic input, per precision mode, with RSS per epoch. */
final class Throughput {
    /** Figures for one precision mode. */
    record Result(Precision precision, double imagesPerSecond, List<Long> rssPerEpochKb) {}

    static Result measure(String arch, Precision p, int batch, int stepsPerEpoch, int epochs, int warmup) {
        SplittableRandom r = new SplittableRandom(1);
        byte[] x = new byte[batch * 32 * 32 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(10);
        try (Model m = Model.create(arch, 10, 1, p)) {
            Sgd opt = m.sgd(new Sgd.Options(0.01, 0.9, true, 5e-4));
            for (int i = 0; i < warmup; i++) m.trainStep(opt, x, batch, y, null, Objective.crossEntropy());
            List<Long> rss = new ArrayList<>();
            long images = 0;
            long t0 = System.nanoTime();
            for (int e = 0; e < epochs; e++) {
                for (int s = 0; s < stepsPerEpoch; s++) {
                    m.trainStep(opt, x, batch, y, null, Objective.crossEntropy());
                    images += batch;
                }
                rss.add(rssKb());
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(p, images / secs, rss);
        }
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

}
