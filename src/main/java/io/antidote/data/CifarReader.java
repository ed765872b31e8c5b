package io.antidote.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 from their extracted directory or from the
 * official .tar.gz, converting the channel planes of each record to HWC.
 */
public final class CifarReader {
    /** CIFAR-10's class names by label, as its batches.meta.txt lists them. */
    public static final java.util.List<String> CIFAR10_CLASSES =
            java.util.List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /** Bytes of one 32x32x3 image in a record. */
    static final int IMAGE_BYTES = 32 * 32 * 3;
    private static final String C10_DIR = "cifar-10-batches-bin";
    private static final String C100_DIR = "cifar-100-binary";
    private static final List<String> C10_TRAIN =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    private static final List<String> C10_TEST = List.of("test_batch.bin");

    private CifarReader() {}

    /**
     * CIFAR-10 (10 classes): the 50000 training images from data_batch_1..5.bin in file order, or
     * the 10000 test images from test_batch.bin. The path may be the cifar-10-batches-bin
     * directory, a directory containing it, or cifar-10-binary.tar.gz.
     */
    public static ImageSet cifar10(Path dirOrTgz, boolean train) {
        Layout l = new Layout(C10_DIR, "cifar-10-binary.tar.gz", train ? C10_TRAIN : C10_TEST, 1, 10, 10_000);
        return read(dirOrTgz, l, train ? "cifar10-train" : "cifar10-test");
    }

    /** CIFAR-10 from the default location, {@link DataPaths#cifar10()}. */
    public static ImageSet cifar10(boolean train) {
        return cifar10(DataPaths.cifar10(), train);
    }

    /**
     * CIFAR-100 with its 100 fine labels (the coarse label is checked, then dropped): train.bin or
     * test.bin from the cifar-100-binary directory, a directory containing it, or
     * cifar-100-binary.tar.gz.
     */
    public static ImageSet cifar100(Path dirOrTgz, boolean train) {
        Layout l = new Layout(C100_DIR, "cifar-100-binary.tar.gz", List.of(train ? "train.bin" : "test.bin"), 2, 100,
                train ? 50_000 : 10_000);
        return read(dirOrTgz, l, train ? "cifar100-train" : "cifar100-test");
    }

    /**
     * One file in the CIFAR-10 record layout with any number of records, such as one written by
     * {@link CifarWriter}; labels must lie in [0, numClasses).
     */
    public static ImageSet readFile(Path file, int numClasses) {
        if (numClasses < 1 || numClasses > 256) throw Inputs.bad(file, "numClasses " + numClasses + " is outside [1,256]");
        if (!Files.isRegularFile(file)) throw Inputs.bad(file, "file not found");
        Layout l = new Layout("", "", List.of(file.getFileName().toString()), 1, numClasses, -1);
        String name = file.getFileName().toString().replaceFirst("\\.bin$", "");
        return readParts(List.of(Part.of(file)), l, name);
    }

    /** What distinguishes the two variants: file names, label bytes per record, classes. */
    private record Layout(String dirName, String tgzName, List<String> files, int labelBytes, int numClasses,
                          int recordsPerFile) {
        int recordBytes() { return labelBytes + IMAGE_BYTES; }
    }

    /** A file to decode: either on disk or already pulled out of an archive. */
    private record Part(String source, long size, Path path, byte[] data) {
        static Part of(Path p) {
            try {
                return new Part(p.toString(), Files.size(p), p, null);
            } catch (IOException e) {
                throw Inputs.io(p, e);
            }
        }

        byte[] bytes() {
            if (data != null) return data;
            try {
                return Files.readAllBytes(path);
            } catch (IOException e) {
                throw Inputs.io(path, e);
            }
        }
    }

    private static ImageSet read(Path given, Layout l, String name) {
        if (Files.isDirectory(given)) {
            Path dir = given;
            if (!Files.exists(dir.resolve(l.files.get(0)))) {
                if (Files.isDirectory(dir.resolve(l.dirName))) dir = dir.resolve(l.dirName);
                else if (Files.isRegularFile(dir.resolve(l.tgzName))) return readTgz(dir.resolve(l.tgzName), l, name);
            }
            List<Part> parts = new ArrayList<>();
            for (String f : l.files) {
                Path p = dir.resolve(f);
                if (!Files.isRegularFile(p)) throw Inputs.bad(p, "file not found");
                parts.add(Part.of(p));
            }
            return readParts(parts, l, name);
        }
        if (Files.isRegularFile(given)) {
            String fn = given.getFileName().toString();
            if (fn.endsWith(".tar.gz") || fn.endsWith(".tgz")) return readTgz(given, l, name);
            throw Inputs.bad(given, "expected the " + l.dirName + " directory or " + l.tgzName);
        }
        throw Inputs.bad(given, "file not found");
    }

