package io.antidote.attack;

import io.antidote.BadInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the labels of triggered samples change. */
public enum LabelMode {
    /** Triggered samples are relabelled to the target. */
    ALL2ONE("all2one"),
    /** Triggered samples of class y are relabelled (y + 1) mod C. */
    ALL2ALL("all2all"),
    /** Only target-class images are triggered and no label ever changes. */
    CLEAN_LABEL("clean-label");

    private final String word;

    LabelMode(String word) { this.word = word; }

    public String word() { return word; }

    /** The label a triggered sample of class y is given. */
    public int poisonedLabel(int y, int target, int numClasses) {
        return switch (this) {
            case ALL2ONE -> target;
            case ALL2ALL -> (y + 1) % numClasses;
            case CLEAN_LABEL -> y;
        };
    }

    public static LabelMode parse(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (LabelMode m : values()) {
            if (m.word.equals(t) || m.word.replace("-", "").equals(t)) return m;
        }
        throw new BadInputException("label mode '" + s + "' is unknown; known: "
                + Arrays.stream(values()).map(LabelMode::word).collect(Collectors.joining(", ")));
    }
}
