package io.antidote.defense;

import io.antidote.data.ImageSet;
import io.antidote.defense.Abl.Isolation;
import io.antidote.defense.Abl.IsolationPick;
import io.antidote.train.Checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The isolation epochs still in the running for an {@link IsolationPick}: those whose label share is
 * within the rule's band of the highest so far. Kept in the isolation checkpoint, so a resumed run
 * chooses among every epoch as an uninterrupted one does.
 */
final class IsolationPicks {
    /** How far below the highest label share an epoch may lie and still be chosen by its separation. */
    static final double SEPARATED_BAND = 0.05;
    static final String KEY = "isolation_candidates";
    /** What checkpoints written before the separated pick hold: one epoch, as "epoch:positions". */
    static final String OLD_KEY = "isolation_pick";

    /** An isolation epoch (1-based) and the set it isolated. */
    record Candidate(int epoch, Isolation isolation) {}

    private final IsolationPick rule;
    private final List<Candidate> candidates = new ArrayList<>();

    IsolationPicks(IsolationPick rule) {
        this.rule = rule;
    }

    private double band() {
        return rule == IsolationPick.SEPARATED ? SEPARATED_BAND : 0;
    }

    /** Adds an epoch's set and drops the epochs that have fallen out of the band. */
    void offer(int epoch, Isolation iso) {
        candidates.add(new Candidate(epoch, iso));
        double top = candidates.stream().mapToDouble(c -> c.isolation().labelShare()).max().orElse(Double.NaN);
        // the epsilon keeps equal shares computed from equal counts in the band
        candidates.removeIf(c -> !(c.isolation().labelShare() >= top - band() - 1e-12));
    }

    /**
     * The chosen epoch, or null before any: the most concentrated set (the latest at a tie), or for
     * SEPARATED, the best separated set within the band of the most concentrated (the latest at a tie).
     */
    Candidate best() {
        Comparator<Candidate> order = rule == IsolationPick.SEPARATED
                ? Comparator.comparingDouble((Candidate c) -> Double.isNaN(c.isolation().separation()) ? Double.NEGATIVE_INFINITY : c.isolation().separation())
                : Comparator.comparingDouble((Candidate c) -> c.isolation().labelShare());
        return candidates.stream().max(order.thenComparingInt(Candidate::epoch)).orElse(null);
    }

    List<Candidate> candidates() {
        return List.copyOf(candidates);
    }

    /** The checkpoint metadata: each candidate as "epoch:separation:positions", separated by ';'. */
    Map<String, String> encode() {
        if (candidates.isEmpty()) return null;
        return Map.of(KEY, candidates.stream().map(c -> c.epoch() + ":" + c.isolation().separation() + ":"
                + Arrays.stream(c.isolation().positions()).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                .collect(Collectors.joining(";")));
    }

    /** The candidates a checkpoint of the isolation stage holds (none when it has none). */
    static IsolationPicks restore(Checkpoint ckpt, ImageSet data, IsolationPick rule) {
        return ckpt == null || !ckpt.exists() ? new IsolationPicks(rule) : fromMetadata(ckpt.metadata(), data, rule);
    }

    /** The candidates that {@link #encode()} (or an older checkpoint's single pick) wrote into `meta`. */
    static IsolationPicks fromMetadata(Map<String, String> meta, ImageSet data, IsolationPick rule) {
        IsolationPicks picks = new IsolationPicks(rule);
        if (meta.containsKey(KEY)) {
            for (String c : meta.get(KEY).split(";")) {
                String[] f = c.split(":", 3);
                Isolation iso = Abl.isolation(data, positions(f[2]), null);
                picks.offer(Integer.parseInt(f[0]), new Isolation(iso.positions(), iso.poisonedInside(), iso.poisonedTotal(), iso.labelShare(),
                        Double.parseDouble(f[1])));
            }
        } else if (meta.containsKey(OLD_KEY)) {
            String[] f = meta.get(OLD_KEY).split(":", 2);
            picks.offer(Integer.parseInt(f[0]), Abl.isolation(data, positions(f[1]), null));
        }
        return picks;
    }

    private static int[] positions(String list) {
        return list.isEmpty() ? new int[0] : Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
