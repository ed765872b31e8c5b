package io.antidote.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BatchLoaderTest {
    /** n distinct 32x32x3 images labelled i % 10. */
    static ImageSet numbered(int n) {
        byte[] px = new byte[n * 3072];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        return ImageSet.of("numbered", 32, 32, 3, 10, px, labels);
    }

    static List<Batch> drain(BatchLoader l) {
        List<Batch> out = new ArrayList<>();
        try (l) {
            while (l.hasNext()) out.add(l.next());
        }
        return out;
    }

    @Test
    void shuffledOrderIsASeededPermutation() {
        int[] a = BatchLoader.shuffledOrder(1000, 7);
        assertArrayEquals(a, BatchLoader.shuffledOrder(1000, 7));
        assertFalse(Arrays.equals(a, BatchLoader.shuffledOrder(1000, 8)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) assertEquals(i, sorted[i]);
        assertFalse(Arrays.equals(a, sorted), "a 1000-element shuffle should move something");
        assertEquals(0, BatchLoader.shuffledOrder(0, 1).length);
    }

    @Test
    void withoutAugmentationBatchesAreTheImagesInOrder() {
        ImageSet set = numbered(23);
        int[] order = BatchLoader.shuffledOrder(23, 3);
        List<Batch> batches = drain(new BatchLoader(set, order, 10, false, Augmentation.none(), 1));
        assertEquals(3, batches.size());
        assertEquals(List.of(10, 10, 3), batches.stream().map(Batch::size).toList());
        int k = 0;
        for (Batch b : batches) {
            assertEquals(k / 10, b.index());
            assertEquals(32, b.height());
            for (int i = 0; i < b.size(); i++, k++) {
                assertEquals(order[k], b.positions()[i]);
                assertEquals(set.label(order[k]), b.labels()[i]);
                assertArrayEquals(set.image(order[k]), Arrays.copyOfRange(b.pixels(), i * 3072, (i + 1) * 3072));
            }
        }
    }

    @Test
    void everyPositionOncePerEpochAndDropLastDropsOnlyTheTail() {
        ImageSet set = numbered(25);
        int[] order = BatchLoader.shuffledOrder(25, 9);
        List<Batch> all = drain(new BatchLoader(set, order, 8, false, Augmentation.cropFlip(), 5));
        int[] seen = new int[25];
        for (Batch b : all) for (int p : b.positions()) seen[p]++;
        for (int i = 0; i < 25; i++) assertEquals(1, seen[i], "position " + i);

        BatchLoader dl = new BatchLoader(set, order, 8, true, Augmentation.cropFlip(), 5);
        assertEquals(3, dl.batchCount());
        List<Batch> dropped = drain(dl);
        assertEquals(List.of(8, 8, 8), dropped.stream().map(Batch::size).toList());
        assertEquals(order[23], dropped.get(2).positions()[7]);
        for (int i = 0; i < 3; i++) assertArrayEquals(all.get(i).pixels(), dropped.get(i).pixels());

        assertEquals(0, new BatchLoader(set, order, 100, true, null, 0).batchCount());
        assertEquals(1, BatchLoader.batchCount(25, 100, false));
    }

    @Test
    void augmentationDependsOnlyOnSeedAndPositionInEpoch() {
        ImageSet set = numbered(40);
        int[] order = BatchLoader.shuffledOrder(40, 11);
        List<Batch> a = drain(new BatchLoader(set, order, 16, false, Augmentation.ablNad(), 77));
        List<Batch> b = drain(new BatchLoader(set, order, 16, false, Augmentation.ablNad(), 77));
        List<Batch> c = drain(new BatchLoader(set, order, 16, false, Augmentation.ablNad(), 78));
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).pixels(), b.get(i).pixels());
            assertArrayEquals(a.get(i).labels(), b.get(i).labels());
        }
        assertFalse(Arrays.equals(a.get(0).pixels(), c.get(0).pixels()));

        // Recompute sample k by hand: the worker must have used exactly SplittableRandom(sampleSeed(77, k)).
        for (int k : new int[]{0, 17, 39}) {
            byte[] img = set.image(order[k]);
            Augmentation.ablNad().apply(img, 0, 32, 32, 3, new SplittableRandom(BatchLoader.sampleSeed(77, k)));
            Batch batch = a.get(k / 16);
            int i = k % 16;
            assertArrayEquals(img, Arrays.copyOfRange(batch.pixels(), i * 3072, (i + 1) * 3072), "sample " + k);
        }
        // A different batch size regroups the same per-sample results.
        List<Batch> d = drain(new BatchLoader(set, order, 5, false, Augmentation.ablNad(), 77));
        assertArrayEquals(Arrays.copyOfRange(a.get(1).pixels(), 4 * 3072, 5 * 3072), Arrays.copyOfRange(d.get(4).pixels(), 0, 3072));
    }

    @Test
    void closeStopsTheWorkerMidEpoch() throws InterruptedException {
        ImageSet set = numbered(64);
        BatchLoader l = new BatchLoader(set, BatchLoader.shuffledOrder(64, 1), 2, false, Augmentation.ablNad(), 1);
        l.next();
        Thread.sleep(20); // let the worker fill the queue and block
        l.close();
        assertFalse(l.workerAlive());
        assertFalse(l.hasNext());
        assertThrows(IllegalStateException.class, l::next);
        l.close();
    }

    @Test
    void exhaustionAndWorkerFailuresReachTheConsumer() {
        ImageSet set = numbered(3);
        BatchLoader l = new BatchLoader(set, new int[]{2, 0}, 4, false, null, 0);
        assertEquals(2, l.next().size());
        assertThrows(NoSuchElementException.class, l::next);
        l.close();

        ImageSet tiny = ImageSet.of("tiny", 2, 2, 3, 2, new byte[12], new int[]{1});
        BatchLoader bad = new BatchLoader(tiny, new int[]{0}, 1, false, Augmentation.asd(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::next);
        assertTrue(e.getMessage().contains("reflect padding 4"), e.getMessage());
        assertFalse(bad.workerAlive());

        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(set, new int[]{3}, 1, false, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchLoader(set, new int[]{0}, 0, false, null, 0));
    }
}
