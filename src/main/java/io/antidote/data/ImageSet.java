package io.antidote.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable set of uint8 HWC images with labels and per-sample provenance (original index,
 * poisoned flag, original label) that survives subsetting, shuffling and poisoning.
 */
public final class ImageSet {
    private final String name;
    private final int size;
    private final int height;
    private final int width;
    private final int channels;
    private final int numClasses;
    private final byte[] pixels;
    private final int[] labels;
    private final int[] originalIndex;
    private final boolean[] poisoned;
    private final int[] originalLabel;

    private ImageSet(String name, int height, int width, int channels, int numClasses, byte[] pixels,
                     int[] labels, int[] originalIndex, boolean[] poisoned, int[] originalLabel) {
        this.name = Objects.requireNonNull(name);
        this.size = labels.length;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.numClasses = numClasses;
        this.pixels = pixels;
        this.labels = labels;
        this.originalIndex = originalIndex;
        this.poisoned = poisoned;
        this.originalLabel = originalLabel;
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + height + "x" + width + "x" + channels);
        }
        if ((long) size * imageBytes() != pixels.length) {
            throw new IllegalArgumentException("pixel buffer holds " + pixels.length + " bytes, expected " + (long) size * imageBytes());
        }
        if (originalIndex.length != size || poisoned.length != size || originalLabel.length != size) {
            throw new IllegalArgumentException("provenance arrays must have one entry per sample");
        }
        for (int i = 0; i < size; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
            }
        }
    }

    /** A fresh, clean set: provenance says sample i is original index i, not poisoned. */
    public static ImageSet of(String name, int height, int width, int channels, int numClasses, byte[] pixels, int[] labels) {
        int n = labels.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        return new ImageSet(name, height, width, channels, numClasses, pixels, labels.clone(), idx, new boolean[n], labels.clone());
    }

    public String name() { return name; }
    public int size() { return size; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }
    public int numClasses() { return numClasses; }
    public int imageBytes() { return height * width * channels; }
    public int label(int i) { return labels[i]; }
    public int originalIndex(int i) { return originalIndex[i]; }
    public boolean poisoned(int i) { return poisoned[i]; }
    public int originalLabel(int i) { return originalLabel[i]; }

    /** A copy of image i, HWC. */
    public byte[] image(int i) {
        int b = imageBytes();
        return Arrays.copyOfRange(pixels, i * b, (i + 1) * b);
    }

    /** Copies image i into dst at offset. */
    public void copyImage(int i, byte[] dst, int offset) {
        int b = imageBytes();
        System.arraycopy(pixels, i * b, dst, offset, b);
    }

    /** Unsigned value of one pixel channel. */
    public int pixel(int i, int row, int col, int ch) {
        return pixels[((i * height + row) * width + col) * channels + ch] & 0xff;
    }

    public int[] labels() { return labels.clone(); }
    public boolean[] poisonFlags() { return poisoned.clone(); }

    public int poisonedCount() {
        int c = 0;
        for (boolean p : poisoned) if (p) c++;
        return c;
    }

    /** The samples at the given positions, in that order, provenance kept. */
    public ImageSet subset(int[] positions) {
        return subset(name, positions);
    }

    public ImageSet subset(String newName, int[] positions) {
        int b = imageBytes();
        byte[] px = new byte[positions.length * b];
        int[] l = new int[positions.length];
        int[] oi = new int[positions.length];
        boolean[] p = new boolean[positions.length];
        int[] ol = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            int i = positions[k];
            System.arraycopy(pixels, i * b, px, k * b, b);
            l[k] = labels[i];
            oi[k] = originalIndex[i];
            p[k] = poisoned[i];
            ol[k] = originalLabel[i];
        }
        return new ImageSet(newName, height, width, channels, numClasses, px, l, oi, p, ol);
    }

    /** This set followed by another of the same shape and classes, provenance kept. */
    public ImageSet concat(String newName, ImageSet other) {
        if (other.height != height || other.width != width || other.channels != channels || other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot append " + other + " to " + this + ": shapes or classes differ");
        }
        byte[] px = Arrays.copyOf(pixels, pixels.length + other.pixels.length);
        System.arraycopy(other.pixels, 0, px, pixels.length, other.pixels.length);
        boolean[] p = Arrays.copyOf(poisoned, size + other.size);
        System.arraycopy(other.poisoned, 0, p, size, other.size);
        return new ImageSet(newName, height, width, channels, numClasses, px, cat(labels, other.labels),
                cat(originalIndex, other.originalIndex), p, cat(originalLabel, other.originalLabel));
    }

    private static int[] cat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Positions of samples whose label is (or is not) the given class. */
    public int[] positionsWithLabel(int label, boolean equal) {
        return java.util.stream.IntStream.range(0, size).filter(i -> (labels[i] == label) == equal).toArray();
    }

    /** SHA-256 over shape, pixels and labels: identifies the data a run saw. */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((height + "x" + width + "x" + channels + ":" + size + ":" + numClasses).getBytes());
            md.update(pixels);
            for (int l : labels) {
                md.update((byte) (l >>> 24)); md.update((byte) (l >>> 16)); md.update((byte) (l >>> 8)); md.update((byte) l);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A mutable copy for building poisoned or relabelled sets; build() freezes it. */
    public Editor edit() {
        return new Editor(this);
    }

    /** Copy-on-build editor: the source set is never changed. */
    public static final class Editor {
        private final ImageSet src;
        private final byte[] pixels;
        private final int[] labels;
        private final boolean[] poisoned;
        private String name;

        private Editor(ImageSet s) {
            src = s;
            pixels = s.pixels.clone();
            labels = s.labels.clone();
            poisoned = s.poisoned.clone();
            name = s.name;
        }

        public Editor name(String n) { name = n; return this; }

        /** Replaces image i (HWC, imageBytes() long). */
        public Editor image(int i, byte[] hwc) {
            int b = src.imageBytes();
            if (hwc.length != b) throw new IllegalArgumentException("image must be " + b + " bytes, got " + hwc.length);
            System.arraycopy(hwc, 0, pixels, i * b, b);
            return this;
        }

        public byte[] image(int i) {
            int b = src.imageBytes();
            return Arrays.copyOfRange(pixels, i * b, (i + 1) * b);
        }

        public Editor label(int i, int label) { labels[i] = label; return this; }

        public Editor poisoned(int i, boolean p) { poisoned[i] = p; return this; }

        public ImageSet build() {
            return new ImageSet(name, src.height, src.width, src.channels, src.numClasses, pixels.clone(), labels.clone(),
                    src.originalIndex.clone(), poisoned.clone(), src.originalLabel.clone());
        }
    }

    @Override
    public String toString() {
        return name + "[" + size + " x " + height + "x" + width + "x" + channels + ", " + numClasses + " classes, " + poisonedCount() + " poisoned]";
    }
}
