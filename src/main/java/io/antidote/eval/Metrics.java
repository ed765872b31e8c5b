package io.antidote.eval;

import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.train.Inference;

/**
 * Clean accuracy and attack success rate. CA is measured on the whole clean test set; the ABL/NAD
 * repos' CA on the non-target images only (9,000 of CIFAR-10's 10,000) is offered under its own name.
 */
public final class Metrics {
    /**
     * Evaluation figures as fractions in [0,1]; asr is NaN when no poisoned test set was given.
     * classAccuracy holds the clean accuracy of each class (NaN for a class with no test image);
     * cleanAccuracyTargetClass is the target's entry (NaN without a target), because a defense can
     * reach a low ASR by giving up the target class, and ASR alone does not show it.
     * triggeredConfusion[y][k] counts the triggered test images of true class y predicted as k (null
     * without a poisoned test set): where the ASR goes, and where the rest of the predictions go.
     */
    public record Scores(double cleanAccuracy, double cleanAccuracyNonTarget, double attackSuccessRate,
                         double cleanLoss, double poisonLoss, int cleanCount, int poisonCount,
                         double cleanAccuracyTargetClass, double[] classAccuracy, int[][] triggeredConfusion) {}

    private Metrics() {}

    public static double accuracy(Inference.Predictions p) {
        int c = 0;
        for (int i = 0; i < p.size(); i++) if (p.predicted()[i] == p.labels()[i]) c++;
        return p.size() == 0 ? Double.NaN : (double) c / p.size();
    }

    public static double meanLoss(Inference.Predictions p) {
        double s = 0;
        for (float l : p.losses()) s += l;
        return p.size() == 0 ? Double.NaN : s / p.size();
    }

    /**
     * CA on `clean`, the ABL/NAD CA over its samples whose label is not `target` (target < 0 skips it),
     * and ASR on `poisoned` (every sample triggered and labelled with the attack's target).
     */
    public static Scores score(Model model, ImageSet clean, ImageSet poisoned, int target, int batch) {
        Inference.Predictions pc = Inference.predict(model, clean, batch);
        double nonTarget = Double.NaN;
        if (target >= 0) {
            int c = 0, n = 0;
            for (int i = 0; i < pc.size(); i++) {
                if (pc.labels()[i] == target) continue;
                n++;
                if (pc.predicted()[i] == pc.labels()[i]) c++;
            }
            nonTarget = n == 0 ? Double.NaN : (double) c / n;
        }
        double asr = Double.NaN, ploss = Double.NaN;
        int pn = 0;
        int[][] confusion = null;
        if (poisoned != null) {
            Inference.Predictions pp = Inference.predict(model, poisoned, batch);
            asr = accuracy(pp);
            ploss = meanLoss(pp);
            pn = pp.size();
            confusion = confusion(pp, poisoned);
        }
        double[] perClass = classAccuracy(pc, clean.numClasses());
        double targetClass = target >= 0 && target < perClass.length ? perClass[target] : Double.NaN;
        return new Scores(accuracy(pc), nonTarget, asr, meanLoss(pc), ploss, pc.size(), pn, targetClass, perClass, confusion);
    }

    /** Counts by the true class each image had before its trigger (row) and the predicted class (column). */
    public static int[][] confusion(Inference.Predictions p, ImageSet set) {
        int k = set.numClasses();
        int[][] out = new int[k][k];
        for (int i = 0; i < p.size(); i++) out[set.originalLabel(i)][p.predicted()[i]]++;
        return out;
    }

    /** The accuracy on each class's images (NaN for a class with none). */
    public static double[] classAccuracy(Inference.Predictions p, int classes) {
        int[] right = new int[classes], all = new int[classes];
        for (int i = 0; i < p.size(); i++) {
            int y = p.labels()[i];
            all[y]++;
            if (p.predicted()[i] == y) right[y]++;
        }
        double[] out = new double[classes];
        for (int k = 0; k < classes; k++) out[k] = all[k] == 0 ? Double.NaN : (double) right[k] / all[k];
        return out;
    }
}