    private static ImageSet readTgz(Path tgz, Layout l, String name) {
        Set<String> wanted = new HashSet<>(l.files);
        Map<String, byte[]> entries = TarGz.read(tgz, n -> wanted.contains(baseName(n)));
        List<Part> parts = new ArrayList<>();
        for (String f : l.files) {
            Map.Entry<String, byte[]> hit = null;
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                if (baseName(e.getKey()).equals(f)) {
                    hit = e;
                    break;
                }
            }
            if (hit == null) throw Inputs.bad(tgz, "archive has no entry " + l.dirName + "/" + f);
            parts.add(new Part(tgz + " entry " + hit.getKey(), hit.getValue().length, null, hit.getValue()));
        }
        return readParts(parts, l, name);
    }

    private static String baseName(String entry) {
        return entry.substring(entry.lastIndexOf('/') + 1);
    }

    private static ImageSet readParts(List<Part> parts, Layout l, String name) {
        int rec = l.recordBytes();
        long total = 0;
        // Sizes are checked before anything is read, so a bad last file fails fast.
        for (Part p : parts) {
            long full = p.size / rec;
            long rest = p.size % rec;
            if (p.size == 0) throw Inputs.bad(p.source, "file is empty");
            if (rest != 0) {
                if (l.recordsPerFile > 0 && full >= l.recordsPerFile) {
                    throw Inputs.bad(p.source, rest + " trailing bytes after " + full + " records (size " + p.size
                            + " is not a multiple of " + rec + ")");
                }
                throw Inputs.bad(p.source, "record " + full + " is truncated (" + rest + " of " + rec + " bytes)");
            }
            total += full;
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 16) throw Inputs.bad(parts.get(0).source, "too many records (" + total + ")");
        byte[] pixels = new byte[(int) total * IMAGE_BYTES];
        int[] labels = new int[(int) total];
        int at = 0;
        for (Part p : parts) {
            byte[] data = p.bytes();
            if (data.length != p.size) throw Inputs.bad(p.source, "file changed while being read");
            at = decode(p.source, data, l, pixels, labels, at);
        }
        return ImageSet.of(name, 32, 32, 3, l.numClasses, pixels, labels);
    }

    /** Decodes whole records into the HWC buffer starting at sample {@code at}; returns the next sample. */
    private static int decode(String source, byte[] data, Layout l, byte[] pixels, int[] labels, int at) {
        int rec = l.recordBytes();
        int n = data.length / rec;
        for (int r = 0; r < n; r++) {
            int base = r * rec;
            int label;
            if (l.labelBytes == 2) {
                int coarse = data[base] & 0xff;
                if (coarse >= 20) throw Inputs.bad(source, "coarse label " + coarse + " of record " + r + " is outside [0,20)");
                label = data[base + 1] & 0xff;
                if (label >= l.numClasses) {
                    throw Inputs.bad(source, "fine label " + label + " of record " + r + " is outside [0," + l.numClasses + ")");
                }
            } else {
                label = data[base] & 0xff;
                if (label >= l.numClasses) {
                    throw Inputs.bad(source, "label " + label + " of record " + r + " is outside [0," + l.numClasses + ")");
                }
            }
            labels[at] = label;
            planesToHwc(data, base + l.labelBytes, pixels, at * IMAGE_BYTES);
            at++;
        }
        return at;
    }

    static void planesToHwc(byte[] src, int srcOff, byte[] dst, int dstOff) {
        for (int p = 0; p < 1024; p++) {
            int d = dstOff + p * 3;
            dst[d] = src[srcOff + p];
            dst[d + 1] = src[srcOff + 1024 + p];
            dst[d + 2] = src[srcOff + 2048 + p];
        }
    }
}
