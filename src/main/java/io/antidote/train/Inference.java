package io.antidote.train;

import io.antidote.data.ImageSet;
import io.antidote.nn.Model;

/** Batched forward passes over a whole image set in eval mode, unaugmented and in order. */
public final class Inference {
    /** Per-sample predictions and cross-entropies (labels as stored in the set). */
    public record Predictions(int[] predicted, float[] losses, int[] labels) {
        public int size() { return predicted.length; }
    }

    private Inference() {}

    public static Predictions predict(Model model, ImageSet set, int batchSize) {
        int n = set.size(), ib = set.imageBytes();
        int[] pred = new int[n];
        float[] loss = new float[n];
        int[] labels = set.labels();
        for (int from = 0; from < n; from += batchSize) {
            int m = Math.min(batchSize, n - from);
            byte[] px = new byte[m * ib];
            int[] y = new int[m];
            for (int k = 0; k < m; k++) {
                set.copyImage(from + k, px, k * ib);
                y[k] = labels[from + k];
            }
            Model.Output o = model.evaluate(px, m, y);
            System.arraycopy(o.predictions(), 0, pred, from, m);
            System.arraycopy(o.losses(), 0, loss, from, m);
        }
        return new Predictions(pred, loss, labels);
    }
}
