package io.antidote.data;

/** Derives independent generator seeds from (seed, index) pairs, so parallel work stays reproducible. */
final class Seeds {
    private Seeds() {}

    /** A seed for item k under the given seed; nearby pairs give unrelated values. */
    static long derive(long seed, long k) {
        return mix(mix(seed) + (k + 1) * 0x9E3779B97F4A7C15L);
    }

    /** A bijective 64-bit scrambler (the SplitMix64 finaliser). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
