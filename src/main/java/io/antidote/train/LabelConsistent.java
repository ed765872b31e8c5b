package io.antidote.train;

import io.antidote.attack.Cl;
import io.antidote.attack.Perturbation;
import io.antidote.data.Augmentation;
import io.antidote.data.ImageSet;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;

import java.util.HashMap;
import java.util.Map;

/**
 * Makes the CL attack's adversarial perturbation: trains a clean surrogate model on the clean
 * training data, then runs PGD on every target-class image in batches; the returned Perturbation
 * looks the perturbed image up by original index.
 */
public final class LabelConsistent {
    private LabelConsistent() {}

    public static Perturbation perturbation(ImageSet clean, int target, Cl.Settings s, long seed, Precision precision, Progress progress) {
        TrainConfig cfg = TrainConfig.standard(s.modelEpochs(), seed ^ 0xC1L).withAugmentation(Augmentation.cropFlip());
        Map<Integer, byte[]> perturbed = new HashMap<>();
        try (Model surrogate = Model.create("wrn-16-1", clean.numClasses(), clean.height(), clean.width(), clean.channels(), seed ^ 0xC1L, precision)) {
            Trainer.train(surrogate, Trainer.optimizer(surrogate, cfg, n -> true), clean, cfg, new Trainer.Hooks() {}, null, progress, -1);
            int[] pos = clean.positionsWithLabel(target, true);
            int ib = clean.imageBytes(), batch = 256;
            double eps = s.epsilon() / 255.0, alpha = s.stepSize() / 255.0;
            for (int from = 0; from < pos.length; from += batch) {
                int n = Math.min(batch, pos.length - from);
                byte[] px = new byte[n * ib];
                int[] y = new int[n];
                for (int k = 0; k < n; k++) {
                    clean.copyImage(pos[from + k], px, k * ib);
                    y[k] = clean.label(pos[from + k]);
                }
                byte[] adv = surrogate.pgd(px, n, y, eps, alpha, s.steps(), seed + from);
                for (int k = 0; k < n; k++) {
                    perturbed.put(clean.originalIndex(pos[from + k]), java.util.Arrays.copyOfRange(adv, k * ib, (k + 1) * ib));
                }
            }
        }
        return (hwc, h, w, c, originalIndex, label) -> {
            byte[] p = perturbed.get(originalIndex);
            return p != null ? p.clone() : hwc;
        };
    }
}
