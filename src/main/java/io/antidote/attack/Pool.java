package io.antidote.attack;

import io.antidote.BadInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which training samples the poison draw runs over, and which of the drawn ones get the trigger. */
public enum Pool {
    /** Draw over every sample, target class included, as ABL and NAD do (§2.1). */
    ALL,
    /** Draw over samples whose label is not the target, as ASD and DBD do (§2.5). */
    NON_TARGET,
    /**
     * Clean-label: draw over target-class samples only. With the EXACT rule the count is still
     * floor(N x rate) of the whole set, capped at the number of target-class images.
     */
    TARGET,
    /**
     * Clean-label as ABL/NAD code it (§2.1 "cleanLabel"): draw floor(N x rate) over every sample, then
     * trigger only the drawn ones of the target class, so about rate x (target-class count) carry it.
     */
    REFERENCE_CLEAN_LABEL;

    /** Whether a sample of this label may be drawn. */
    boolean drawable(int label, int target) {
        return switch (this) {
            case ALL, REFERENCE_CLEAN_LABEL -> true;
            case NON_TARGET -> label != target;
            case TARGET -> label == target;
        };
    }

    /** Whether a drawn sample of this label is triggered. */
    boolean triggered(int label, int target) {
        return this != REFERENCE_CLEAN_LABEL || label == target;
    }

    boolean fits(LabelMode mode) {
        boolean cleanLabelPool = this == TARGET || this == REFERENCE_CLEAN_LABEL;
        return cleanLabelPool == (mode == LabelMode.CLEAN_LABEL);
    }

    static Pool defaultFor(LabelMode mode) {
        return mode == LabelMode.CLEAN_LABEL ? TARGET : ALL;
    }

    public static Pool parse(String s) {
        String t = s == null ? "" : s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Pool p : values()) {
            if (p.name().equals(t)) return p;
        }
        throw new BadInputException("pool '" + s + "' is unknown; known: "
                + Arrays.stream(values()).map(p -> p.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")));
    }
}
