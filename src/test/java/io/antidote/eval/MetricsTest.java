package io.antidote.eval;

import io.antidote.train.Inference;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {
    @Test
    void classAccuracyCountsEachClassOnItsOwnImages() {
        // class 0: 2 of 3 right; class 1: 0 of 2 right; class 2: 1 of 1; class 3: no images
        int[] labels = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 1, 0, 0, 2, 2};
        Inference.Predictions p = new Inference.Predictions(predicted, new float[6], labels);
        double[] a = Metrics.classAccuracy(p, 4);
        assertEquals(2.0 / 3, a[0], 1e-12);
        assertEquals(0.0, a[1], 0);
        assertEquals(1.0, a[2], 0);
        assertTrue(Double.isNaN(a[3]));
        assertEquals(0.5, Metrics.accuracy(p), 1e-12);
    }

    @Test
    void triggeredConfusionCountsByTheClassBeforeTheTrigger() {
        // four images of true classes 0, 1, 2, 2, all relabelled to the target 0 as a poisoned test set is
        io.antidote.data.ImageSet set = io.antidote.data.ImageSet.of("t", 1, 1, 1, 3, new byte[4], new int[] {0, 1, 2, 2})
                .edit().label(0, 0).label(1, 0).label(2, 0).label(3, 0).build();
        Inference.Predictions p = new Inference.Predictions(new int[] {0, 1, 0, 2}, new float[4], set.labels());
        assertArrayEquals(new int[][] {{1, 0, 0}, {0, 1, 0}, {1, 0, 1}}, Metrics.confusion(p, set));
        assertEquals(0.5, Metrics.accuracy(p), 1e-12, "the target column holds the ASR's hits");
    }
}
