package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.attack.PoisonManifest;
import io.antidote.data.CifarReader;
import io.antidote.data.CifarWriter;
import io.antidote.data.ImageSet;
import io.antidote.report.RunDirectory;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The directory `antidote poison` writes and `--data poisoned:DIR` reads: train.bin (the poisoned
 * training set), test.bin (the clean test set), test_poisoned.bin (the triggered test set), each one
 * file of CIFAR-10 binary records (label byte, then the R, G and B planes); manifest.csv (which
 * training samples carry the trigger); poison.json (the spec, class count, sizes and checksums).
 */
final class PoisonedDir {
    static final String TRAIN = "train.bin";
    static final String TEST = "test.bin";
    static final String TEST_POISONED = "test_poisoned.bin";
    static final String MANIFEST = "manifest.csv";
    static final String META = "poison.json";

    private PoisonedDir() {}

    /** Refuses a directory that already holds files, before any work is done. */
    static void requireFree(Path dir) {
        if (Files.isRegularFile(dir)) throw new BadInputException("--out " + dir + ": is a file, not a directory");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                if (ds.iterator().hasNext()) throw new BadInputException("--out " + dir + ": exists and is not empty; choose another directory");
            } catch (IOException e) {
                throw new BadInputException("--out " + dir + ": cannot be listed (" + e.getMessage() + ")", e);
            }
        }
    }

    /** CIFAR records are 32x32x3; checked before poisoning so an unfit set fails at once. */
    static void requireCifarShape(ImageSet set, String data) {
        if (set.height() != 32 || set.width() != 32 || set.channels() != 3 || set.numClasses() > 256) {
            throw new BadInputException("--format cifar holds 32x32x3 images with at most 256 classes; --data " + data + " has "
                    + set.height() + "x" + set.width() + "x" + set.channels() + " images, " + set.numClasses() + " classes");
        }
    }

    /**
     * Writes everything into a hidden sibling directory and renames it into place, so the directory
     * appears complete or not at all.
     */
    static void write(Path dir, AttackOptions.Poisoned p, ImageSet cleanTest, String data) {
        requireFree(dir);
        Path abs = dir.toAbsolutePath().normalize();
        Path tmp;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".part");
        } catch (IOException e) {
            throw new BadInputException("--out " + dir + ": cannot create (" + e.getMessage() + ")", e);
        }
        try {
            CifarWriter.write(p.poisonedTrain(), tmp.resolve(TRAIN));
            CifarWriter.write(cleanTest, tmp.resolve(TEST));
            CifarWriter.write(p.poisonedTest(), tmp.resolve(TEST_POISONED));
            PoisonManifest.of(p.poisonedTrain()).write(tmp.resolve(MANIFEST));
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("format", "cifar");
            meta.put("data", data);
            meta.put("num_classes", p.poisonedTrain().numClasses());
            meta.put("attack", p.summary());
            meta.put("train", part(TRAIN, p.poisonedTrain()));
            meta.put("test", part(TEST, cleanTest));
            meta.put("test_poisoned", part(TEST_POISONED, p.poisonedTest()));
            new RunDirectory(tmp).writeJson(META, meta);
            // An empty directory left by the user is in the way of the rename, not a reason to refuse.
            if (Files.isDirectory(abs)) Files.delete(abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs);
            }
        } catch (IOException e) {
            deleteTree(tmp);
            throw new BadInputException("--out " + dir + ": cannot be written (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static Map<String, Object> part(String file, ImageSet set) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("name", set.name());
        m.put("size", set.size());
        m.put("poisoned", set.poisonedCount());
        m.put("sha256", set.sha256());
        return m;
    }

    /** Reads a directory written by {@link #write}, with the poisoned flags of the manifest restored. */
    static DataSource.Split read(Path dir) {
        Path metaFile = dir.resolve(META);
        if (!Files.isRegularFile(metaFile)) {
            throw new BadInputException("--data poisoned:" + dir + ": no " + META + "; expected a directory written by antidote poison");
        }
        Map<?, ?> meta = RunDirectory.readJson(metaFile);
        if (!"cifar".equals(meta.get("format"))) {
            throw new BadInputException(metaFile + ": format '" + meta.get("format") + "' is unknown; known: cifar");
        }
        int numClasses = integer(metaFile, meta, "num_classes");
        Map<?, ?> attack = map(metaFile, meta, "attack");
        ImageSet train = readPart(dir, metaFile, meta, "train", numClasses);
        ImageSet test = readPart(dir, metaFile, meta, "test", numClasses);
        ImageSet poisonedTest = readPart(dir, metaFile, meta, "test_poisoned", numClasses);

        Path csv = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(csv)) throw new BadInputException(csv + ": file not found");
        List<PoisonManifest.Entry> rows = PoisonManifest.read(csv).entries();
        if (rows.size() != train.size()) {
            throw new BadInputException(csv + ": has " + rows.size() + " rows, " + TRAIN + " " + train.size() + " records");
        }
        // ImageSet keeps original index and label to itself; only the poisoned flag can be set from here.
        ImageSet.Editor ed = train.edit();
        for (int i = 0; i < rows.size(); i++) {
            PoisonManifest.Entry e = rows.get(i);
            if (e.label() != train.label(i)) {
                throw new BadInputException(csv + ": row " + (i + 1) + " gives label " + e.label() + ", " + TRAIN + " record " + i + " has " + train.label(i));
            }
            if (e.poisoned()) ed.poisoned(i, true);
        }
        ImageSet.Editor pt = poisonedTest.edit();
        for (int i = 0; i < poisonedTest.size(); i++) pt.poisoned(i, true);

        // The summary's target is the spec's; all2all counts no class as the target.
        int target = "all2all".equals(attack.get("label_mode")) ? -1 : integer(metaFile, attack, "target");
        Map<String, Object> summary = new LinkedHashMap<>();
        attack.forEach((k, v) -> summary.put(String.valueOf(k), v));
        summary.put("source", dir.toString());
        return new DataSource.Split(ed.build(), test, new DataSource.Poisoning(pt.build(), target, summary));
    }

    private static ImageSet readPart(Path dir, Path metaFile, Map<?, ?> meta, String key, int numClasses) {
        Map<?, ?> m = map(metaFile, meta, key);
        Object file = m.get("file");
        if (!(file instanceof String f) || f.isEmpty() || f.contains("/") || f.contains("\\")) {
            throw new BadInputException(metaFile + ": " + key + ".file '" + file + "' is not a file name");
        }
        ImageSet set = CifarReader.readFile(dir.resolve(f), numClasses);
        // A set changed after it was written would train silently on other data than poison.json describes.
        if (!set.sha256().equals(m.get("sha256"))) {
            throw new BadInputException(dir.resolve(f) + ": does not match the sha256 in " + META + "; it changed after antidote poison wrote it");
        }
        Object name = m.get("name");
        return name instanceof String n ? set.edit().name(n).build() : set;
    }

    private static Map<?, ?> map(Path file, Map<?, ?> meta, String key) {
        if (!(meta.get(key) instanceof Map<?, ?> m)) throw new BadInputException(file + ": field '" + key + "' is missing or not an object");
        return m;
    }

    private static int integer(Path file, Map<?, ?> meta, String key) {
        if (!(meta.get(key) instanceof Integer i)) throw new BadInputException(file + ": field '" + key + "' is missing or not an integer");
        return i;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // the failure that brought us here is the one worth reporting; a hidden .part directory may stay
        }
    }
}
