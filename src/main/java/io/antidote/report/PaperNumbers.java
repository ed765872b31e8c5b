package io.antidote.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Published CA and ASR of defenses on CIFAR-10, to print beside our own runs of the same attack and defense. */
public final class PaperNumbers {
    /** One published result; rates are fractions like ours. */
    public record Row(String defense, String attack, String model, String data, double asr, double ca, String source) {}

    private static final String README = "ABL README leaderboard";
    private static final String SLIDES = "ABL slides";

    private static final List<Row> ROWS = List.of(
            new Row("ABL", "badnets", "WRN-16-1", "CIFAR-10", 0.0304, 0.8611, README),
            new Row("ABL", "trojan", "WRN-16-1", "CIFAR-10", 0.0381, 0.8746, SLIDES),
            new Row("ABL", "blend", "WRN-16-1", "CIFAR-10", 0.1623, 0.8406, SLIDES),
            new Row("ABL", "sig", "WRN-16-1", "CIFAR-10", 0.0009, 0.8827, SLIDES),
            new Row("ABL", "cl", "WRN-16-1", "CIFAR-10", 0.0, 0.8903, SLIDES),
            new Row("MCR", "badnets", "WRN-16-1", "CIFAR-10", 0.0332, 0.7849, SLIDES));

    private PaperNumbers() {}

    public static List<Row> rows() {
        return ROWS;
    }

    /** The published row for a defense and attack name, compared without regard to case. */
    public static Optional<Row> find(String defense, String attack) {
        if (defense == null || attack == null) return Optional.empty();
        String d = defense.toLowerCase(Locale.ROOT), a = attack.toLowerCase(Locale.ROOT);
        return ROWS.stream().filter(r -> r.defense().toLowerCase(Locale.ROOT).equals(d) && r.attack().equals(a)).findFirst();
    }
}
