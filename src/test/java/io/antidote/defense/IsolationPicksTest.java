package io.antidote.defense;

import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class IsolationPicksTest {
    /** The rule stated once over all epochs at the end (1-based epoch), against which the incremental picker is checked. */
    static int expected(Abl.IsolationPick rule, List<Abl.Isolation> seen) {
        double top = seen.stream().mapToDouble(Abl.Isolation::labelShare).max().orElseThrow();
        double band = rule == Abl.IsolationPick.SEPARATED ? 0.05 : 0;
        int best = -1;
        for (int e = 0; e < seen.size(); e++) {
            Abl.Isolation i = seen.get(e);
            if (i.labelShare() < top - band - 1e-12) continue;
            if (best < 0 || rule != Abl.IsolationPick.SEPARATED || i.separation() >= seen.get(best).separation()) best = e;
        }
        return best + 1;
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
        // the demo's seed 3 in fp32 (share, separation): epoch 3 is one clean class, 6 and 8 the poisons
        List<Abl.Isolation> s3 = List.of(iso(0.732, 1.2), iso(0.848, 10.3), iso(0.996, 5.4), iso(0.548, 8.3), iso(0.908, 9.1), iso(1.0, 19.7),
                iso(0.384, 5.2), iso(1.0, 13.3));
        IsolationPicks sep = offered(Abl.IsolationPick.SEPARATED, s3);
        assertEquals(6, sep.best().epoch());
        assertEquals(List.of(3, 6, 8), sep.candidates().stream().map(IsolationPicks.Candidate::epoch).toList());
        assertEquals(8, offered(Abl.IsolationPick.CONCENTRATED, s3).best().epoch());
        assertEquals(6, expected(Abl.IsolationPick.SEPARATED, s3));
    }

    @Test
    void aFarSeparatedButDilutedSetLosesToAPureOne() {
        // seed 8: epoch 7 is 74% poison and the furthest below its label; epoch 8 is 98% poison.
        // share x separation would choose epoch 7 (9.9 against 5.4); the band keeps it out.
        List<Abl.Isolation> s8 = List.of(iso(0.84, 1.0), iso(0.41, 0.7), iso(0.48, 1.4), iso(0.83, 3.8), iso(0.74, 10.4), iso(0.32, 3.8),
                iso(0.736, 13.4), iso(1.0, 5.4));
        assertEquals(8, offered(Abl.IsolationPick.SEPARATED, s8).best().epoch());
        // at equal share and separation the later epoch wins
        assertEquals(2, offered(Abl.IsolationPick.SEPARATED, List.of(iso(1.0, 3.0), iso(1.0, 3.0))).best().epoch());
        assertNull(new IsolationPicks(Abl.IsolationPick.SEPARATED).best());
    }

    @Test
    void theCandidatesSurviveACheckpoint() {
        int[] labels = new int[20];
        for (int i = 10; i < 20; i++) labels[i] = 1;
        ImageSet data = ImageSet.of("d", 32, 32, 3, 2, new byte[20 * 32 * 32 * 3], labels);
        IsolationPicks p = new IsolationPicks(Abl.IsolationPick.SEPARATED);
        p.offer(1, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 3}, null), 2.5));
        p.offer(2, withSeparation(Abl.isolation(data, new int[]{0, 1, 2, 10}, null), 9.0));
        p.offer(3, withSeparation(Abl.isolation(data, new int[]{4, 5, 6, 7}, null), 4.0));
        IsolationPicks back = IsolationPicks.fromMetadata(p.encode(), data, Abl.IsolationPick.SEPARATED);
        assertEquals(List.of(1, 3), back.candidates().stream().map(IsolationPicks.Candidate::epoch).toList());
        assertEquals(3, back.best().epoch());
        assertArrayEquals(new int[]{4, 5, 6, 7}, back.best().isolation().positions());
        assertEquals(4.0, back.best().isolation().separation(), 0.0);
        assertEquals(1.0, back.best().isolation().labelShare(), 0.0);
        // a checkpoint from before the candidates held one pick and no separation
        IsolationPicks old = IsolationPicks.fromMetadata(Map.of("isolation_pick", "5:10,11,12,2"), data, Abl.IsolationPick.CONCENTRATED);
        assertEquals(5, old.best().epoch());
        assertEquals(0.75, old.best().isolation().labelShare(), 1e-12);
    }

    private static Abl.Isolation withSeparation(Abl.Isolation i, double s) {
        return new Abl.Isolation(i.positions(), i.poisonedInside(), i.poisonedTotal(), i.labelShare(), s);
    }
}
