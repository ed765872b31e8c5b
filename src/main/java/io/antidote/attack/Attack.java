package io.antidote.attack;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A backdoor trigger that turns one uint8 HWC image into its triggered copy, the same way every
 * time for a given instance: any randomness (a noise pattern, a warp field) is fixed when the
 * instance is built from its seed.
 */
public interface Attack {

    /** The registry name, e.g. "badnets". */
    String name();

    /** Every parameter with the value in force, defaults included, for provenance. */
    Map<String, String> parameters();

    /**
     * The triggered copy of one image; the argument is left untouched.
     *
     * @param hwc image bytes, row-major, channels last, {@code height * width * channels} long
     */
    byte[] apply(byte[] hwc, int height, int width, int channels);

    /**
     * The triggered copy of the sample with this original index. Attacks whose trigger varies per
     * image (Refool's choice of reflection) derive it from the index so a poisoned set can be rebuilt
     * bit for bit; all others ignore it.
     */
    default byte[] apply(byte[] hwc, int height, int width, int channels, int originalIndex) {
        return apply(hwc, height, width, channels);
    }

    /** "name(key=value, ...)", one line, for logs and run records. */
    default String describe() {
        return name() + parameters().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "(", ")"));
    }

    /** Guards against callers handing a buffer of the wrong shape, which is a bug, not bad input. */
    static void checkShape(byte[] hwc, int height, int width, int channels) {
        if (height <= 0 || width <= 0 || channels <= 0 || hwc.length != height * width * channels) {
            throw new IllegalArgumentException("image of " + hwc.length + " bytes is not " + height + "x" + width + "x" + channels);
        }
    }
}
