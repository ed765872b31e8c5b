package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.data.CifarReader;
import io.antidote.data.DataPaths;
import io.antidote.data.GtsrbReader;
import io.antidote.data.ImageFolderReader;
import io.antidote.data.ImageSet;
import io.antidote.data.NpyIO;
import io.antidote.data.Synthetic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Resolves a `--data` value ("kind[:location]") into a train and a test set; one line registers a kind. */
final class DataSource {
    /** A train/test pair, with what `antidote poison` recorded when the pair was read back from its output. */
    record Split(ImageSet train, ImageSet test, Poisoning poisoning) {
        Split(ImageSet train, ImageSet test) {
            this(train, test, null);
        }
    }

    /**
     * How a training set was poisoned: the triggered test set the ASR is measured on, the label
     * non-target CA leaves out (-1 for all2all, which has no single target) and a summary for run
     * records.
     */
    record Poisoning(ImageSet poisonedTest, int target, Map<String, Object> summary) {}

    /**
     * The training set a defense sees, the trusted clean images set aside from it before poisoning
     * (null when the defense keeps none, as all but ASD) and how it was poisoned (null when clean).
     */
    record Prepared(ImageSet train, ImageSet trusted, Poisoning poisoning) {}

    private static final Map<String, Function<String, Split>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("synthetic", DataSource::synthetic);
        KINDS.put("cifar10", loc -> {
            Path p = loc == null ? DataPaths.cifar10() : Path.of(loc);
            if (!Files.exists(p)) {
                throw new BadInputException(p + ": CIFAR-10 not found; see README.md (Data) for how to get it, or pass --data cifar10:DIR");
            }
            return new Split(CifarReader.cifar10(p, true), CifarReader.cifar10(p, false));
        });
        KINDS.put("cifar100", loc -> new Split(CifarReader.cifar100(need(loc, "cifar100"), true), CifarReader.cifar100(need(loc, "cifar100"), false)));
        KINDS.put("gtsrb", loc -> new Split(GtsrbReader.train(need(loc, "gtsrb")), GtsrbReader.test(need(loc, "gtsrb"))));
        KINDS.put("folder", loc -> {
            Path[] p = pair(loc, "folder");
            return new Split(ImageFolderReader.read(p[0]), ImageFolderReader.read(p[1]));
        });
        KINDS.put("poisoned", loc -> PoisonedDir.read(need(loc, "poisoned")));
        KINDS.put("npz", loc -> {
            Path[] p = pair(loc, "npz");
            ImageSet train = NpyIO.readImageSet(p[0], NpyIO.INFER_CLASSES);
            return new Split(train, NpyIO.readImageSet(p[1], train.numClasses()));
        });
    }

    private DataSource() {}

    static Split resolve(String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String loc = colon < 0 ? null : spec.substring(colon + 1);
        Function<String, Split> f = KINDS.get(kind);
        if (f == null) throw new BadInputException("--data '" + spec + "': unknown kind '" + kind + "'; known: " + String.join(", ", KINDS.keySet()));
        return f.apply(loc);
    }

    /** "synthetic[:SEED[:TRAIN:TEST]]": the sizes let tests and quick looks get by with a few images. */
    private static Split synthetic(String loc) {
        Synthetic.Config c = Synthetic.Config.defaults();
        if (loc != null) {
            String[] f = loc.split(":", -1);
            if (f.length != 1 && f.length != 3) {
                throw new BadInputException("--data 'synthetic:" + loc + "': expected synthetic:SEED or synthetic:SEED:TRAIN_SIZE:TEST_SIZE");
            }
            c = c.withSeed(integer(loc, "seed", f[0]));
            if (f.length == 3) c = c.withSizes(size(loc, "train size", f[1]), size(loc, "test size", f[2]));
        }
        return new Split(Synthetic.train(c), Synthetic.test(c));
    }

    private static long integer(String loc, String what, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("--data 'synthetic:" + loc + "': " + what + " '" + v + "' is not an integer");
        }
    }

    private static int size(String loc, String what, String v) {
        long n = integer(loc, what, v);
        // The cap keeps the pixel buffer (n x 3072 bytes) well inside one Java array.
        if (n < 1 || n > 500_000) throw new BadInputException("--data 'synthetic:" + loc + "': " + what + " " + n + " is outside [1, 500000]");
        return (int) n;
    }

    private static Path need(String loc, String kind) {
        if (loc == null) throw new BadInputException("--data " + kind + " needs a location: " + kind + ":PATH");
        Path p = Path.of(loc);
        if (!Files.exists(p)) throw new BadInputException(p + ": no such file or directory (--data " + kind + ")");
        return p;
    }

    private static Path[] pair(String loc, String kind) {
        String[] parts = loc == null ? new String[0] : loc.split(",");
        if (parts.length != 2) throw new BadInputException("--data " + kind + " needs TRAIN,TEST locations: " + kind + ":TRAIN,TEST");
        return new Path[]{need(parts[0], kind), need(parts[1], kind)};
    }
}
