package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.TensorData;
import io.antidote.train.Progress;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Fine-Pruning (Liu et al., RAID 2018): channels of the last feature map that stay quiet on clean
 * data are where a backdoor can hide, so prune them in increasing order of mean activation while
 * clean accuracy holds, then fine-tune with the pruned channels kept off.
 */
public final class FinePruning {
    // A pooled channel is pruned by zeroing its column in the head (Model.zeroHeadInputs): exactly a
    // mask for the logits, and unlike a separate mask it survives saving and `antidote eval`.
    /**
     * @param margin        stop before the pruned model's clean accuracy falls more than this below the unpruned one (absolute)
     * @param maxPruneRatio never prune more than this fraction of the channels
     * @param finetune      the fine-tuning after pruning (0 epochs: pruning only)
     */
    public record Config(double margin, double maxPruneRatio, FineTune.Config finetune) {
        public Config {
            if (!(margin >= 0 && margin <= 1)) throw new BadInputException("pruning margin " + margin + " is outside [0, 1]");
            if (!(maxPruneRatio >= 0 && maxPruneRatio < 1)) throw new BadInputException("maximum prune ratio " + maxPruneRatio + " is outside [0, 1)");
            if (finetune == null) throw new BadInputException("fine-tuning config is missing");
        }

        /** Our defaults: stop at a 5-point clean-accuracy drop, keep at least 5% of channels, then NAD's teacher recipe. */
        public static Config defaults(long seed) {
            return new Config(0.05, 0.95, FineTune.Config.reference(seed));
        }
    }

    /**
     * The pruning decision: channels in increasing order of mean activation, how many were pruned,
     * and the clean accuracy after pruning the first k channels (accuracy[0] = unpruned).
     */
    public record Pruning(int[] order, double[] meanActivation, int pruned, double[] accuracy) {
        public int[] prunedChannels() { return Arrays.copyOf(order, pruned); }
        public double baseAccuracy() { return accuracy[0]; }
        public double prunedAccuracy() { return accuracy[pruned]; }
    }

    /** What Fine-Pruning did. */
    public record Result(Pruning pruning, FineTune.Result finetune) {}

    private FinePruning() {}

    /** Mean activation per channel of the head's inputs over the set (eval mode). */
    public static double[] meanActivation(float[] features, int n) {
        int f = features.length / n;
        double[] mean = new double[f];
        for (int i = 0; i < n; i++) for (int c = 0; c < f; c++) mean[c] += features[i * f + c];
        for (int c = 0; c < f; c++) mean[c] /= n;
        return mean;
    }

    /** Channels ordered by mean activation, quietest first; ties go to the lower index. */
    public static int[] order(double[] meanActivation) {
        return IntStream.range(0, meanActivation.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(c -> meanActivation[c]).thenComparingInt(c -> c))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The head inputs of every image of the set, n rows of F floats. */
    static float[] features(Model model, ImageSet set, int batch) {
        int ib = set.imageBytes();
        float[] out = null;
        int f = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int m = Math.min(batch, set.size() - from);
            byte[] px = new byte[m * ib];
            for (int k = 0; k < m; k++) set.copyImage(from + k, px, k * ib);
            float[] part = model.headInputs(px, m);
            if (out == null) {
                f = part.length / m;
                out = new float[set.size() * f];
            }
            System.arraycopy(part, 0, out, from * f, part.length);
        }
        return out;
    }

    /**
     * Decides and applies the pruning. The features are computed once; each further channel only
     * subtracts its column's share from the logits, so the whole accuracy curve costs one pass.
     * The curve uses fp32 arithmetic on the features, which under bf16 autocast can differ from
     * the network's own logits in the last bits.
     */
    public static Pruning prune(Model model, ImageSet clean, Config c) {
        if (clean.size() == 0) throw new BadInputException("fine-pruning needs clean images; the clean set is empty");
        int n = clean.size();
        float[] feat = features(model, clean, 256);
        int f = feat.length / n;
        double[] mean = meanActivation(feat, n);
        int[] order = order(mean);
        TensorData wd = model.stateDict().get(model.headName() + ".weight");
        TensorData bd = model.stateDict().get(model.headName() + ".bias");
        float[] w = wd.floats();
        int k = (int) wd.shape()[0];
        float[] b = bd == null ? new float[k] : bd.floats();
        double[] logits = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double s = b[j];
                for (int ch = 0; ch < f; ch++) s += w[j * f + ch] * feat[i * f + ch];
                logits[i * k + j] = s;
            }
        }
        int max = (int) Math.floor(c.maxPruneRatio() * f);
        double[] acc = new double[max + 1];
        acc[0] = accuracy(logits, clean, k);
        int pruned = 0, evaluated = 0;
        for (int step = 1; step <= max; step++) {
            int ch = order[step - 1];
            for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) logits[i * k + j] -= w[j * f + ch] * feat[i * f + ch];
            acc[step] = accuracy(logits, clean, k);
            evaluated = step;
            if (acc[step] < acc[0] - c.margin()) break;
            pruned = step;
        }
        // the curve keeps the step that crossed the margin: it shows why pruning stopped
        Pruning p = new Pruning(order, mean, pruned, Arrays.copyOf(acc, evaluated + 1));
        model.zeroHeadInputs(p.prunedChannels());
        return p;
    }

    private static double accuracy(double[] logits, ImageSet set, int k) {
        int ok = 0;
        for (int i = 0; i < set.size(); i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
            if (best == set.label(i)) ok++;
        }
        return (double) ok / set.size();
    }

    /** Prunes, then fine-tunes on the same clean set with the pruned channels zeroed after every step. */
    public static Result run(Model model, ImageSet clean, Config c, Path checkpoint, EpochListener listener, Progress progress) {
        Pruning p = prune(model, clean, c);
        listener.note(String.format(java.util.Locale.ROOT, "pruned %d of %d channels: clean-budget accuracy %.2f%% -> %.2f%%", p.pruned(),
                p.order().length, 100 * p.baseAccuracy(), 100 * p.prunedAccuracy()));
        int[] mask = p.prunedChannels();
        FineTune.Result ft = FineTune.run(model, clean, c.finetune(), "finetune", checkpoint, listener, progress, m -> m.zeroHeadInputs(mask));
        return new Result(p, ft);
    }
}
