package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which samples of a poisoned set carry a trigger and how their labels changed, as a CSV with header
 * {@code index,poisoned,original_label,label} (index = original index, poisoned = 0 or 1).
 */
public record PoisonManifest(List<Entry> entries) {
    public static final String HEADER = "index,poisoned,original_label,label";

    /** One sample's row. */
    public record Entry(int index, boolean poisoned, int originalLabel, int label) {}

    public PoisonManifest {
        entries = List.copyOf(entries);
    }

    public static PoisonManifest of(ImageSet set) {
        List<Entry> e = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            e.add(new Entry(set.originalIndex(i), set.poisoned(i), set.originalLabel(i), set.label(i)));
        }
        return new PoisonManifest(e);
    }

    public int poisonedCount() {
        return (int) entries.stream().filter(Entry::poisoned).count();
    }

    public void write(Path csv) {
        try {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                out.write(HEADER);
                out.newLine();
                for (Entry e : entries) {
                    out.write(e.index() + "," + (e.poisoned() ? 1 : 0) + "," + e.originalLabel() + "," + e.label());
                    out.newLine();
                }
            }
        } catch (IOException e) {
            throw new BadInputException("manifest '" + csv + "' cannot be written: " + e.getMessage(), e);
        }
    }

    public static PoisonManifest read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("manifest '" + csv + "' cannot be read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new BadInputException("manifest '" + csv + "' does not start with the header " + HEADER);
        }
        List<Entry> entries = new ArrayList<>(lines.size() - 1);
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) continue;
            String[] f = line.split(",", -1);
            if (f.length != 4) {
                throw new BadInputException("manifest '" + csv + "' line " + (n + 1) + " has " + f.length + " fields, expected 4");
            }
            int poisoned = number(csv, n, "poisoned", f[1]);
            if (poisoned != 0 && poisoned != 1) {
                throw new BadInputException("manifest '" + csv + "' line " + (n + 1) + ": poisoned " + poisoned + " is not 0 or 1");
            }
            entries.add(new Entry(number(csv, n, "index", f[0]), poisoned == 1, number(csv, n, "original_label", f[2]),
                    number(csv, n, "label", f[3])));
        }
        return new PoisonManifest(entries);
    }

    private static int number(Path csv, int n, String field, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("manifest '" + csv + "' line " + (n + 1) + ": " + field + " '" + v + "' is not an integer");
        }
    }
}
