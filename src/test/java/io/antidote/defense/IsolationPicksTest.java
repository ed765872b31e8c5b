package io.antidote.defense;

import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class IsolationPicksTest {
    /** The rule stated once over all epochs at the end (1-based epoch), against which the incremental picker is checked. */
    static int expected(Abl.IsolationPick rule, List<Abl.Isolation> seen) {
        int best = 0;
        for (int e = 1; e < seen.size(); e++) if (score(rule, seen.get(e)) >= score(rule, seen.get(best))) best = e;
        return best + 1;
    }

    private static double score(Abl.IsolationPick rule, Abl.Isolation i) {
        return rule == Abl.IsolationPick.SEPARATED ? i.labelShare() * i.separation() : i.labelShare();
    }

    private static Abl.Isolation iso(double share, double separation) {
        return new Abl.Isolation(new int[0], 0, 0, share, separation);
    }

    private static IsolationPicks offered(Abl.IsolationPick rule, List<Abl.Isolation> epochs) {
        IsolationPicks p = new IsolationPicks(rule);
        for (int e = 0; e < epochs.size(); e++) p.offer(e + 1, epochs.get(e));
        return p;
    }

    @Test
    void theSeparatedPickPassesOverAnEasyCleanClass() {
        // the demo's WRN-10-1 seed 8 (share, separation): epoch 3 is 99.6% one clean class, epochs 6 and 7 about 81% poison
        List<Abl.Isolation> s8 = List.of(iso(0.64, 2.03), iso(0.516, 2.05), iso(0.996, 3.65), iso(0.576, 2.74), iso(0.792, 2.64), iso(0.812, 12.06),
                iso(0.804, 8.38), iso(0.42, 8.12));
        assertEquals(6, offered(Abl.IsolationPick.SEPARATED, s8).best().epoch());
        assertEquals(3, offered(Abl.IsolationPick.CONCENTRATED, s8).best().epoch());
        // WRN-16-1 seed 3: the clean class (epoch 3) and the poisons (6, 8) all make sets of one label
        List<Abl.Isolation> s3 = List.of(iso(0.732, 1.2), iso(0.848, 10.3), iso(1.0, 5.4), iso(0.548, 8.3), iso(0.908, 9.1), iso(1.0, 19.7),
                iso(0.384, 5.2), iso(1.0, 13.3));
        assertEquals(6, offered(Abl.IsolationPick.SEPARATED, s3).best().epoch());
        assertEquals(8, offered(Abl.IsolationPick.CONCENTRATED, s3).best().epoch(), "the latest of the tied shares");
    }

    @Test
    void tiesGoToTheLaterEpochAndUnknownSeparationsLose() {
        assertEquals(2, offered(Abl.IsolationPick.SEPARATED, List.of(iso(1.0, 3.0), iso(1.0, 3.0))).best().epoch());
        assertEquals(1, offered(Abl.IsolationPick.SEPARATED, List.of(iso(0.2, 0.1), iso(1.0, Double.NaN))).best().epoch());
        assertNull(new IsolationPicks(Abl.IsolationPick.SEPARATED).best());
        assertNull(new IsolationPicks(Abl.IsolationPick.SEPARATED).encode());
    }

    @Test
    void theBestSurvivesACheckpoint() {
        ImageSet data = twoLabels();
        IsolationPicks p = new IsolationPicks(Abl.IsolationPick.SEPARATED);
        p.offer(1, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 3}, null), 2.5));
        p.offer(2, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 10}, null), 4.0));
        p.offer(3, withSeparation(Abl.isolation(data, new int[]{4, 5, 6, 7}, null), 2.0));
        // 0.75 x 4.0 = 3.0 beats 2.5 and 2.0
        IsolationPicks back = IsolationPicks.fromMetadata(p.encode(), data, Abl.IsolationPick.SEPARATED);
        assertEquals(2, back.best().epoch());
        assertArrayEquals(new int[]{0, 1, 2, 10}, back.best().isolation().positions());
        assertEquals(4.0, back.best().isolation().separation(), 0.0);
        assertEquals(0.75, back.best().isolation().labelShare(), 1e-12);
        // a resumed run goes on comparing against the restored best
        back.offer(4, withSeparation(Abl.isolation(data, new int[]{4, 5, 6, 7}, null), 3.5));
        assertEquals(4, back.best().epoch());
        // a checkpoint from before the separated pick held one pick and no separation
        IsolationPicks old = IsolationPicks.fromMetadata(Map.of("isolation_pick", "5:10,11,12,2"), data, Abl.IsolationPick.CONCENTRATED);
        assertEquals(5, old.best().epoch());
        assertEquals(0.75, old.best().isolation().labelShare(), 1e-12);
    }

    /** Twenty blank images, the first ten labelled 0 and the rest 1. */
    private static ImageSet twoLabels() {
        int[] labels = new int[20];
        for (int i = 10; i < 20; i++) labels[i] = 1;
        return ImageSet.of("d", 32, 32, 3, 2, new byte[20 * 32 * 32 * 3], labels);
    }

    private static Abl.Isolation withSeparation(Abl.Isolation i, double s) {
        return new Abl.Isolation(i.positions(), i.poisonedInside(), i.poisonedTotal(), i.labelShare(), s);
    }

    @Test
    void retriesFollowTheRulesOrderAndSurviveACheckpoint() {
        ImageSet data = twoLabels();
        IsolationPicks p = new IsolationPicks(Abl.IsolationPick.SEPARATED);
        p.offer(1, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 3}, null), 2.5));
        p.offer(2, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 10}, null), 4.0));
        p.offer(3, withSeparation(Abl.isolation(data, new int[]{10, 11, 12, 13}, null), 2.5));
        // scores 2.5, 3.0, 2.5: epoch 2 first, then the tied 3 before 1 (the later first)
        assertEquals(List.of(2, 3, 1), p.ranked().stream().map(IsolationPicks.Candidate::epoch).toList());
        IsolationPicks back = IsolationPicks.fromMetadata(p.encode(), data, Abl.IsolationPick.SEPARATED);
        assertEquals(List.of(2, 3, 1), back.ranked().stream().map(IsolationPicks.Candidate::epoch).toList());
        assertArrayEquals(new int[]{10, 11, 12, 13}, back.ranked().get(1).isolation().positions());
        assertEquals(2.5, back.ranked().get(2).isolation().separation(), 0.0);
        // the last-epoch rule retries from the latest backwards
        IsolationPicks last = new IsolationPicks(Abl.IsolationPick.LAST);
        for (int e = 1; e <= 3; e++) last.offer(e, iso(0.5 * e, 1.0));
        assertEquals(List.of(3, 2, 1), last.ranked().stream().map(IsolationPicks.Candidate::epoch).toList());
        // a checkpoint from before the retries held only the best
        IsolationPicks old = IsolationPicks.fromMetadata(Map.of(IsolationPicks.KEY, "2:4.0:0,1,2,10"), data, Abl.IsolationPick.SEPARATED);
        assertEquals(List.of(2), old.ranked().stream().map(IsolationPicks.Candidate::epoch).toList());
    }
}
