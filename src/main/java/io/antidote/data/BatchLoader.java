package io.antidote.data;

import java.io.Closeable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Gathers and augments the batches of one epoch on a background thread, a couple of batches ahead
 * of the training step. Sample k of the epoch is augmented with a generator seeded from
 * (seed, k) alone, so the batches are identical however the threads are scheduled.
 */
public final class BatchLoader implements Iterator<Batch>, Closeable {
    /** Batches prepared ahead; more would only hold memory without hiding more latency. */
    private static final int AHEAD = 2;

    private final ImageSet set;
    private final int[] order;
    private final int batchSize;
    private final int batches;
    private final Augmentation augmentation;
    private final long seed;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread worker;
    private volatile boolean closed;
    private int delivered;

    /** A failure on the worker, handed to the consumer in place of a batch. */
    private record Failure(Throwable cause) {}

    /**
     * Starts preparing batches at once.
     *
     * @param order       positions into {@code set} in epoch order (e.g. {@link #shuffledOrder})
     * @param dropLast    drop a final batch smaller than batchSize
     * @param augmentation applied per sample; null means none
     * @param seed        epoch seed; vary it per epoch for fresh augmentations
     */
    public BatchLoader(ImageSet set, int[] order, int batchSize, boolean dropLast, Augmentation augmentation, long seed) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        for (int k = 0; k < order.length; k++) {
            if (order[k] < 0 || order[k] >= set.size()) {
                throw new IllegalArgumentException("order[" + k + "] = " + order[k] + " is outside [0," + set.size() + ")");
            }
        }
        this.set = set;
        this.order = order.clone();
        this.batchSize = batchSize;
        this.batches = batchCount(order.length, batchSize, dropLast);
        this.augmentation = augmentation == null ? Augmentation.none() : augmentation;
        this.seed = seed;
        this.worker = new Thread(this::produce, "antidote-batches");
        worker.setDaemon(true);
        worker.start();
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates) determined by the seed. */
    public static int[] shuffledOrder(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** How many batches n samples make. */
    /** 0..n-1 in order: the references' unshuffled loaders. */
    public static int[] sequentialOrder(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    public static int batchCount(int n, int batchSize, boolean dropLast) {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The seed of the augmentation generator for sample k of an epoch with the given seed. */
    public static long sampleSeed(long seed, long k) {
        return Seeds.derive(seed, k);
    }

    /** Batches in this epoch. */
    public int batchCount() {
        return batches;
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < batches;
    }

    @Override
    public Batch next() {
        if (closed) throw new IllegalStateException("batch loader is closed");
        if (delivered >= batches) throw new NoSuchElementException("all " + batches + " batches delivered");
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        if (o instanceof Failure f) {
            close();
            if (f.cause instanceof RuntimeException r) throw r;
            if (f.cause instanceof Error err) throw err;
            throw new IllegalStateException("batch preparation failed", f.cause);
        }
        delivered++;
        return (Batch) o;
    }

    /** Stops the worker and waits for it; safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        queue.clear();
        if (interrupted) Thread.currentThread().interrupt();
    }

    boolean workerAlive() {
        return worker.isAlive();
    }

    private void produce() {
        try {
            for (int b = 0; b < batches && !closed; b++) {
                queue.put(build(b));
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (Throwable t) {
            try {
                if (!closed) queue.put(new Failure(t));
            } catch (InterruptedException ignored) {
                // closed meanwhile: nobody is waiting for the failure
            }
        }
    }

    private Batch build(int b) {
        int from = b * batchSize;
        int to = Math.min(from + batchSize, order.length);
        int n = to - from;
        int bytes = set.imageBytes();
        byte[] pixels = new byte[n * bytes];
        int[] labels = new int[n];
        int[] positions = new int[n];
        boolean identity = augmentation.isIdentity();
        for (int i = 0; i < n; i++) {
            int k = from + i;
            int pos = order[k];
            set.copyImage(pos, pixels, i * bytes);
            labels[i] = set.label(pos);
            positions[i] = pos;
            if (!identity) {
                augmentation.apply(pixels, i * bytes, set.height(), set.width(), set.channels(),
                        new SplittableRandom(sampleSeed(seed, k)));
            }
        }
        return new Batch(b, pixels, labels, positions, set.height(), set.width(), set.channels());
    }
}
