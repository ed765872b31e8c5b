package io.antidote.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Assembles augmented batches on a background thread, ahead of the training step. Each sample's
 * augmentation randomness derives from (seed, position in epoch) alone, so batches are identical
 * whatever the thread timing and a resumed epoch reproduces an uninterrupted one.
 */
public final class BatchLoader implements Iterator<BatchLoader.Batch>, AutoCloseable {
    /** One batch: NHWC pixels, labels, and the positions of its samples in the source set. */
    public record Batch(byte[] pixels, int[] labels, int[] positions) {
        public int size() { return labels.length; }
    }

    private static final Batch END = new Batch(new byte[0], new int[0], new int[0]);
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
    private final Thread worker;
    private Object next;
    private volatile boolean closed;

    public BatchLoader(ImageSet set, int[] order, int batchSize, boolean dropLast, Augmentation aug, long seed) {
        worker = new Thread(() -> produce(set, order, batchSize, dropLast, aug, seed), "antidote-batches");
        worker.setDaemon(true);
        worker.start();
    }

    /** Number of batches an epoch over `n` samples yields. */
    public static int batchCount(int n, int batchSize, boolean dropLast) {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** A seeded Fisher–Yates permutation of 0..n-1. */
    public static int[] shuffledOrder(int n, long seed) {
        int[] o = sequentialOrder(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    public static int[] sequentialOrder(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    private void produce(ImageSet set, int[] order, int bs, boolean dropLast, Augmentation aug, long seed) {
        try {
            int ib = set.imageBytes();
            int batches = batchCount(order.length, bs, dropLast);
            for (int b = 0; b < batches && !closed; b++) {
                int from = b * bs, n = Math.min(bs, order.length - from);
                byte[] px = new byte[n * ib];
                int[] labels = new int[n];
                int[] pos = new int[n];
                for (int k = 0; k < n; k++) {
                    int i = order[from + k];
                    set.copyImage(i, px, k * ib);
                    labels[k] = set.label(i);
                    pos[k] = i;
                    if (aug != null && !aug.isIdentity()) {
                        aug.apply(px, k * ib, set.height(), set.width(), set.channels(), new SplittableRandom(mix(seed, from + k)));
                    }
                }
                queue.put(new Batch(px, labels, pos));
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                queue.put(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static long mix(long seed, long k) {
        long z = seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (next instanceof RuntimeException e) throw e;
        return next != END;
    }

    @Override
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        Batch b = (Batch) next;
        next = null;
        return b;
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
    }
}
