package io.antidote.cli;

import io.antidote.nn.Precision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ThroughputTest {
    @Test
    void everyModeGetsAFigureAndAnRssReadingPerEpochInTheOrderAsked() {
        List<Throughput.Result> rs = Throughput.measure("wrn-16-1", List.of(Precision.values()), 4, 2, 3, 1);
        assertEquals(List.of(Precision.FP32, Precision.FP32_CHANNELS_LAST, Precision.BF16), rs.stream().map(Throughput.Result::precision).toList());
        for (Throughput.Result r : rs) {
            assertEquals(3, r.perEpoch().length);
            assertEquals(3, r.rssPerEpochKb().size());
            for (double v : r.perEpoch()) assertTrue(v > 0 && Double.isFinite(v), r.precision() + ": " + v);
            // the overall figure is images over total time, so it lies within the per-epoch range
            double lo = java.util.Arrays.stream(r.perEpoch()).min().orElseThrow();
            double hi = java.util.Arrays.stream(r.perEpoch()).max().orElseThrow();
            assertTrue(r.imagesPerSecond() >= lo * 0.999 && r.imagesPerSecond() <= hi * 1.001, r.imagesPerSecond() + " outside " + lo + ".." + hi);
            assertTrue(r.rssPerEpochKb().get(0) > 0, "RSS read from /proc/self/status");
        }
    }
}
