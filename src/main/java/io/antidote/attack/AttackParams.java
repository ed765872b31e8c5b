package io.antidote.attack;

import io.antidote.BadInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The user's string parameters for one attack, read field by field with defaults, so that every bad
 * value and every unknown key becomes a one-line {@link BadInputException}.
 *
 * <p>A factory must read every parameter its attack knows, whatever the values of the others:
 * {@link #finish()} can then list the known names when it meets a key nobody asked for.
 */
public final class AttackParams {
    private final String attack;
    private final Map<String, String> given;
    private final TreeSet<String> known = new TreeSet<>();

    public AttackParams(String attack, Map<String, String> given) {
        this.attack = attack;
        this.given = new TreeMap<>();
        if (given != null) {
            given.forEach((k, v) -> this.given.put(k.trim().toLowerCase(Locale.ROOT), v == null ? "" : v.trim()));
        }
    }

    public String attack() { return attack; }

    private String raw(String key) {
        known.add(key);
        return given.get(key);
    }

    public String text(String key, String def) {
        String v = raw(key);
        return v == null ? def : v;
    }

    /** One of a fixed set of words, compared case-insensitively and returned in lower case. */
    public String choice(String key, String def, String... allowed) {
        String v = text(key, def).toLowerCase(Locale.ROOT);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new BadInputException(attack + " " + key + " '" + v + "' is unknown; known: " + String.join(", ", new TreeSet<>(Arrays.asList(allowed))));
        }
        return v;
    }

    /** An integer inside an interval written like "[2, 32]" or "[0, inf)". */
    public int integer(String key, int def, String interval) {
        String v = raw(key);
        int x;
        if (v == null) {
            x = def;
        } else {
            try {
                x = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new BadInputException(attack + " " + key + " '" + v + "' is not an integer");
            }
        }
        if (!Interval.parse(interval).contains(x)) {
            throw new BadInputException(attack + " " + key + " " + x + " is outside " + interval);
        }
        return x;
    }

    /** A finite real number inside an interval written like "(0, 1]". */
    public double real(String key, double def, String interval) {
        String v = raw(key);
        double x;
        if (v == null) {
            x = def;
        } else {
            try {
                x = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new BadInputException(attack + " " + key + " '" + v + "' is not a number");
            }
        }
        if (!Interval.parse(interval).contains(x)) {
            throw new BadInputException(attack + " " + key + " " + fmt(x) + " is outside " + interval);
        }
        return x;
    }

    public long seed(String key, long def) {
        String v = raw(key);
        if (v == null) return def;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadInputException(attack + " " + key + " '" + v + "' is not an integer");
        }
    }

    public boolean flag(String key, boolean def) {
        String v = raw(key);
        if (v == null) return def;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new BadInputException(attack + " " + key + " '" + v + "' is not true or false");
        };
    }

    /** An optional existing file; null when the key is absent or empty. */
    public Path file(String key) {
        String v = raw(key);
        if (v == null || v.isEmpty()) return null;
        Path p = Path.of(v);
        if (!Files.isRegularFile(p)) {
            throw new BadInputException(attack + " " + key + " '" + v + "' is not a readable file");
        }
        return p;
    }

    /** Rejects keys that no read asked for; call after reading every known parameter. */
    public void finish() {
        for (String k : given.keySet()) {
            if (!known.contains(k)) {
                throw new BadInputException("unknown parameter '" + k + "' for attack '" + attack + "'; known: "
                        + (known.isEmpty() ? "(none)" : String.join(", ", known)));
            }
        }
    }

    static String fmt(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return Long.toString((long) x);
        return Double.toString(x);
    }

    /** A closed, open or half-open interval parsed from its usual notation. */
    record Interval(double lo, boolean loOpen, double hi, boolean hiOpen) {
        static Interval parse(String s) {
            String t = s.trim();
            String[] parts = t.substring(1, t.length() - 1).split(",");
            return new Interval(bound(parts[0]), t.charAt(0) == '(', bound(parts[1]), t.charAt(t.length() - 1) == ')');
        }

        private static double bound(String b) {
            String t = b.trim();
            return switch (t) {
                case "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(t);
            };
        }

        boolean contains(double x) {
            // NaN fails every comparison, so it lands outside any interval, as it should.
            boolean aboveLo = loOpen ? x > lo : x >= lo;
            boolean belowHi = hiOpen ? x < hi : x <= hi;
            return aboveLo && belowHi && !Double.isInfinite(x);
        }
    }
}
