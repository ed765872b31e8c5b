package io.antidote.train;

import io.antidote.BadInputException;

import java.util.Arrays;
import java.util.Locale;

/**
 * A learning-rate schedule as a pure function of training progress, so a resumed run sets exactly
 * the rate an uninterrupted one would. Progress is epochs as a real number (epoch + step/steps).
 */
public sealed interface Schedule {
    double lr(double base, double progress, int totalEpochs);

    /** The same rate throughout. */
    record Constant() implements Schedule {
        public double lr(double base, double progress, int total) { return base; }
    }

    /** Multiply by gamma every `every` epochs (decided per epoch, as PyTorch's StepLR stepped per epoch). */
    record Step(int every, double gamma) implements Schedule {
        public double lr(double base, double progress, int total) {
            return base * Math.pow(gamma, Math.floor(Math.floor(progress) / every));
        }
    }

    /** Multiply by gamma at each milestone epoch (MultiStepLR; also the references' hand-set tables). */
    record MultiStep(int[] milestones, double gamma) implements Schedule {
        public double lr(double base, double progress, int total) {
            int e = (int) Math.floor(progress);
            int passed = 0;
            for (int m : milestones) if (e >= m) passed++;
            return base * Math.pow(gamma, passed);
        }

        @Override public boolean equals(Object o) { return o instanceof MultiStep m && Arrays.equals(milestones, m.milestones) && gamma == m.gamma; }
        @Override public int hashCode() { return Arrays.hashCode(milestones) * 31 + Double.hashCode(gamma); }
        @Override public String toString() { return "MultiStep" + Arrays.toString(milestones) + "x" + gamma; }
    }

    /** Cosine annealing from base to 0 over the run, updated every step. */
    record Cosine() implements Schedule {
        public double lr(double base, double progress, int total) {
            return 0.5 * base * (1 + Math.cos(Math.PI * Math.min(progress, total) / total));
        }
    }

    /** One-cycle: linear warm-up over `warmup` of the run from base/25 to base, then cosine down to base/1e4. */
    record OneCycle(double warmup) implements Schedule {
        public double lr(double base, double progress, int total) {
            double p = Math.min(progress / total, 1.0);
            double start = base / 25, end = start / 1e4;
            if (p < warmup) return start + (base - start) * p / warmup;
            double q = (p - warmup) / (1 - warmup);
            return end + (base - end) * 0.5 * (1 + Math.cos(Math.PI * q));
        }
    }

    /**
     * Parses "constant", "cosine", "onecycle[:0.3]", "step:EVERY[:GAMMA]", "multistep:M1,M2[:GAMMA]".
     */
    static Schedule parse(String spec) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "constant", "none" -> new Constant();
                case "cosine" -> new Cosine();
                case "onecycle" -> new OneCycle(p.length > 1 ? Double.parseDouble(p[1]) : 0.3);
                case "step" -> new Step(Integer.parseInt(p[1]), p.length > 2 ? Double.parseDouble(p[2]) : 0.1);
                case "multistep" -> new MultiStep(Arrays.stream(p[1].split(",")).mapToInt(Integer::parseInt).toArray(),
                        p.length > 2 ? Double.parseDouble(p[2]) : 0.1);
                default -> throw new BadInputException("schedule '" + spec + "' is not one of constant, cosine, onecycle, step:N, multistep:A,B");
            };
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new BadInputException("schedule '" + spec + "' is malformed; e.g. step:30:0.1 or multistep:60,90:0.1");
        }
    }
}
