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
 * Every isolation epoch's set and the one an {@link IsolationPick} has chosen so far. Kept in the
 * isolation checkpoint, so a resumed run chooses (and retries) among every epoch as an
 * uninterrupted one does.
 */
final class IsolationPicks {
    static final String KEY = "isolation_best";
    /** What checkpoints written before the separated pick hold: one epoch, as "epoch:positions". */
    static final String OLD_KEY = "isolation_pick";
    /** Every epoch offered so far, as "epoch:separation:positions" joined by ';'. */
    static final String ALL_KEY = "isolation_epochs";

    /** An isolation epoch (1-based) and the set it isolated. */
    record Candidate(int epoch, Isolation isolation) {}

    private final IsolationPick rule;
    private Candidate best;
    private final List<Candidate> all = new ArrayList<>();

    IsolationPicks(IsolationPick rule) {
        this.rule = rule;
    }

    /**
     * How good a set looks to the rule: its label share, or for SEPARATED, share x separation.
     * Unknown losses (a checkpoint from before SEPARATED) lose to any measured epoch.
     */
    double score(Isolation iso) {
        if (rule != IsolationPick.SEPARATED) return iso.labelShare();
        return Double.isNaN(iso.separation()) ? Double.NEGATIVE_INFINITY : iso.labelShare() * iso.separation();
    }

    /** Takes an epoch's set if it scores at least as high as the best so far (the latest wins a tie). */
    void offer(int epoch, Isolation iso) {
        all.removeIf(k -> k.epoch() == epoch);
        all.add(new Candidate(epoch, iso));
        if (best == null || score(iso) >= score(best.isolation())) best = new Candidate(epoch, iso);
    }

    /** The chosen epoch, or null before any. */
    Candidate best() {
        return best;
    }

    /**
     * Every epoch in the order the rule prefers them: the latest first for LAST, else by score
     * with the latest first at a tie, so the head is the set stage 2 gets first.
     */
    List<Candidate> ranked() {
        Comparator<Candidate> latest = Comparator.comparingInt(Candidate::epoch).reversed();
        Comparator<Candidate> order = rule == IsolationPick.LAST ? latest
                : Comparator.<Candidate>comparingDouble(k -> -score(k.isolation())).thenComparing(latest);
        return all.stream().sorted(order).toList();
    }

    /** The checkpoint metadata: the best, and every epoch, each as "epoch:separation:positions". */
    Map<String, String> encode() {
        if (best == null) return null;
        return Map.of(KEY, encode(best), ALL_KEY, all.stream().map(IsolationPicks::encode).collect(Collectors.joining(";")));
    }

    private static String encode(Candidate k) {
        return k.epoch() + ":" + k.isolation().separation() + ":"
                + Arrays.stream(k.isolation().positions()).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** The best epoch a checkpoint of the isolation stage holds (none when it has none). */
    static IsolationPicks restore(Checkpoint ckpt, ImageSet data, IsolationPick rule) {
        return ckpt == null || !ckpt.exists() ? new IsolationPicks(rule) : fromMetadata(ckpt.metadata(), data, rule);
    }

    /** The best epoch that {@link #encode()} (or an older checkpoint's pick) wrote into `meta`. */
    static IsolationPicks fromMetadata(Map<String, String> meta, ImageSet data, IsolationPick rule) {
        IsolationPicks picks = new IsolationPicks(rule);
        if (meta.containsKey(ALL_KEY)) {
            // offered in epoch order, so the best and its ties come out as they did
            for (String one : meta.get(ALL_KEY).split(";")) picks.offerEncoded(one, data);
        } else if (meta.containsKey(KEY)) {
            picks.offerEncoded(meta.get(KEY), data);
        } else if (meta.containsKey(OLD_KEY)) {
            String[] f = meta.get(OLD_KEY).split(":", 2);
            picks.offer(Integer.parseInt(f[0]), Abl.isolation(data, positions(f[1]), null));
        }
        return picks;
    }

    private void offerEncoded(String one, ImageSet data) {
        String[] f = one.split(":", 3);
        Isolation iso = Abl.isolation(data, positions(f[2]), null);
        offer(Integer.parseInt(f[0]), new Isolation(iso.positions(), iso.poisonedInside(), iso.poisonedTotal(), iso.labelShare(),
                Double.parseDouble(f[1])));
    }

    private static int[] positions(String list) {
        return list.isEmpty() ? new int[0] : Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
