package io.antidote.cli;

import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Precision;
import io.antidote.nn.Sgd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures training throughput of a model on synthetic input in several precision modes, epoch by
 * epoch in turn, so that a shared VM's changing speed falls on every mode alike.
 */
final class Throughput {
    /** Figures for one precision mode: overall img/s, img/s per epoch, and process RSS after each of its epochs. */
    record Result(Precision precision, double imagesPerSecond, double[] perEpoch, List<Long> rssPerEpochKb) {}

    static List<Result> measure(String arch, List<Precision> modes, int batch, int stepsPerEpoch, int epochs, int warmup) {
        SplittableRandom r = new SplittableRandom(1);
        byte[] x = new byte[batch * 32 * 32 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (byte) r.nextInt(256);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(10);
        int k = modes.size();
        Model[] models = new Model[k];
        Sgd[] opts = new Sgd[k];
        double[][] secs = new double[k][epochs];
        List<List<Long>> rss = new ArrayList<>();
        try {
            for (int m = 0; m < k; m++) {
                models[m] = Model.create(arch, 10, 1, modes.get(m));
                opts[m] = models[m].sgd(new Sgd.Options(0.01, 0.9, true, 5e-4));
                for (int i = 0; i < warmup; i++) models[m].trainStep(opts[m], x, batch, y, null, Objective.crossEntropy());
                rss.add(new ArrayList<>());
            }
            for (int e = 0; e < epochs; e++) {
                for (int m = 0; m < k; m++) {
                    long t0 = System.nanoTime();
                    for (int s = 0; s < stepsPerEpoch; s++) models[m].trainStep(opts[m], x, batch, y, null, Objective.crossEntropy());
                    secs[m][e] = (System.nanoTime() - t0) / 1e9;
                    rss.get(m).add(rssKb());
                }
            }
        } finally {
            for (Model m : models) if (m != null) m.close();
        }
        List<Result> out = new ArrayList<>();
        double images = (double) batch * stepsPerEpoch;
        for (int m = 0; m < k; m++) {
            double[] per = new double[epochs];
            for (int e = 0; e < epochs; e++) per[e] = images / secs[m][e];
            out.add(new Result(modes.get(m), images * epochs / Arrays.stream(secs[m]).sum(), per, rss.get(m)));
        }
        return out;
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
